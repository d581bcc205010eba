"""The login decision, from credentials to "this user, this password": LB3's `User.login` checks in
its order and with its errors, plus the throttle and the timing rule.

    query = login_query(credentials, realm_required=..., realm_delimiter=...)   # LB3's 400s
    user = <find one user by query.where()>                                    # the read stage
    new_hash = await check_login(user, credentials.get("password"), ...)      # 401 / 429
    # store new_hash when it is not None (bcrypt -> argon2id), then create the token

An unknown user and a wrong password give the same answer (LB3's 401 `login failed`) after the
same work (a dummy argon2 verification stands in for the missing hash), and both count against the
account and the address in the throttle, which is checked before any hashing.
"""

from __future__ import annotations

import asyncio
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..errors import BadRequest, LoopBackError
from .passwords import dummy_verify, hash_password, verify_password
from .throttle import LoginThrottle, account_key


class LoginFailed(LoopBackError):
    """LB3's answer for an unknown user, a wrong password and a password that is no string."""

    status = 401

    def __init__(self) -> None:
        super().__init__("login failed", code="LOGIN_FAILED")


class EmailNotVerified(LoopBackError):
    status = 401

    def __init__(self, user_id: Any) -> None:
        super().__init__(
            "login failed as the email has not been verified",
            code="LOGIN_FAILED_EMAIL_NOT_VERIFIED",
            details={"userId": user_id},
        )


@dataclass(frozen=True)
class LoginQuery:
    """Who the credentials name: exactly one of email and username, and the realm if any."""

    email: str | None = None
    username: str | None = None
    realm: str | None = None

    def where(self) -> dict[str, str]:
        """The equality where that finds the user (plain strings only: no operator objects)."""
        out = {k: v for k, v in (("email", self.email), ("username", self.username)) if v}
        if self.realm is not None:
            out["realm"] = self.realm
        return out

    def account(self, model: str) -> str:
        """The throttle key of the account these credentials name."""
        return account_key(model, self.email or self.username or "", self.realm)


def login_query(
    credentials: object, *, realm_required: bool = False, realm_delimiter: str | None = None
) -> LoginQuery:
    """LB3's normalizeCredentials and its checks, with its errors: REALM_REQUIRED,
    INVALID_REALM, USERNAME_EMAIL_REQUIRED, INVALID_USERNAME, INVALID_EMAIL (400 each). A value
    that is not a string (`{"neq": ""}`) never reaches the where."""
    creds: Mapping[str, Any] = credentials if isinstance(credentials, Mapping) else {}
    realm_required = realm_required or bool(realm_delimiter)
    email, username, realm = creds.get("email"), creds.get("username"), None
    field, value = ("email", email) if _truthy(email) else ("username", username)
    if not _truthy(value):
        field, value = "", None
    if realm_required:
        realm = creds.get("realm") if _truthy(creds.get("realm")) else None
        if isinstance(value, str) and realm_delimiter and realm_delimiter in value:
            prefix, value = value.split(realm_delimiter, 1)
            realm = prefix or realm
        if not _truthy(realm):
            raise _bad("realm is required", "REALM_REQUIRED")
        if not isinstance(realm, str):
            raise _bad("Invalid realm", "INVALID_REALM")
    if not _truthy(value):
        raise _bad("username or email is required", "USERNAME_EMAIL_REQUIRED")
    if not isinstance(value, str):
        raise _bad(f"Invalid {field}", f"INVALID_{field.upper()}")
    if field == "email":
        return LoginQuery(email=value, realm=realm)
    return LoginQuery(username=value, realm=realm)


async def check_login(
    user: Mapping[str, Any] | None,
    password: object,
    *,
    account: str,
    address: str | None = None,
    throttle: LoginThrottle | None = None,
    email_verification_required: bool = False,
    id_name: str = "id",
) -> str | None:
    """Whether PASSWORD opens USER's account (None: no such user). Raises 429 when throttled,
    LoginFailed (401) for every wrong answer, EmailNotVerified as LB3 after a right password.
    Answers the argon2id hash to store when the stored one should be replaced, else None."""
    if throttle is not None:
        await throttle.check(account=account, address=address)
    stored = user.get("password") if user is not None else None
    # the hashing runs in a thread (argon2 releases the GIL): the event loop keeps serving
    if user is None or not isinstance(password, str):
        await asyncio.to_thread(dummy_verify)
        verified_ok, needs_rehash = False, False
    else:
        known = stored if isinstance(stored, str) else None
        result = await asyncio.to_thread(verify_password, password, known)
        verified_ok, needs_rehash = result.ok, result.needs_rehash
    if not verified_ok:
        if throttle is not None:
            await throttle.failed(account=account, address=address)
        raise LoginFailed()
    assert user is not None and isinstance(password, str)
    if throttle is not None:
        await throttle.succeeded(account=account)
    if email_verification_required and not user.get("emailVerified"):
        raise EmailNotVerified(user.get(id_name))
    return await asyncio.to_thread(hash_password, password) if needs_rehash else None


def _truthy(value: object) -> bool:
    """JavaScript's truthiness, which LB3's checks use: "", 0, null and false are false; every
    object and array is true."""
    if value is None or value is False:
        return False
    if isinstance(value, str):
        return value != ""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return value == value and value != 0  # NaN is false
    return True


def _bad(message: str, code: str) -> BadRequest:
    return BadRequest(message, code=code)
