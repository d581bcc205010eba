"""Mass assignment over HTTP on every backend: what a client may write to a user. LB3 3.28 lets an
owner PATCH `emailVerified: true`, choose its verification token, move to another realm and change
its password with a plain PATCH (tests/oracle/lb3-3.28/sessions.json); here those are the server's
(docs/lb3-differences.md)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import httpx
import pytest

from runtime.app import LoopBackApp
from tests.http.support import error

from .conftest import SECRET, column, login, member

ORACLE = Path(__file__).resolve().parents[2] / "oracle" / "lb3-3.28" / "sessions.json"
LB3 = {c["name"]: c for c in json.loads(ORACLE.read_text("utf-8"))}
REFUSED = {
    "statusCode": 401,
    "name": "Error",
    "message": "Changing user password via patch/replace API is not allowed. "
    "Use changePassword() or setPassword() instead.",
    "code": "PASSWORD_CHANGE_NOT_ALLOWED",
}


async def test_create_cannot_verify_or_choose_a_token(
    app: LoopBackApp, client: httpx.AsyncClient
) -> None:
    body = {"email": "c@example.com", "password": "x", "emailVerified": True,
            "verificationToken": "chosen", "realm": "r1"}  # fmt: skip
    created = await client.post("/Members", json=body)
    assert created.status_code == 200
    lb3 = LB3["create with emailVerified"]["response"]
    assert created.json()["emailVerified"] is lb3["emailVerified"] is False
    assert created.json()["realm"] == lb3["realm"] == "r1"  # a new user picks its realm
    assert await column(app, "Member", "verificationToken", 1) is None  # LB3 stores "chosen"
    # an array body, and a user created through a relation, alike
    many = [{**body, "email": "d@example.com"}]
    assert [u["emailVerified"] for u in (await client.post("/Members", json=many)).json()] == [
        False
    ]


UPDATES = [
    ("PATCH", "/Members/1", {}),
    ("PUT", "/Members/1", {"email": "a@example.com", "password": SECRET}),
    ("PATCH", "/Members", {"id": 1}),
    ("POST", "/Members/update?where[id]=1", {}),
    ("POST", "/Members/upsertWithWhere?where[id]=1", {"email": "a@example.com"}),
]
IDS = ["patch-attributes", "replace-by-id", "patch-or-create", "update-all", "upsert-with-where"]


@pytest.mark.parametrize(("verb", "path", "base"), UPDATES, ids=IDS)
async def test_no_write_changes_the_password(
    app: LoopBackApp, client: httpx.AsyncClient, verb: str, path: str, base: dict[str, Any]
) -> None:
    """LB3 changes it (a stolen session becomes a stolen account: no old password asked)."""
    await member(client)
    stored = await column(app, "Member", "password", 1)
    response = await client.request(verb, path, json={**base, "password": "changed"})
    assert error(response, 401) == REFUSED
    assert await column(app, "Member", "password", 1) == stored
    assert (await login(client))["userId"] == 1


@pytest.mark.parametrize(("verb", "path", "base"), UPDATES, ids=IDS)
async def test_server_properties_keep_their_values(
    app: LoopBackApp, client: httpx.AsyncClient, verb: str, path: str, base: dict[str, Any]
) -> None:
    await member(client, realm="home")
    await app.models["Member"].patch_attributes(1, {"verificationToken": "server-made"})
    base = {k: v for k, v in base.items() if k != "password"}
    sneaky = {"emailVerified": True, "verificationToken": "mine", "realm": "other", "nick": "n"}
    response = await client.request(verb, path, json={**base, **sneaky})
    if verb == "PUT" or "upsertWithWhere" in path:
        # LB3 validates these bodies whole: they need the password, which no update may carry
        assert error(response, 422)["details"]["codes"] == {"password": ["presence"]}
        return
    assert response.status_code == 200, response.text
    assert await column(app, "Member", "nick", 1) == "n"  # the rest of the write happened
    assert not await column(app, "Member", "emailVerified", 1)
    assert await column(app, "Member", "verificationToken", 1) == "server-made"
    assert await column(app, "Member", "realm", 1) == "home"


async def test_another_users_id_is_refused(app: LoopBackApp, client: httpx.AsyncClient) -> None:
    await member(client)
    await member(client, "b@example.com")
    response = await client.patch("/Members/1", json={"id": 2, "nick": "x"})
    assert error(response, 400)["message"] == LB3["patch id"]["response"]["error"]["message"]
    assert await column(app, "Member", "nick", 2) is None


async def test_python_code_may_set_them(app: LoopBackApp, client: httpx.AsyncClient) -> None:
    """Server code (no request context) is trusted: it verifies e-mails and sets passwords."""
    await member(client)
    await app.models["Member"].patch_attributes(1, {"emailVerified": True, "password": "server"})
    assert await column(app, "Member", "emailVerified", 1)
    ok = await client.post("/Members/login", json={"email": "a@example.com", "password": "server"})
    assert ok.status_code == 200
