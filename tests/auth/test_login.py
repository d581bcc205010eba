"""The login decision: LB3's credential checks and errors (tests/oracle/lb3-3.28/auth.md), the same
401 for an unknown user and a wrong password, rehashing of LB3's bcrypt hashes, and the throttle
in front (on SQLite, PostgreSQL and MariaDB)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import pytest

from runtime.auth.login import (
    EmailNotVerified,
    LoginFailed,
    LoginQuery,
    check_login,
    login_query,
)
from runtime.auth.passwords import hash_password, verify_password
from runtime.auth.throttle import LoginThrottle, ThrottleSettings, TooManyRequests
from runtime.db import Database, open_database
from runtime.errors import LoopBackError
from tests.databases import ALL_BACKENDS, TestDatabases

LB3_SECRET = (
    "$2a$10$7YLpX0H2xfqjBrfzx8ePxu4bAZjRwfvqmnjXX5azmWvM7TIW55a4y"  # "secret", LB3 bcryptjs
)

# ---- credentials ----------------------------------------------------------------------------------


@pytest.mark.parametrize(
    ("credentials", "expected"),
    [
        ({"email": "a@example.com", "password": "x"}, LoginQuery(email="a@example.com")),
        ({"username": "ann", "password": "x"}, LoginQuery(username="ann")),
        ({"email": "", "username": "ann"}, LoginQuery(username="ann")),  # "" is falsy in LB3
        ({"email": "a@example.com", "username": "ann"}, LoginQuery(email="a@example.com")),
    ],
)
def test_who_the_credentials_name(credentials: dict[str, Any], expected: LoginQuery) -> None:
    assert login_query(credentials) == expected


@pytest.mark.parametrize(
    ("credentials", "code", "message"),
    [
        ({"password": "x"}, "USERNAME_EMAIL_REQUIRED", "username or email is required"),
        ({"email": "", "username": 0}, "USERNAME_EMAIL_REQUIRED", "username or email is required"),
        ({"email": {"neq": ""}}, "INVALID_EMAIL", "Invalid email"),
        ({"email": ["a@example.com"]}, "INVALID_EMAIL", "Invalid email"),
        ({"username": {"like": "%"}}, "INVALID_USERNAME", "Invalid username"),
        ({"username": 5}, "INVALID_USERNAME", "Invalid username"),
        ("not an object", "USERNAME_EMAIL_REQUIRED", "username or email is required"),
    ],
)
def test_credentials_lb3_refuses(credentials: object, code: str, message: str) -> None:
    with pytest.raises(LoopBackError) as caught:
        login_query(credentials)
    assert caught.value.body() == {
        "error": {"statusCode": 400, "name": "Error", "message": message, "code": code}
    }


def test_realms() -> None:
    assert login_query(
        {"email": "a@example.com", "realm": "shop"}, realm_required=True
    ) == LoginQuery(email="a@example.com", realm="shop")
    with pytest.raises(LoopBackError, match="realm is required"):
        login_query({"email": "a@example.com"}, realm_required=True)
    with pytest.raises(LoopBackError, match="Invalid realm"):
        login_query({"email": "a@example.com", "realm": {"neq": ""}}, realm_required=True)
    # realmDelimiter: "shop:ann" is user ann in realm shop (and implies realmRequired)
    assert login_query({"username": "shop:ann"}, realm_delimiter=":") == LoginQuery(
        username="ann", realm="shop"
    )
    assert login_query({"username": ":ann", "realm": "other"}, realm_delimiter=":") == LoginQuery(
        username="ann", realm="other"
    )
    assert LoginQuery(username="ann", realm="shop").where() == {"username": "ann", "realm": "shop"}
    assert LoginQuery(email="a@example.com").where() == {"email": "a@example.com"}
    assert LoginQuery(email="A@example.com").account("User") == LoginQuery(
        email="a@example.com"
    ).account("User")


# ---- the password check (no throttle) --------------------------------------------------------------

ANN = {
    "id": 7,
    "email": "a@example.com",
    "password": hash_password("secret"),
    "emailVerified": True,
}
ACCOUNT = LoginQuery(email="a@example.com").account("User")


async def test_right_password() -> None:
    assert await check_login(ANN, "secret", account=ACCOUNT) is None  # argon2id: nothing to redo


@pytest.mark.parametrize(
    ("user", "password"),
    [(ANN, "wrong"), (None, "secret"), (ANN, {"neq": ""}), (ANN, None), ({"id": 8}, "secret")],
)
async def test_every_wrong_answer_is_the_same_401(
    user: dict[str, Any] | None, password: object
) -> None:
    with pytest.raises(LoginFailed) as caught:
        await check_login(user, password, account=ACCOUNT)
    assert caught.value.body() == {
        "error": {
            "statusCode": 401,
            "name": "Error",
            "message": "login failed",
            "code": "LOGIN_FAILED",
        }
    }


async def test_an_lb3_bcrypt_hash_is_replaced_by_argon2id() -> None:
    legacy = {**ANN, "password": LB3_SECRET}
    new_hash = await check_login(legacy, "secret", account=ACCOUNT)
    assert new_hash is not None and new_hash.startswith("$argon2id$")
    assert verify_password("secret", new_hash).ok
    with pytest.raises(LoginFailed):
        await check_login(legacy, "Secret", account=ACCOUNT)


async def test_email_verification_required() -> None:
    unverified = {**ANN, "emailVerified": False}
    with pytest.raises(EmailNotVerified) as caught:
        await check_login(unverified, "secret", account=ACCOUNT, email_verification_required=True)
    assert caught.value.body()["error"] == {
        "statusCode": 401,
        "name": "Error",
        "message": "login failed as the email has not been verified",
        "code": "LOGIN_FAILED_EMAIL_NOT_VERIFIED",
        "details": {"userId": 7},
    }
    with pytest.raises(LoginFailed):  # a wrong password says nothing about verification
        await check_login(unverified, "wrong", account=ACCOUNT, email_verification_required=True)
    assert (
        await check_login(ANN, "secret", account=ACCOUNT, email_verification_required=True) is None
    )


# ---- with the throttle, on every backend ------------------------------------------------------------


@pytest.fixture(params=ALL_BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def db(backend: str, databases: TestDatabases, tmp_path: Path) -> AsyncIterator[Database]:
    url = f"sqlite:///{tmp_path}/login.sqlite" if backend == "sqlite" else databases.fresh(backend)
    database = open_database(url)
    yield database
    await database.close()


async def test_unknown_users_and_wrong_passwords_count_alike(db: Database) -> None:
    throttle = LoginThrottle.create(db, ThrottleSettings(account_failures=3, address_failures=50))
    ghost = LoginQuery(email="ghost@example.com").account("User")

    async def attempt(
        user: dict[str, Any] | None, password: object, account: str = ACCOUNT
    ) -> None:
        await check_login(user, password, account=account, address="203.0.113.7", throttle=throttle)

    with pytest.raises(LoginFailed):
        await attempt(ANN, "wrong")
    await attempt(ANN, "secret")  # success forgives the account
    for password in ("wrong", "guess", {"neq": ""}):
        with pytest.raises(LoginFailed):
            await attempt(ANN, password)
    with pytest.raises(TooManyRequests):  # even the right password waits now
        await attempt(ANN, "secret")
    for _ in range(3):
        with pytest.raises(LoginFailed):
            await attempt(None, "secret", ghost)
    with pytest.raises(TooManyRequests) as caught:  # the same limit as a real account
        await attempt(None, "secret", ghost)
    assert caught.value.retry_after > 0
