"""What LB3's built-in User model enforces on every write: a well-formed, unique email, a unique
username, a password stored only as an argon2id hash (runtime/auth/passwords.py; LB3's bcrypt hashes
still verify and are replaced at the next login), and no client write to what only the server sets
(mass assignment: `client_values`)."""

from __future__ import annotations

import asyncio
import re
from typing import TYPE_CHECKING, Any

from .auth.passwords import ARGON2_PREFIX, BCRYPT_PREFIXES, hash_password
from .errors import LoopBackError, ValidationFailed
from .sql import builder

if TYPE_CHECKING:
    from .db import Session
    from .hooks import HookContext
    from .model import Model

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
MESSAGES = {"email": "Email already exists", "username": "User already exists"}
BCRYPT_LENGTH = 60
SERVER_ONLY = ("emailVerified", "verificationToken", "realm")  # a client never changes these


def unique_values(values: dict[str, Any]) -> list[str]:
    """The properties among `values` that no two users may share (null is no value)."""
    return [p for p in ("email", "username") if isinstance(values.get(p), str)]


def not_unique(model: Model, values: dict[str, Any]) -> ValidationFailed:
    """The error for unique values written to more than one row at once (updateAll)."""
    problems = [(p, "uniqueness", MESSAGES[p], values[p]) for p in unique_values(values)]
    return ValidationFailed(model.name, problems)


async def persist_rules(ctx: HookContext) -> None:
    """The first built-in observer: `persist` of every User-based model keeps a client's write off
    the server's properties (`client_values`), checks the email and the username (well-formed,
    unique among the other rows) and hashes the password, inside the write's transaction (its
    session is the Context's)."""
    session = ctx.context.session
    if ctx.data is None or session is None:
        raise RuntimeError("persist runs inside the write's transaction")
    values = ctx.data
    if not ctx.context.system and ctx.context.request is not None:
        values = await client_values(ctx.model, session, values, ctx.id, bool(ctx.is_new_instance))
    if not case_sensitive_email(ctx.model) and isinstance(values.get("email"), str):
        values = {**values, "email": values["email"].lower()}  # LB3's email setter
    ctx.data = await prepare(ctx.model, session, values, ctx.id)
    if not ctx.is_new_instance and ctx.id is not None and isinstance(values.get("email"), str):
        await email_changed(ctx, session, values["email"])


async def email_changed(ctx: HookContext, s: Session, email: str) -> None:
    """LB3's logoutSessionsOnSensitiveChanges for a new e-mail: the user's other sessions end
    (the caller's stays) and, with emailVerificationRequired, the new address is unverified."""
    model = ctx.model
    row = await s.first(builder.row_by_id(model.table, ["email"], ctx.id))
    if row is None or row._mapping["email"] == email:
        return
    if _setting(model, "emailVerificationRequired") and ctx.data is not None:
        ctx.data = {**ctx.data, "emailVerified": False}
    await revoke_tokens(model, ctx.id, keep=ctx.context.access_token, options=ctx.options)


async def revoke_tokens(model: Model, user_id: Any, *, keep: Any, options: dict[str, Any]) -> None:
    """Delete the user's access tokens, except `keep` (a token row with its raw `id`)."""
    from .auth.tokens import hash_token_id
    from .context import Context

    tokens = getattr(model.app, "models", {}).get("AccessToken")
    if tokens is None:
        return
    where: dict[str, Any] = {"userId": user_id}
    raw = keep.get("id") if isinstance(keep, dict) else None
    if isinstance(raw, str):
        where["id"] = {"neq": hash_token_id(raw)}
    await tokens.destroy_all(where, ctx=Context(system=True, options=dict(options)))


def _setting(model: Model, key: str) -> Any:
    settings = model.meta.raw.get("settings") or {}
    return settings.get(key, (model.meta.raw.get("options") or {}).get(key))


class PasswordChangeNotAllowed(LoopBackError):
    """LB3's answer with `rejectPasswordChangesViaPatchOrReplace` (here always)."""

    status = 401

    def __init__(self) -> None:
        super().__init__(
            "Changing user password via patch/replace API is not allowed. "
            "Use changePassword() or setPassword() instead.",
            code="PASSWORD_CHANGE_NOT_ALLOWED",
        )


def case_sensitive_email(model: Model) -> bool:
    """LB3's `caseSensitiveEmail` (true unless the model's settings say false)."""
    settings = model.meta.raw.get("settings") or {}
    options = model.meta.raw.get("options") or {}
    return settings.get("caseSensitiveEmail", options.get("caseSensitiveEmail")) is not False


async def client_values(
    model: Model, s: Session, values: dict[str, Any], key: Any, is_new: bool
) -> dict[str, Any]:
    """Mass assignment: what a client (a REST request) may write to a user. A new user may set
    its password and realm, never a verified email or its verification token (emailVerified true
    becomes false, as LB3's create does; the token is dropped). An existing user's password
    changes only through change-password or reset-password (401 PASSWORD_CHANGE_NOT_ALLOWED); its
    `emailVerified`, `verificationToken` and `realm` keep their stored values whatever the
    patch, replace, upsert or updateAll sends."""
    out = dict(values)
    if is_new:
        if out.get("emailVerified"):
            out["emailVerified"] = False
        if "verificationToken" in out:
            out["verificationToken"] = None
        return out
    if out.get("password") is not None:
        raise PasswordChangeNotAllowed()
    out.pop("password", None)
    kept = [p for p in SERVER_ONLY if p in out and p in model.meta.properties]
    if not kept:
        return out
    if key is None:  # updateAll: the rows keep theirs
        return {k: v for k, v in out.items() if k not in kept}
    row = await s.first(builder.row_by_id(model.table, kept, key))
    stored = dict(row._mapping) if row is not None else {}
    return {**out, **{p: stored.get(p) for p in kept}}


async def prepare(model: Model, s: Session, values: dict[str, Any], key: Any) -> dict[str, Any]:
    problems: list[tuple[str, str, str, Any]] = []
    email = values.get("email")
    if isinstance(email, str):
        if not EMAIL.match(email):
            problems.append(("email", "custom.email", "is invalid", email))
        elif await _taken(model, s, "email", email, key):
            problems.append(("email", "uniqueness", MESSAGES["email"], email))
    username = values.get("username")
    if isinstance(username, str) and await _taken(model, s, "username", username, key):
        problems.append(("username", "uniqueness", MESSAGES["username"], username))
    if problems:
        raise ValidationFailed(model.name, problems)
    password = values.get("password")
    if isinstance(password, str) and not already_hashed(password):
        # argon2id in a thread (its cost would stall every other request on this event loop)
        values = {**values, "password": await asyncio.to_thread(hash_password, password)}
    return values


def already_hashed(value: str) -> bool:
    """A hash stored as it is, as LB3's password setter keeps a 60-character bcrypt hash (users
    moved over from an LB3 database keep their passwords); an argon2 hash likewise."""
    bcrypt = value.startswith(BCRYPT_PREFIXES) and len(value) == BCRYPT_LENGTH
    return bcrypt or value.startswith(ARGON2_PREFIX + "id$")


async def _taken(model: Model, s: Session, prop: str, value: str, key: Any) -> bool:
    return await s.first(builder.other_row_with(model.table, prop, value, key)) is not None
