"""User's e-mail flows as LB3 3.28's user.js defines them: `prototype.verify` (send the
verification link), `confirm` (follow it) and `resetPassword` (issue a reset token and tell the
app, which sends it). The pure parts (verify options, token checks, safe redirects, reset token
spec) are runtime/auth/verification.py and reset.py; this module reads and writes the rows and
sends through the Email model (runtime/mail/model.py).

What we do differently, and why (docs/lb3-differences.md):
- `confirm` redirects only to a path or one of the app's own origins (LB3: anywhere, an open
  redirect behind a link the app mails itself); another target is a 400 before the token is spent.
- `resetPassword` answers 204 whether or not the address belongs to an account (LB3: 404
  EMAIL_NOT_FOUND, or 401 when it is unverified, which tells anyone which addresses have accounts),
  and does the lookup, the token and the `resetPasswordRequest` listeners after the answer, so the
  answer's timing says nothing either. The token has only the `reset-password` scope.
"""

from __future__ import annotations

import html
import inspect
import logging
from collections.abc import Callable, Mapping
from typing import TYPE_CHECKING, Any
from urllib.parse import urlsplit

from ...context import Context
from ...errors import BadRequest, LoopBackError, NotFound
from ...http import NO_CONTENT, Redirect
from ...mail.model import EMAIL, deliver
from ...sql import builder
from .. import verification
from ..access_types import model_setting
from ..passwords import check_password
from ..reset import reset_token_spec
from .session import create_token, settings_of

if TYPE_CHECKING:
    from ...model import Model

log = logging.getLogger("runtime.auth")

RESET_EVENT = "resetPasswordRequest"
DEFAULT_VERIFY_OPTIONS = {"type": "email", "from": "noreply@example.com"}
# LB3's templates/verify.ejs, with the link escaped as EJS's <%= %> escapes it
VERIFY_TEMPLATE = (
    "<h1>Thank You</h1>\n\n<p>\n  Thanks for registering. Please follow the link below to "
    'complete your registration.\n</p>\n\n<p>\n  <a href="{href}">{href}</a>\n</p>'
)
# verify options that configure the flow rather than the message
FLOW_OPTIONS = ("mailer", "templateFn", "generateVerificationToken", "template")


class UserNotFound(NotFound):
    def __init__(self, uid: object) -> None:
        super().__init__(f"User not found: {uid}", code="USER_NOT_FOUND")


class EmailRequired(BadRequest):
    def __init__(self) -> None:
        super().__init__("Email is required", code="EMAIL_REQUIRED")


class InvalidResetPassword(LoopBackError):
    status = 422

    def __init__(self) -> None:
        super().__init__("Invalid password.", code="INVALID_PASSWORD")


# ---- verify ---------------------------------------------------------------------------------------


def get_verify_options(model: Model) -> Callable[[], dict[str, Any]]:
    """LB3's `User.getVerifyOptions()`: a copy of the model's `verifyOptions` setting, else
    `{type: "email", from: "noreply@example.com"}`; what `POST /:id/verify` uses."""

    def get() -> dict[str, Any]:
        configured = _setting(model, "verifyOptions")
        return dict(configured if isinstance(configured, Mapping) else DEFAULT_VERIFY_OPTIONS)

    return get


