"""POST /<Users>/login over HTTP on every backend: LB3 3.28's answers
(tests/oracle/lb3-3.28/sessions.json, recorded by tests/oracle/lb3_session_probe.js), the token
stored only by its hash, the settings a login reads, bcrypt hashes upgraded, and the throttle."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from runtime.app import LoopBackApp
from runtime.auth.tokens import hash_token_id
from tests.http.support import error

from .conftest import SECRET, column, login, member, token_ids

ORACLE = Path(__file__).resolve().parents[2] / "oracle" / "lb3-3.28" / "sessions.json"
LB3 = {c["name"]: c for c in json.loads(ORACLE.read_text("utf-8"))}
TOKEN_KEYS = ["id", "ttl", "created", "userId"]
# LB3 3.28's bcryptjs hash of "secret" (tests/oracle/lb3-3.28/auth.md)
LB3_BCRYPT = "$2a$10$7YLpX0H2xfqjBrfzx8ePxu4bAZjRwfvqmnjXX5azmWvM7TIW55a4y"


def lb3(name: str) -> tuple[int, Any]:
    return LB3[name]["status"], LB3[name]["response"]


async def test_login_answers_a_token_stored_only_by_its_hash(
    app: LoopBackApp, client: httpx.AsyncClient
) -> None:
    await member(client)
    token = await login(client)
    status, body = lb3("login by email")
    assert status == 200
    assert list(token) == list(body) == TOKEN_KEYS
    assert (token["ttl"], token["userId"]) == (body["ttl"], body["userId"])
    assert len(token["id"]) == 64 and token["id"].isalnum()
    assert token["created"].endswith("Z")
    assert await token_ids(app) == [hash_token_id(token["id"])]  # never the id itself
    again = await login(client)
    assert again["id"] != token["id"]


async def test_login_by_username_and_include_user(client: httpx.AsyncClient) -> None:
    await member(client, username="bob")
    by_name = await client.post("/Members/login", json={"username": "bob", "password": SECRET})
    assert by_name.status_code == lb3("login by username")[0] == 200
    for include in ("user", "USER"):
        response = await client.post(
            f"/Members/login?include={include}", json={"email": "a@example.com", "password": SECRET}
        )
        body = response.json()
        assert list(body) == list(lb3(f"login include={include}")[1]) == [*TOKEN_KEYS, "user"]
        assert body["user"]["email"] == "a@example.com" and body["user"]["id"] == 1
        assert "password" not in body["user"] and "verificationToken" not in body["user"]


@pytest.mark.parametrize(
    ("case", "body"),
    [
        ("login wrong password", {"email": "a@example.com", "password": "nope"}),
        ("login unknown", {"email": "x@example.com", "password": SECRET}),
        ("login no password", {"email": "a@example.com"}),
        ("login wrong password", {"email": "a@example.com", "password": {"neq": ""}}),
        ("login wrong password", {"email": "a@example.com", "password": 5}),
        ("login empty", {}),
        ("login email object", {"email": {"neq": ""}, "password": "x"}),
        ("login array body", [1]),
    ],
)
async def test_refused_logins_answer_as_lb3(
    client: httpx.AsyncClient, case: str, body: Any
) -> None:
    """An unknown user, a wrong password and a password that is no string: one answer."""
    await member(client)
    status, expected = lb3(case)
    response = await client.post("/Members/login", json=body)
    assert error(response, status) == expected["error"]


async def test_no_body_is_lb3s_400(client: httpx.AsyncClient) -> None:
    status, expected = lb3("login no body")
    assert error(await client.post("/Members/login"), status) == expected["error"]


@pytest.mark.parametrize(
    ("ttl", "expected"),
    [(60, 60), ("100", 100), (0, 1209600), (None, 1209600), (10**12, 31556926)],
)
async def test_ttl_within_max_ttl(client: httpx.AsyncClient, ttl: Any, expected: int) -> None:
    await member(client)
    assert (await login(client, ttl=ttl))["ttl"] == expected


@pytest.mark.parametrize("ttl", [-1, -5, "abc", 1.5, True, {"a": 1}, [5], 2**60])
async def test_absurd_ttl_is_a_400(client: httpx.AsyncClient, ttl: Any) -> None:
    """LB3 stores these and then answers 500 (or crashes): tests/oracle/lb3-3.28/auth.md."""
    await member(client)
    body = {"email": "a@example.com", "password": SECRET, "ttl": ttl}
    assert error(await client.post("/Members/login", json=body), 400)["code"] == "INVALID_TTL"


async def agent(app: LoopBackApp, client: httpx.AsyncClient, verified: bool = True) -> None:
    body = {"email": "Ann@Example.com", "password": SECRET, "realm": "north"}
    assert (await client.post("/Agents", json=body)).status_code == 200
    if verified:  # only the server sets it (a client's emailVerified is refused)
        await app.models["Agent"].patch_attributes(1, {"emailVerified": True})


async def test_the_settings_a_login_reads(app: LoopBackApp, client: httpx.AsyncClient) -> None:
    """Agent: realmRequired, emailVerificationRequired, allowEternalTokens, maxTTL 7200,
    caseSensitiveEmail false (the e-mail is stored and searched in lower case)."""
    await agent(app, client, verified=False)
    assert await column(app, "Agent", "email", 1) == "ann@example.com"
    creds: dict[str, Any] = {"email": "ANN@example.com", "password": SECRET}
    no_realm = error(await client.post("/Agents/login", json=creds), 400)
    assert no_realm == {"statusCode": 400, "name": "Error", "message": "realm is required",
                        "code": "REALM_REQUIRED"}  # fmt: skip
    creds["realm"] = "north"
    unverified = error(await client.post("/Agents/login", json=creds), 401)
    assert unverified["code"] == "LOGIN_FAILED_EMAIL_NOT_VERIFIED"
    assert unverified["details"] == {"userId": 1}
    wrong = error(await client.post("/Agents/login", json={**creds, "password": "x"}), 401)
    assert wrong["code"] == "LOGIN_FAILED"  # the verification is told only after the password
    await app.models["Agent"].patch_attributes(1, {"emailVerified": True})
    answers = [await client.post("/Agents/login", json={**creds, "ttl": t}) for t in (-1, 10**6)]
    assert [a.json()["ttl"] for a in answers] == [-1, 7200]
    other_realm = await client.post("/Agents/login", json={**creds, "realm": "south"})
    assert error(other_realm, 401)["code"] == "LOGIN_FAILED"


async def test_an_lb3_bcrypt_hash_logs_in_and_is_replaced(
    app: LoopBackApp, client: httpx.AsyncClient
) -> None:
    await member(client)
    table = app.models["Member"].table
    async with app.db.write() as s:
        await s.run(sa.update(table.table).values({table.column("password"): LB3_BCRYPT}))
    refused = await client.post("/Members/login", json={"email": "a@example.com", "password": "x"})
    assert error(refused, 401)["code"] == "LOGIN_FAILED"
    assert await column(app, "Member", "password", 1) == LB3_BCRYPT
    ok = await client.post("/Members/login", json={"email": "a@example.com", "password": "secret"})
    assert ok.status_code == 200
    stored = await column(app, "Member", "password", 1)
    assert stored.startswith("$argon2id$")
    again = await client.post(
        "/Members/login", json={"email": "a@example.com", "password": "secret"}
    )
    assert again.status_code == 200


async def test_new_passwords_are_argon2id(app: LoopBackApp, client: httpx.AsyncClient) -> None:
    await member(client)
    assert (await column(app, "Member", "password", 1)).startswith(
        "$argon2id$v=19$m=19456,t=2,p=1$"
    )


async def test_failures_are_throttled_per_account(client: httpx.AsyncClient) -> None:
    """tests/auth/sessions/app.py's config.json: 3 failures per account, 6 per address, in 600 s."""
    await member(client)
    await member(client, "b@example.com")
    wrong = {"email": "a@example.com", "password": "nope"}
    for _ in range(3):
        assert (await client.post("/Members/login", json=wrong)).status_code == 401
    throttled = await client.post("/Members/login", json=wrong)
    assert error(throttled, 429)["code"] == "LOGIN_THROTTLED"
    assert 590 <= int(throttled.headers["retry-after"]) <= 600
    right = {"email": "a@example.com", "password": SECRET}
    assert (await client.post("/Members/login", json=right)).status_code == 429  # even so
    # another account from the same address still logs in (3 of its 6 failures used)
    assert (await login(client, "b@example.com"))["userId"] == 2
    unknown = {"email": "nobody@example.com", "password": "x"}
    answers = [(await client.post("/Members/login", json=unknown)).status_code for _ in range(4)]
    assert answers == [401, 401, 401, 429]  # the address's sixth failure was the third here


async def test_a_success_forgives_the_account(client: httpx.AsyncClient) -> None:
    await member(client)
    wrong = {"email": "a@example.com", "password": "nope"}
    for _ in range(2):
        await client.post("/Members/login", json=wrong)
    await login(client)
    for _ in range(2):
        assert (await client.post("/Members/login", json=wrong)).status_code == 401
