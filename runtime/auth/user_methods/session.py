"""LB3's User.login, logout, changePassword and setPassword, on the foundations of runtime/auth.

    login           POST /Users/login {email|username, password[, realm, ttl]}[?include=user]
                    -> {id: <the token>, ttl, created, userId[, user]}
    logout          POST /Users/logout with the token        -> 204; no/unknown token: 401
    changePassword  POST /Users/change-password {oldPassword, newPassword} with a token -> 204
    setPassword     POST /Users/reset-password {newPassword} with a token (a reset token) -> 204

Each factory takes the User model and returns the function assigned to it (`Member.login`), so an
app's module may wrap or replace it, and Python code calls it as the REST API does:
`await Member.login({"email": ..., "password": ...})`.

The token's id goes to the client once, in the login answer; the AccessToken row holds only its
SHA-256 (tokens.hash_token_id). The user row is read with its password hash directly (the read
stage never returns hidden properties), and the throttle is asked before any hashing.
"""

from __future__ import annotations

import asyncio
import weakref
from collections.abc import Callable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from ...context import Context
from ...errors import LoopBackError
from ...filter.ast import Condition
from ...plan import plan_query
from ...sql import builder
from ..addresses import client_address, throttle_address
from ..login import check_login, login_query
from ..passwords import check_password, verify_password
from ..reset import RESET_PASSWORD_SCOPE, after_password_change
from ..tokens import hash_token_id, new_token_id, resolve_ttl
from .config import LoginProtection, UserSettings, token_id_length

if TYPE_CHECKING:
    from ...model import Model


class Unauthorized(LoopBackError):
    status = 401


class InvalidCurrentPassword(LoopBackError):
    status = 400

    def __init__(self) -> None:
        super().__init__("Invalid current password", code="INVALID_PASSWORD")


class UserNotFound(LoopBackError):
    status = 401

    def __init__(self, user_id: Any) -> None:
        super().__init__(f"User {user_id} not found", code="USER_NOT_FOUND")


SET_PASSWORD_OPTION = "setPassword"  # LB3's options.setPassword: the one way to change it


def _system(ctx: Context | None, **options: Any) -> Context:
    """The context of the method's own reads and writes: no access rule restricts them (the method
    is the rule), but hooks still see the caller's options."""
    base = dict(ctx.options) if ctx is not None else {}
    return Context(request=ctx.request if ctx else None, system=True, options={**base, **options})


def _protection(model: Model) -> LoginProtection | None:
    return getattr(model.app, "login_protection", None)


def _token_model(model: Model, settings: UserSettings) -> Model:
    models = getattr(model.app, "models", {})
    found = models.get(settings.token_model) or models.get("AccessToken")
    if found is None:
        raise LoopBackError(f"{model.name} has no AccessToken model to store tokens in")
    return found  # type: ignore[no-any-return]


async def _user_row(model: Model, where: dict[str, str]) -> dict[str, Any] | None:
    """The one user the credentials name, with every stored property (the password hash too)."""
    flt = model.parse_filter({"where": where})
    plan = replace(plan_query(model.meta, flt, limit=1), columns=tuple(model.meta.properties))
    async with model.db.read() as s:
        row = await s.first(builder.select_rows(model.table, plan))
    return dict(row._mapping) if row is not None else None


async def _store_hash(model: Model, key: Any, hashed: str) -> None:
    """Replace a bcrypt (or weaker argon2) hash with the argon2id one: the same password, so no
    hook fires and no token is revoked."""
    values = {"password": hashed}
    stmt = builder.update_rows(model.table, Condition(model.meta.id_name, "eq", key), values)
    async with model.db.write(one_statement=True) as s:
        await s.run(stmt)


def _wants_user(include: Any) -> bool:
    """LB3: `include` is "user" (any case) or a list holding it."""
    if isinstance(include, str):
        return include.lower() == "user" or "user" in include.lower().split(",")
    if isinstance(include, list | tuple):
        return any(isinstance(i, str) and i.lower() == "user" for i in include)
    return False


_SETTINGS: weakref.WeakKeyDictionary[Model, UserSettings] = weakref.WeakKeyDictionary()


def settings_of(model: Model) -> UserSettings:
    """The model's settings, read once."""
    found = _SETTINGS.get(model)
    if found is None:
        found = _SETTINGS[model] = UserSettings.of(model.meta)
    return found


def login_for(model: Model) -> Callable[..., Any]:
    settings = settings_of(model)
    id_name = model.meta.id_name

    async def login(credentials: Any, include: Any = None, *, ctx: Context | None = None) -> Any:
        """LB3's User.login: the token (its id shown this once), with the user when asked."""
        query = login_query(
            credentials,
            realm_required=settings.realm_required,
            realm_delimiter=settings.realm_delimiter,
        )
        if query.email is not None and not settings.case_sensitive_email:
            query = replace(query, email=query.email.lower())
        assert isinstance(credentials, dict)  # login_query refused anything else
        ttl = resolve_ttl(credentials.get("ttl"), settings.tokens)
        protection = _protection(model)
        throttle = protection.throttles.get(model.db) if protection else None
        address = None
        if ctx is not None and ctx.request is not None:
            found = client_address(ctx.request.scope, protection.trusted if protection else ())
            address = throttle_address(found) if found else None
        user = await _user_row(model, query.where())
        new_hash = await check_login(
            user,
            credentials.get("password"),
            account=query.account(model.name),
            address=address,
            throttle=throttle,
            email_verification_required=settings.email_verification_required,
            id_name=id_name,
        )
        assert user is not None  # check_login raised otherwise
        if new_hash is not None:
            await _store_hash(model, user[id_name], new_hash)
        shown = model.codec.to_json(user)
        token = await create_token(model, shown[id_name], ttl, ctx=ctx)
        if _wants_user(include):
            token["user"] = shown
        return token

    return login


