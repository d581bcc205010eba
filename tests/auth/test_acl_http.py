"""ACL enforcement over HTTP on every backend (tests/auth/acl_app.py, auth enabled by its boot
script): the oracle's Note rules ($everyone DENY, $authenticated READ, $owner WRITE, admin by
Role/RoleMapping rows, a property rule, a USER rule), a custom role resolver registered as LB3's
`Role.registerResolver`, `aclErrorStatus`, token scopes, the ACL table, the path's id as the only id,
`Model.check_access` from a remote method, and the built-in RoleMapping refused to ordinary callers.
Statuses and bodies are LB3 3.28's for the same app (`LB3_ANSWERS`, recorded with
tests/oracle/lb3_acl_http.js)."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest

from runtime.app import LoopBackApp
from runtime.context import Context
from tests.auth.acl_app import add_token, make_app
from tests.databases import ALL_BACKENDS, TestDatabases
from tests.functional.library import app_on

TOKENS = {"a": "A" * 64, "b": "B" * 64, "c": "C" * 64, "admin": "D" * 64}
USER_IDS = {"a": 1, "b": 2, "c": 3, "admin": 4}


def lb3_error(status: int) -> dict[str, Any]:
    messages = {
        401: ("Authorization Required", "AUTHORIZATION_REQUIRED"),
        403: ("Access Denied", "ACCESS_DENIED"),
    }
    message, code = messages[status]
    return {"error": {"statusCode": status, "name": "Error", "message": message, "code": code}}


@pytest.fixture(scope="module", params=ALL_BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return make_app(tmp_path_factory.mktemp("acl"), enable_auth=True)


@pytest.fixture(scope="module")
async def served(
    package: Any, backend: str, databases: TestDatabases
) -> AsyncIterator[LoopBackApp]:
    async with app_on(package.create_app, backend, databases) as (app, _):
        system = Context.for_system()
        for name in TOKENS:
            member = {"email": f"{name}@example.com", "password": "secret-1"}
            await app.models["Member"].create(member, ctx=system)
            await add_token(app, TOKENS[name], USER_IDS[name])
        role = await app.models["Role"].create({"name": "admin"}, ctx=system)
        mapping = {"roleId": role["id"], "principalType": "USER", "principalId": "4"}
        await app.models["RoleMapping"].create(mapping, ctx=system)
        await app.models["Note"].create({"title": "one", "ownerId": 1}, ctx=system)
        await app.models["Note"].create({"title": "two", "ownerId": 2}, ctx=system)
        await app.models["Memo"].create({"text": "m"}, ctx=system)
        yield app


@pytest.fixture
async def client(served: LoopBackApp) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=served)
    async with httpx.AsyncClient(transport=transport, base_url="http://t/api") as http:
        yield http


def auth(who: str | None) -> dict[str, str]:
    return {"Authorization": TOKENS[who]} if who else {}


# (who, verb, path, body) -> LB3's status; a denial's body is LB3's for that status
LB3_ANSWERS: list[tuple[str | None, str, str, Any, int]] = [
    (None, "GET", "/Notes", None, 401),
    ("a", "GET", "/Notes", None, 200),
    ("c", "GET", "/Notes", None, 401),  # USER 3 DENY find
    ("c", "GET", "/Notes/1", None, 200),
    (None, "GET", "/Notes/count", None, 200),  # property rule: $everyone ALLOW count
    (None, "GET", "/Notes/1", None, 401),
    ("a", "PATCH", "/Notes/1", {"title": "mine"}, 200),
    ("a", "PATCH", "/Notes/2", {"title": "theirs"}, 401),
    ("a", "PATCH", "/Notes/2?id=1", {"title": "theirs"}, 401),  # only the path's id counts
    ("admin", "PATCH", "/Notes/2", {"title": "admin"}, 200),  # admin through RoleMapping
    ("a", "POST", "/Notes", {"title": "new"}, 401),  # $owner needs a row id
    ("a", "DELETE", "/Notes/2", None, 401),
    (None, "GET", "/Memos", None, 401),
    ("a", "GET", "/Memos", None, 403),  # aclErrorStatus 403 once a token is valid
    ("b", "GET", "/Memos", None, 200),  # teamMember: the app's resolver
    (None, "GET", "/Members/1", None, 401),
    ("a", "GET", "/Members/1", None, 200),  # User's $owner findById
    ("b", "GET", "/Members/1", None, 401),
    (None, "GET", "/Opens", None, 200),  # no ACLs
    (
        "a",
        "POST",
        "/RoleMappings",
        {"roleId": "1", "principalType": "USER", "principalId": "1"},
        401,
    ),
    ("admin", "GET", "/RoleMappings", None, 401),
]


@pytest.mark.parametrize(
    ("who", "verb", "path", "body", "status"),
    LB3_ANSWERS,
    ids=[f"{w or 'anon'}-{v}-{p}" for w, v, p, _, _ in LB3_ANSWERS],
)
async def test_statuses_and_bodies(
    client: httpx.AsyncClient, who: str | None, verb: str, path: str, body: Any, status: int
) -> None:
    response = await client.request(verb, path, json=body, headers=auth(who))
    assert response.status_code == status, response.text
    if status in (401, 403):
        assert response.json() == lb3_error(status)


def test_models_without_acls_are_not_guarded(served: LoopBackApp) -> None:
    guarded = {(op.model.name, op.name) for op in served.operations() if op.guard is not None}
    assert ("Note", "find") in guarded and ("Member", "findById") in guarded
    assert not any(model == "Open" for model, _ in guarded)


async def test_scopes_restrict_a_token(client: httpx.AsyncClient, served: LoopBackApp) -> None:
    """A token whose scopes do not include the method's (LB3's DEFAULT) is denied."""
    await add_token(served, "R" * 64, 1, scopes=["reset-password"])
    response = await client.get("/Notes", headers={"Authorization": "R" * 64})
    assert response.status_code == 401
    assert response.json() == lb3_error(401)


async def test_an_expired_token_on_a_guarded_call(
    client: httpx.AsyncClient, served: LoopBackApp
) -> None:
    await add_token(served, "X" * 64, 1, ttl=1, age=30)
    response = await client.get("/Notes", headers={"Authorization": "X" * 64})
    assert response.status_code == 401
    assert response.json()["error"]["code"] == "INVALID_TOKEN"


async def test_check_access_from_a_remote_method(client: httpx.AsyncClient) -> None:
    answers = {}
    for who, note in (("a", 1), ("a", 2), ("admin", 2), (None, 1)):
        response = await client.get(f"/Opens/mayDeleteNote?id={note}", headers=auth(who))
        assert response.status_code == 200, response.text
        answers[(who, note)] = response.json()["allowed"]
    assert answers == {("a", 1): True, ("a", 2): False, ("admin", 2): True, (None, 1): False}


async def test_python_callers_are_not_checked(served: LoopBackApp) -> None:
    notes = served.models["Note"]
    assert await notes.check_access(None, "deleteById", 2)
    assert await notes.count(ctx=Context.for_system()) >= 2


async def test_acl_table_rows_apply_and_reload(
    client: httpx.AsyncClient, served: LoopBackApp
) -> None:
    """A row written to the ACL table takes effect on the next request, and its removal too."""
    acl = served.models["ACL"]
    system = Context.for_system()
    assert (await client.get("/Opens")).status_code == 200
    row = await acl.create(
        {"model": "Open", "property": "find", "accessType": "READ", "principalType": "ROLE",
         "principalId": "$unauthenticated", "permission": "DENY"},
        ctx=system,
    )  # fmt: skip
    try:
        response = await client.get("/Opens")
        assert response.status_code == 401
        assert response.json() == lb3_error(401)
        assert (await client.get("/Opens", headers=auth("a"))).status_code == 200
    finally:
        await acl.destroy_by_id(row["id"], ctx=system)
    assert (await client.get("/Opens")).status_code == 200
    guarded = {(op.model.name, op.name) for op in served.operations() if op.guard is not None}
    assert ("Open", "find") not in guarded
