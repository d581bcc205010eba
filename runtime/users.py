"""What LB3's built-in User model enforces on every write: a well-formed, unique email, a unique
username, and a password stored only as a bcrypt hash (LB3 uses bcryptjs with 10 rounds, so hashes
moved over from an LB3 database verify unchanged)."""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

import bcrypt

from .errors import LoopBackError, ValidationFailed
from .sql import builder

if TYPE_CHECKING:
    from .db import Session
    from .hooks import HookContext
    from .model import Model

EMAIL = re.compile(r"^[^@\s]+@[^@\s]+\.[^@\s]+$")
SALT_ROUNDS = 10
BCRYPT_MAX_BYTES = 72
MESSAGES = {"email": "Email already exists", "username": "User already exists"}


def hash_password(plain: str) -> str:
    return bcrypt.hashpw(plain.encode()[:BCRYPT_MAX_BYTES], bcrypt.gensalt(SALT_ROUNDS)).decode()


def check_password(plain: str) -> None:
    """bcrypt reads 72 bytes and drops the rest, so a longer password would be accepted while most
    of it is ignored: refuse it, as LB3's User.validatePassword does."""
    size = len(plain.encode())
    if size > BCRYPT_MAX_BYTES:
        error = LoopBackError(
            f"The password entered was too long. Max length is {BCRYPT_MAX_BYTES} (entered {size})",
            code="PASSWORD_TOO_LONG",
        )
        error.status = 422
        raise error


def unique_values(values: dict[str, Any]) -> list[str]:
    """The properties among `values` that no two users may share (null is no value)."""
    return [p for p in ("email", "username") if isinstance(values.get(p), str)]


def not_unique(model: Model, values: dict[str, Any]) -> ValidationFailed:
    """The error for unique values written to more than one row at once (updateAll)."""
    problems = [(p, "uniqueness", MESSAGES[p], values[p]) for p in unique_values(values)]
    return ValidationFailed(model.name, problems)


def verify_password(plain: str, hashed: str) -> bool:
    try:
        return bcrypt.checkpw(plain.encode()[:BCRYPT_MAX_BYTES], hashed.encode())
    except ValueError:
        return False


async def persist_rules(ctx: HookContext) -> None:
    """The first built-in observer: `persist` of every User-based model checks the email and the
    username (well-formed, unique among the other rows) and hashes the password, inside the
    write's transaction (its session is the Context's)."""
    session = ctx.context.session
    if ctx.data is None or session is None:
        raise RuntimeError("persist runs inside the write's transaction")
    ctx.data = await prepare(ctx.model, session, ctx.data, ctx.id)


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
    if isinstance(password, str):
        check_password(password)
        values = {**values, "password": hash_password(password)}
    return values


async def _taken(model: Model, s: Session, prop: str, value: str, key: Any) -> bool:
    return await s.first(builder.other_row_with(model.table, prop, value, key)) is not None