async def create_token(
    model: Model,
    user_id: Any,
    ttl: int,
    *,
    scopes: list[str] | None = None,
    ctx: Context | None = None,
) -> dict[str, Any]:
    """A new AccessToken for the user: stored by its hash, answered with its id (LB3's
    `user.createAccessToken`). Reset tokens (runtime/auth/reset.py) are made here too."""
    tokens = _token_model(model, settings_of(model))
    raw = new_token_id(token_id_length(tokens.meta))
    data: dict[str, Any] = {"id": hash_token_id(raw), "ttl": ttl, "userId": user_id}
    if scopes is not None:
        data["scopes"] = scopes
    if "principalType" in tokens.meta.properties:
        data["principalType"] = model.name
    stored = await tokens.create(data, ctx=_system(ctx))
    out = {"id": raw, **{k: v for k, v in stored.items() if k != "id" and v is not None}}
    return out


def logout_for(model: Model) -> Callable[..., Any]:
    settings = settings_of(model)

    async def logout(token_id: Any, *, ctx: Context | None = None) -> None:
        """LB3's User.logout: deletes the token; none given or none found is LB3's 401."""
        if not isinstance(token_id, str) or not token_id:
            raise Unauthorized("accessToken is required to logout")
        tokens = _token_model(model, settings)
        if not await tokens.destroy_by_id(hash_token_id(token_id), ctx=_system(ctx)):
            raise Unauthorized("Could not find accessToken")

    return logout


def _caller_token(ctx: Context | None) -> tuple[str | None, list[str] | None]:
    """The calling token's id and scopes, when the call came with one."""
    if ctx is None or not isinstance(ctx.access_token, dict):
        return None, None
    token_id = ctx.access_token.get("id")
    return (token_id if isinstance(token_id, str) else None), ctx.principal.scopes


async def _set_password(model: Model, user_id: Any, new_password: str, ctx: Context | None) -> None:
    """The password changed through the write pipeline (hooks fire, the persist rules hash it),
    then the user's other tokens revoked: all of them for a reset token (it is spent), all but
    the calling session for a logged-in change (reset.after_password_change)."""
    check_password(new_password)
    await model.patch_attributes(
        user_id, {"password": new_password}, ctx=_system(ctx, **{SET_PASSWORD_OPTION: True})
    )
    token_id, scopes = _caller_token(ctx)
    revoke = after_password_change(user_id, token_id, scopes)
    where: dict[str, Any] = {"userId": revoke.user_id}
    if revoke.keep is not None:
        where["id"] = {"neq": hash_token_id(revoke.keep)}
    await _token_model(model, settings_of(model)).destroy_all(where, ctx=_system(ctx))


async def _stored_password(model: Model, user_id: Any) -> tuple[bool, str | None]:
    key = model.codec.coerce_id(user_id)
    if key is None:
        return False, None
    async with model.db.read() as s:
        row = await s.first(builder.row_by_id(model.table, [model.meta.id_name, "password"], key))
    if row is None:
        return False, None
    stored = row._mapping["password"]
    return True, stored if isinstance(stored, str) else None


def change_password_for(model: Model) -> Callable[..., Any]:
    async def change_password(
        user_id: Any, old_password: Any, new_password: Any, options: Any = None, *,
        ctx: Context | None = None,
    ) -> None:  # fmt: skip
        """LB3's User.changePassword: the old password proves the caller; the other sessions
        end, the calling one stays."""
        ctx = ctx if ctx is not None else (options if isinstance(options, Context) else None)
        if user_id is None:
            raise Unauthorized("Authorization Required", code="AUTHORIZATION_REQUIRED")
        found, stored = await _stored_password(model, user_id)
        if not found:
            raise UserNotFound(user_id)
        if not isinstance(old_password, str):
            raise InvalidCurrentPassword()
        check_password(old_password)
        result = await asyncio.to_thread(verify_password, old_password, stored)
        if not result.ok:
            raise InvalidCurrentPassword()
        await _set_password(model, user_id, _new_password(new_password), ctx)

    return change_password


def set_password_for(model: Model) -> Callable[..., Any]:
    async def set_password(
        user_id: Any, new_password: Any, options: Any = None, *, ctx: Context | None = None
    ) -> None:
        """LB3's User.setPassword (POST /reset-password): for the holder of a reset token (or,
        as in LB3, any token of the user); a reset token is spent by it."""
        ctx = ctx if ctx is not None else (options if isinstance(options, Context) else None)
        if user_id is None:
            raise Unauthorized("Authorization Required", code="AUTHORIZATION_REQUIRED")
        found, _ = await _stored_password(model, user_id)
        if not found:
            raise UserNotFound(user_id)
        await _set_password(model, user_id, _new_password(new_password), ctx)

    return set_password


def _new_password(value: Any) -> str:
    """LB3's validatePassword: a non-empty string (422 INVALID_PASSWORD), not too long."""
    if not isinstance(value, str) or not value:
        error = LoopBackError("Invalid password.", code="INVALID_PASSWORD")
        error.status = 422
        raise error
    return check_password(value)


__all__ = [
    "RESET_PASSWORD_SCOPE",
    "change_password_for",
    "create_token",
    "login_for",
    "logout_for",
    "set_password_for",
]