def verify(model: Model) -> Callable[..., Any]:
    """`prototype.verify(verifyOptions, options)`: a new verification token on the user, then the
    link to `confirm` mailed through the Email model (or `verifyOptions.mailer`). Answers LB3's
    `{email, token, uid}` (REST: 204, as LB3 declares no returns)."""

    async def verify(
        user: dict[str, Any],
        verify_options: Mapping[str, Any] | None = None,
        options: Any = None,
        *,
        ctx: Context | None = None,
    ) -> dict[str, Any]:
        given = dict(verify_options if verify_options is not None else _verify_defaults(model))
        mailer = given.get("mailer") or model.app.registry.get_model(EMAIL)
        template_fn = given.get("templateFn") or default_template
        generate = given.get("generateVerificationToken") or _new_token
        if given.get("template"):
            log.warning(
                "%s.verify: `template` (an EJS file) is not rendered here; give `templateFn` "
                "(a Python function of the options returning the HTML) instead",
                model.name,
            )
        uid = user[model.meta.id_name]
        message = verification.verify_options(
            {k: v for k, v in given.items() if k not in FLOW_OPTIONS},
            user_id=uid,
            user_email=user.get("email"),
            users_path=_users_path(model),
            app=_app_address(model, ctx),
        )
        token = await _maybe_await(generate(user))
        if not isinstance(token, str) or not token:
            raise verification.InvalidVerifyOptions(
                "generateVerificationToken must return a non-empty string"
            )
        await model.update_all({model.meta.id_name: uid}, {"verificationToken": token})
        message = verification.with_token(message, token)
        message["html"] = await _maybe_await(template_fn(message))
        message["user"] = user
        sent = await deliver(mailer, message)
        return {"email": sent, "token": token, "uid": uid}

    return verify


def default_template(options: Mapping[str, Any]) -> str:
    """LB3's verify.ejs: a thank-you heading and the link."""
    return VERIFY_TEMPLATE.format(href=html.escape(str(options["verifyHref"]), quote=True))


async def _new_token(user: Mapping[str, Any]) -> str:
    return verification.new_verification_token()


# ---- confirm --------------------------------------------------------------------------------------


def confirm(model: Model) -> Callable[..., Any]:
    """`confirm(uid, token, redirect)`: the link's token marks the e-mail verified and is spent;
    then a 302 to `redirect` when one is given (a path, or one of the app's own origins), else 204.
    A foreign redirect is refused before anything changes."""

    async def confirm(
        uid: Any, token: Any, redirect: Any = None, *, ctx: Context | None = None
    ) -> Any:
        target = verification.safe_redirect(
            None if redirect is None else str(redirect), own_origins(model, ctx)
        )
        stored = await _stored_token(model, uid)
        if stored is None:
            raise UserNotFound(uid)
        updates = verification.confirm_updates(stored[0], token)
        await model.update_all({model.meta.id_name: stored[1]}, updates)
        return Redirect(target) if target is not None else NO_CONTENT

    return confirm


def own_origins(model: Model, ctx: Context | None) -> list[str]:
    """The origins confirm may redirect to: the request's own (the browser that follows the link
    asked this server), the verify link's (verifyOptions' protocol, host and port, else the app's
    host and port), and that of the redirect the app configured in verifyOptions."""
    origins = []
    request = ctx.request if ctx is not None else None
    if request is not None:
        scope = request.scope
        host = dict(scope.get("headers") or []).get(b"host")
        if host:
            origins.append(f"{scope.get('scheme', 'http')}://{host.decode('latin-1')}")
    configured = _verify_defaults(model)
    address = _app_address(model, ctx)
    protocol = str(configured.get("protocol") or "http")
    host = str(configured.get("host") or address.host)
    port = str(configured.get("port") or address.port)
    default_port = (protocol, port) in (("http", "80"), ("https", "443"))
    origins.append(f"{protocol}://{host}" + ("" if default_port else f":{port}"))
    redirect = configured.get("redirect")
    if isinstance(redirect, str) and urlsplit(redirect).netloc:
        parts = urlsplit(redirect)
        origins.append(f"{parts.scheme}://{parts.netloc}")
    return origins


async def _stored_token(model: Model, uid: Any) -> tuple[str | None, Any] | None:
    """The user's (verificationToken, id), or None when there is no such user. The token is a
    hidden property, so it is read here rather than through find_by_id (which leaves it out)."""
    try:
        key = model.codec.coerce_id(uid)
    except LoopBackError:
        return None
    if key is None:
        return None
    id_name = model.meta.id_name
    statement = builder.row_by_id(model.table, (id_name, "verificationToken"), key)
    async with model.db.read() as session:
        row = await session.first(statement)
    if row is None:
        return None
    values = model.codec.to_json(row._mapping, (id_name, "verificationToken"))
    return values.get("verificationToken"), values[id_name]


# ---- resetPassword --------------------------------------------------------------------------------


