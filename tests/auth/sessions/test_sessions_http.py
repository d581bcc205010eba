"""logout, change-password, reset-password and a user's tokens over HTTP on every backend, with
LB3 3.28's answers (tests/oracle/lb3-3.28/sessions.json) where LB3 has one."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx

from runtime.app import LoopBackApp
from runtime.auth.tokens import hash_token_id
from runtime.auth.user_methods.session import create_token
from tests.http.support import error

from .conftest import SECRET, column, login, member, token_ids

ORACLE = Path(__file__).resolve().parents[2] / "oracle" / "lb3-3.28" / "sessions.json"
LB3 = {c["name"]: c for c in json.loads(ORACLE.read_text("utf-8"))}


def lb3_error(name: str) -> tuple[int, Any]:
    case = LB3[name]
    return case["status"], case["response"]["error"]


def bearer(token: dict[str, Any] | str) -> dict[str, str]:
    raw = token if isinstance(token, str) else token["id"]
    return {"Authorization": f"Bearer {raw}"}


async def test_logout_deletes_the_callers_token(
    app: LoopBackApp, client: httpx.AsyncClient
) -> None:
    await member(client)
    first, second = await login(client), await login(client)
    response = await client.post("/Members/logout", headers=bearer(first))
    assert response.status_code == LB3["logout"]["status"] == 204
    assert await token_ids(app) == [hash_token_id(second["id"])]
    status, body = lb3_error("logout again")
    assert error(await client.post("/Members/logout", headers=bearer(first)), status) == body


async def test_logout_without_a_token_is_lb3s_401(client: httpx.AsyncClient) -> None:
    status, body = lb3_error("logout anonymous")
    assert error(await client.post("/Members/logout"), status) == body


async def test_the_stored_hash_is_no_token(app: LoopBackApp, client: httpx.AsyncClient) -> None:
    """A copied AccessToken table gives nothing a client can present."""
    await member(client)
    token = await login(client)
    stored = hash_token_id(token["id"])
    status, body = lb3_error("logout anonymous")
    assert error(await client.post("/Members/logout", headers=bearer(stored)), status) == body
    principal = await app.principals.from_token_id(stored)  # type: ignore[union-attr]
    assert principal.user_id is None
    assert (await app.principals.from_token_id(token["id"])).user_id == 1  # type: ignore[union-attr]


async def test_change_password(app: LoopBackApp, client: httpx.AsyncClient) -> None:
    await member(client)
    calling, other = await login(client), await login(client)
    path, headers = "/Members/change-password", bearer(calling)
    wrong = await client.post(path, headers=headers, json={"oldPassword": "x", "newPassword": "n"})
    status, body = lb3_error("change-password wrong old")
    assert error(wrong, status) == body
    missing = await client.post(path, headers=headers, json={"oldPassword": SECRET})
    status, body = lb3_error("change-password missing new")
    assert error(missing, status) == body
    ok = await client.post(
        path, headers=headers, json={"oldPassword": SECRET, "newPassword": "n3w"}
    )
    assert ok.status_code == LB3["change-password ok"]["status"] == 204
    # the calling session stays, the others end (LB3's logoutSessionsOnSensitiveChanges)
    assert await token_ids(app) == [hash_token_id(calling["id"])]
    del other
    assert (await client.post("/Members/login", json={"email": "a@example.com", "password": "n3w"})).status_code == 200  # fmt: skip
    old = await client.post("/Members/login", json={"email": "a@example.com", "password": SECRET})
    assert error(old, 401)["code"] == "LOGIN_FAILED"


async def test_change_password_needs_a_token(client: httpx.AsyncClient) -> None:
    await member(client)
    body = {"oldPassword": SECRET, "newPassword": "n"}
    response = await client.post("/Members/change-password", json=body)
    status, expected = lb3_error("change-password anonymous")
    assert error(response, status) == expected


async def test_new_passwords_are_checked(client: httpx.AsyncClient) -> None:
    await member(client)
    headers = bearer(await login(client))
    long = {"oldPassword": SECRET, "newPassword": "x" * 4097}
    too_long = error(await client.post("/Members/change-password", headers=headers, json=long), 422)
    assert too_long["code"] == "PASSWORD_TOO_LONG"
    odd = {"oldPassword": SECRET, "newPassword": {"neq": ""}}
    assert error(await client.post("/Members/change-password", headers=headers, json=odd), 400)


async def test_reset_password_with_a_reset_token_spends_it(
    app: LoopBackApp, client: httpx.AsyncClient
) -> None:
    """A reset token (scope reset-password, as resetPassword issues them) sets the password once;
    every session of the user ends with it."""
    await member(client)
    session = await login(client)
    reset = await create_token(app.models["Member"], 1, 900, scopes=["reset-password"])
    path = "/Members/reset-password"
    response = await client.post(path, headers=bearer(reset), json={"newPassword": "r3set"})
    assert response.status_code == 204
    assert await token_ids(app) == []
    del session
    again = await client.post(path, headers=bearer(reset), json={"newPassword": "other"})
    status, body = lb3_error("reset-password anonymous")
    assert error(again, status) == body
    assert (await client.post("/Members/login", json={"email": "a@example.com", "password": "r3set"})).status_code == 200  # fmt: skip


async def test_reset_password_with_a_login_token(
    app: LoopBackApp, client: httpx.AsyncClient
) -> None:
    """As LB3 without restrictResetPasswordTokenScope: a logged-in user may set the password;
    its own session stays."""
    await member(client)
    session = await login(client)
    response = await client.post(
        "/Members/reset-password", headers=bearer(session), json={"newPassword": "r3set"}
    )
    assert response.status_code == LB3["reset-password ok"]["status"] == 204
    assert await token_ids(app) == [hash_token_id(session["id"])]


async def test_a_reset_token_opens_nothing_else(
    app: LoopBackApp, client: httpx.AsyncClient
) -> None:
    await member(client)
    app.enable_auth()
    reset = await create_token(app.models["Member"], 1, 900, scopes=["reset-password"])
    assert (await client.get("/Members/1", headers=bearer(reset))).status_code in (401, 403)
    assert (await client.post("/Members/logout", headers=bearer(reset))).status_code in (401, 403)
    session = await login(client)
    assert (await client.get("/Members/1", headers=bearer(session))).status_code == 200


async def test_with_auth_enabled_the_user_acls_apply(
    app: LoopBackApp, client: httpx.AsyncClient
) -> None:
    """User's own ACLs (login and logout for everyone, change-password for the authenticated)."""
    await member(client)
    app.enable_auth()
    token = await login(client)
    body = {"oldPassword": SECRET, "newPassword": "n"}
    anonymous = await client.post("/Members/change-password", json=body)
    status, expected = lb3_error("change-password anonymous")
    assert error(anonymous, status) == expected
    assert (await client.post("/Members/change-password", headers=bearer(token), json=body)).status_code == 204  # fmt: skip
    status, expected = lb3_error("logout anonymous")
    assert error(await client.post("/Members/logout"), status) == expected
    assert (await client.post("/Members/logout", headers=bearer(token))).status_code == 204


async def test_password_lives_only_as_a_hash(app: LoopBackApp, client: httpx.AsyncClient) -> None:
    await member(client)
    headers = bearer(await login(client))
    body = {"oldPassword": SECRET, "newPassword": "n3w"}
    assert (await client.post("/Members/change-password", headers=headers, json=body)).status_code == 204  # fmt: skip
    assert str(await column(app, "Member", "password", 1)).startswith("$argon2id$")


async def test_a_new_email_ends_the_other_sessions(
    app: LoopBackApp, client: httpx.AsyncClient
) -> None:
    """LB3's logoutSessionsOnSensitiveChanges: the session that changed it stays."""
    await member(client)
    calling, other = await login(client), await login(client)
    same = await client.patch(
        "/Members/1", headers=bearer(calling), json={"email": "a@example.com"}
    )
    assert same.status_code == 200 and len(await token_ids(app)) == 2
    changed = await client.patch(
        "/Members/1", headers=bearer(calling), json={"email": "n@example.com"}
    )
    assert changed.status_code == 200
    assert await token_ids(app) == [hash_token_id(calling["id"])]
    del other
