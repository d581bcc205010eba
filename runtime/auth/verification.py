"""E-mail verification as LB3's `user.verify(options)` and `User.confirm` define it, as pure
functions: the options LB3 fills in, the token (always made by the server: a client never chooses
it, since the user row's `verificationToken` is not writable through REST), the confirm check, and
the only redirects confirm follows (the app's own URLs, not an open redirect)."""

from __future__ import annotations

import hmac
import secrets
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from typing import Any
from urllib.parse import urlencode, urlsplit

from ..errors import BadRequest, LoopBackError

DEFAULT_SUBJECT = "Thanks for Registering"
DEFAULT_TEXT = "Please verify your email by opening this link in a web browser:\n\t{href}"
# properties of a User row that only the server sets (mass assignment: never from a request body)
SERVER_ONLY_PROPERTIES = ("emailVerified", "verificationToken")


class InvalidVerifyOptions(LoopBackError):
    """A programming error in the app's verify() call (LB3 asserts): a 500 with the reason."""


class InvalidToken(BadRequest):
    def __init__(self, token: str) -> None:
        super().__init__(f"Invalid token: {token}", code="INVALID_TOKEN")


class UnsafeRedirect(BadRequest):
    def __init__(self, redirect: str) -> None:
        super().__init__(
            f"redirect must be a path or a URL of this application: {redirect}",
            code="INVALID_REDIRECT",
        )


def new_verification_token() -> str:
    """LB3's generateVerificationToken: 64 random bytes, hex (128 characters)."""
    return secrets.token_hex(64)


@dataclass(frozen=True)
class AppAddress:
    """Where the app is reached, for links in e-mails (LB3's app `host`, `port`, `restApiRoot`)."""

    host: str = "localhost"
    port: int | str = 3000
    rest_api_root: str = "/api"


def verify_options(
    options: Mapping[str, Any],
    *,
    user_id: Any,
    user_email: str | None,
    users_path: str,
    app: AppAddress | None = None,
) -> dict[str, Any]:
    """The verify options LB3 builds from the app's (`type`, `to`, `from`, `subject`, `text`,
    `redirect`, `protocol`, `host`, `port`, `restApiRoot`, `verifyHref`, `headers`), with
    `verifyHref` still missing its token (`with_token` adds it). Raises what LB3 asserts."""
    app = app or AppAddress()
    out = dict(options)
    out["redirect"] = out.get("redirect") or "/"
    out["protocol"] = out.get("protocol") or "http"
    out["host"] = out.get("host") or app.host
    out["port"] = out.get("port") or app.port
    out["restApiRoot"] = out.get("restApiRoot") or app.rest_api_root
    if not out.get("verifyHref"):
        default_port = (out["protocol"], str(out["port"])) in (("http", "80"), ("https", "443"))
        port = "" if default_port else f":{out['port']}"
        path = _join(out["restApiRoot"], users_path, "confirm")
        query = urlencode({"uid": str(user_id), "redirect": out["redirect"]})
        out["verifyHref"] = f"{out['protocol']}://{out['host']}{port}{path}?{query}"
    out["to"] = out.get("to") or user_email
    out["subject"] = out.get("subject") or DEFAULT_SUBJECT
    out["headers"] = out.get("headers") or {}
    if not out.get("type"):
        raise InvalidVerifyOptions("You must supply a verification type (verifyOptions.type)")
    if out["type"] != "email":
        raise InvalidVerifyOptions("Unsupported verification type")
    if not out["to"]:
        raise InvalidVerifyOptions(
            "Must include verifyOptions.to when calling user.verify() "
            "or the user must have an email property"
        )
    if not out.get("from"):
        raise InvalidVerifyOptions("Must include verifyOptions.from when calling user.verify()")
    return out


def with_token(options: Mapping[str, Any], token: str) -> dict[str, Any]:
    """The options with the token in `verifyHref` and `{href}` in `text` replaced, as LB3 sends."""
    out = dict(options)
    href = str(out["verifyHref"])
    href += ("&" if "?" in href else "?") + "token=" + token
    out["verifyHref"] = href
    out["verificationToken"] = token
    out["text"] = str(out.get("text") or DEFAULT_TEXT).replace("{href}", href)
    return out


def confirm_updates(stored: str | None, presented: object) -> dict[str, Any]:
    """The user row's changes when PRESENTED is its verification token (compared in constant
    time): the token is spent and the e-mail verified. Anything else is LB3's 400 INVALID_TOKEN."""
    if (
        not isinstance(stored, str)
        or not isinstance(presented, str)
        or not hmac.compare_digest(stored.encode(), presented.encode())
    ):
        raise InvalidToken(str(presented))
    return {"verificationToken": None, "emailVerified": True}


def safe_redirect(redirect: str | None, own_origins: Sequence[str] = ()) -> str | None:
    """Where confirm may send the browser: a path on this site, or a URL whose origin
    (`scheme://host[:port]`) is one of the app's own. LB3 redirects anywhere (an open redirect
    in a link the app itself e-mails)."""
    if redirect is None or redirect == "":
        return None
    parts = urlsplit(redirect)
    if not parts.scheme and not parts.netloc:
        if (
            redirect.startswith("/")
            and not redirect.startswith(("//", "/\\"))
            and "\\" not in redirect
        ):
            return redirect
        raise UnsafeRedirect(redirect)
    origin = f"{parts.scheme}://{parts.netloc}".lower()
    if parts.scheme in ("http", "https") and origin in {o.lower().rstrip("/") for o in own_origins}:
        return redirect
    raise UnsafeRedirect(redirect)


def _join(*parts: str) -> str:
    """LB3's joinUrlPath: one slash between parts."""
    return "/" + "/".join(p.strip("/") for p in parts if p.strip("/"))
