"""ACL enforcement over HTTP on every backend (tests/auth/acl_app.py, auth enabled by its boot
script): the oracle's Note rules ($everyone DENY, $authenticated READ, $owner WRITE, admin by
Role/RoleMapping rows, a property rule, a USER rule), a custom role resolver registered as LB3's
`Role.registerResolver`, `aclErrorStatus`, token scopes, an expired token, the path's id as the only
id, `Model.check_access` from a remote method, and the built-in RoleMapping refused to ordinary
callers: statuses and bodies are LB3 3.28's for the same app (tests/oracle/lb3-3.28/acl-http.json,
recorded by tests/oracle/lb3_acl_http.js), but for the DIFFERENCES. Then the ACL table."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from runtime.app import LoopBackApp
from runtime.auth.acl import ALLOW, DENY
from runtime.auth.rows import RowAccess
from runtime.context import Context, Principal
from tests.auth.acl_app import EXPIRED, REQUESTS, SCOPED, TOKENS, USER_IDS, add_token, make_app
from tests.databases import ALL_BACKENDS, TestDatabases
from tests.functional.library import app_on


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
        await add_token(app, SCOPED, 1, scopes=["reset-password"])
        await add_token(app, EXPIRED, 1, ttl=1, age=30)
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


ORACLE = Path(__file__).resolve().parents[1] / "oracle" / "lb3-3.28" / "acl-http.json"
# request index -> (our status, body, why): deliberate differences (docs/lb3-differences.md)
DIFFERENCES = {
    23: (200, [], "a model nothing restricts reads no token: a scoped one is not refused there"),
    29: (401, lb3_error(401), "RoleMapping declares no ACLs: LB3 lets anyone map themselves"),
    30: (401, lb3_error(401), "RoleMapping declares no ACLs: LB3 lists every mapping to anyone"),
}
WHOAMI = 24  # our whoami answers more than LB3's (scopes, userModel): compared on LB3's keys


def lb3_answers() -> list[dict[str, Any]]:
    answers: list[dict[str, Any]] = json.loads(ORACLE.read_text())["answers"]
    return answers


async def test_lb3_answers_in_order(client: httpx.AsyncClient) -> None:
    """Every request of tests/auth/acl_app.py's REQUESTS, in order (writes change what later ones
    see), answers LB3's status and body, but for the DIFFERENCES."""
    answers = lb3_answers()
    assert [(a["who"], a["verb"], a["path"]) for a in answers] == [r[:3] for r in REQUESTS]
    mismatches: list[tuple[Any, ...]] = []
    for index, case in enumerate(answers):
        response = await client.request(
            case["verb"], case["path"], json=case["body"], headers=case["headers"]
        )
        body: Any = response.json() if response.content else None
        if index in DIFFERENCES:
            status, expected, _ = DIFFERENCES[index]
            if response.status_code != status or body != expected:
                mismatches.append((index, case["path"], response.status_code, body))
            continue
        if index == WHOAMI:
            body = {k: body[k] for k in case["response"]}
        if (response.status_code, _comparable(body)) != (
            case["status"],
            _comparable(case["response"]),
        ):
            mismatches.append((index, case["path"], response.status_code, body, case["response"]))
    assert mismatches == []


def _comparable(body: Any) -> Any:
    """A body without its null properties (LB3's memory connector leaves unset ones out; SQL
    rows carry them as null)."""
    if isinstance(body, dict):
        return {k: _comparable(v) for k, v in body.items() if v is not None}
    if isinstance(body, list):
        return [_comparable(v) for v in body]
    return body


def test_models_without_acls_are_not_guarded(served: LoopBackApp) -> None:
    guarded = {(op.model.name, op.name) for op in served.operations() if op.guard is not None}
    assert ("Note", "find") in guarded and ("Member", "findById") in guarded
    assert not any(model == "Open" for model, _ in guarded)


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


async def test_row_access_for_calls_about_no_single_row(served: LoopBackApp) -> None:
    """The seam for `$owner` on list reads and bulk writes: which rows, not yes or no."""
    member = Principal(user_id=1, user_model="Member", access_token={"id": TOKENS["a"]})
    admin = Principal(user_id=4, user_model="Member", access_token={"id": TOKENS["admin"]})
    rows = served.auth.row_access
    assert await rows(Context(principal=member), "Note", "updateAll") == RowAccess(
        ALLOW, {"ownerId": 1}
    )
    assert await rows(Context(principal=admin), "Note", "updateAll") == RowAccess(ALLOW)
    assert await rows(Context(), "Note", "updateAll") == RowAccess(DENY)