def reset_password(model: Model) -> Callable[..., Any]:
    """`resetPassword({email, realm?})`: checks the request as LB3 does (400 EMAIL_REQUIRED, 422
    for a `password` that is no string), answers 204, then, after the answer, issues the reset
    token and emits `resetPasswordRequest` (see `issue_reset_token`)."""

    async def reset_password(options: Any, *, ctx: Context | None = None) -> Any:
        request = _reset_request(options)
        model.events.spawn(_reset_later(model, request))
        return NO_CONTENT

    return reset_password


def _reset_request(options: Any) -> dict[str, Any]:
    if not isinstance(options, Mapping) or not isinstance(options.get("email"), str):
        raise EmailRequired()
    password = options.get("password")
    if password:  # LB3 validates a password given along (a legacy of its reset flow)
        if not isinstance(password, str):
            raise InvalidResetPassword()
        check_password(password)
    return dict(options)


async def _reset_later(model: Model, options: dict[str, Any]) -> None:
    info = await issue_reset_token(model, options)
    if info is not None:
        await model.events.emit(RESET_EVENT, info)


async def issue_reset_token(model: Model, options: Mapping[str, Any]) -> dict[str, Any] | None:
    """Find the user LB3 would (`email`, and `realm` when given), refuse as LB3 does when
    `emailVerificationRequired` and the e-mail is not verified (logged: the caller has had its
    answer), create the reset token and return the `resetPasswordRequest` info: `email`,
    `accessToken` (with the raw `id` the app mails; the table holds its hash), `user`, `options`.
    None when no token was issued."""
    settings = settings_of(model)
    email, realm = options["email"], options.get("realm")
    if not settings.case_sensitive_email:  # LB3's access hook lowercases a where's email
        email = email.lower()
    where: dict[str, Any] = {"email": email}
    if realm:
        if not isinstance(realm, str):  # an operator object must never reach the where
            log.info("%s.resetPassword: a realm that is no string; nothing sent", model.name)
            return None
        where["realm"] = realm
    user = await model.find_one({"where": where})
    if user is None:
        log.info("%s.resetPassword: no user has that e-mail; nothing sent", model.name)
        return None
    if settings.email_verification_required and not user.get("emailVerified"):
        log.info("%s.resetPassword: the e-mail is not verified; nothing sent", model.name)
        return None
    spec = reset_token_spec({"resetPasswordTokenTTL": _setting(model, "resetPasswordTokenTTL")})
    token = await create_token(model, user[model.meta.id_name], spec.ttl, scopes=list(spec.scopes))
    return {"email": options["email"], "accessToken": token, "user": user, "options": options}


METHODS: dict[str, Callable[[Model], Callable[..., Any]]] = {
    "prototype.verify": verify,
    "confirm": confirm,
    "resetPassword": reset_password,
    "get_verify_options": get_verify_options,  # not remote: what POST /:id/verify reads
}

# ---- shared ---------------------------------------------------------------------------------------


def _setting(model: Model, key: str) -> Any:
    """One of the model's settings, as the other User methods read them (`options`, then
    `settings` of its x-lb-models entry)."""
    return model_setting(model.meta.raw, key)


def _verify_defaults(model: Model) -> dict[str, Any]:
    """The model's `get_verify_options()`, which an app may replace as LB3 apps replace
    `getVerifyOptions`."""
    get = getattr(model, "get_verify_options", None)
    return dict(get()) if callable(get) else get_verify_options(model)()


def _users_path(model: Model) -> str:
    path = model.meta.raw.get("httpPath")
    return str(path) if path else model.meta.plural


def _app_address(model: Model, ctx: Context | None) -> verification.AppAddress:
    """Where links point by default: config.json's host and REST root, and the port the server
    listens on (LB3's `app.listen` sets `port` to it), else config.json's port."""
    config = model.app.config
    port: int | str = config.port
    request = ctx.request if ctx is not None else None
    server = request.scope.get("server") if request is not None else None
    if server and len(server) > 1 and server[1]:
        port = server[1]
    return verification.AppAddress(config.host, port, config.rest_api_root)


async def _maybe_await(value: Any) -> Any:
    return await value if inspect.isawaitable(value) else value
