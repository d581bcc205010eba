"""The paths issue 12 says LB3 forgot, over HTTP on every backend, replayed from the real LB3 3.28
(tests/oracle/lb3_owner_probe.js -> tests/oracle/lb3-3.28/owner-probe.json): the same models, rows,
users and requests in the same order. Where LB3 answers safely we answer the same; where it leaks or
lets a caller write what is not theirs, the test says what we answer instead and why (each one is a
line of docs/lb3-differences.md)."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from runtime.app import LoopBackApp
from tests.auth.acl_app import add_token
from tests.auth.owner_app import MODELS, seed, serving
from tests.databases import ALL_BACKENDS, TestDatabases

PROBE = Path(__file__).resolve().parents[1] / "oracle" / "lb3-3.28" / "owner-probe.json"
RECORDED: dict[str, Any] = json.loads(PROBE.read_text("utf-8"))
TOKENS = {"alice": "a" * 64, "bob": "b" * 64, "carol": "c" * 64}
USER_IDS = {"alice": 1, "bob": 2, "carol": 3}


@pytest.fixture(scope="module", params=ALL_BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
async def served(
    owner_package: tuple[Any, dict[str, Any]], backend: str, databases: TestDatabases
) -> AsyncIterator[LoopBackApp]:
    app: LoopBackApp = owner_package[0].create_app(db_url=databases.fresh(backend))
    await seed(app)
    async with serving(app):
        for name, raw in TOKENS.items():
            await add_token(app, raw, USER_IDS[name])
        yield app


async def send(app: LoopBackApp, caller: str, verb: str, path: str, body: Any) -> httpx.Response:
    headers = {"Authorization": TOKENS[caller]} if caller in TOKENS else {}
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t/api") as http:
        return await http.request(verb, path, headers=headers, json=body)


def test_the_models_are_the_probes() -> None:
    assert json.loads(json.dumps(MODELS)) == RECORDED["models"]


ERROR = {"statusCode", "code", "message"}  # what the probe kept of LB3's error bodies

# index in the probe -> (our status, our body) where we answer otherwise than LB3 3.28, and why
OURS: dict[int, tuple[int, Any]] = {
    # $owner on a list is the caller's rows (LB3 refuses every list read allowed only by $owner)
    0: (200, [{"title": "a1", "ownerId": 1, "boardId": 1, "id": 1},
              {"title": "a2", "ownerId": 1, "boardId": 2, "id": 3}]),
    1: (200, {"count": 2}),
    2: (404, None),  # findOne: bob's b1 is not among alice's rows
    # a relation endpoint reads its targets through their ACLs (LB3 shows every child)
    7: (200, [{"title": "a1", "ownerId": 1, "boardId": 1, "id": 1}]),
    8: (200, {"count": 1}),
    9: (404, None),
    10: (401, None),
    # an include leaves out what the caller may not read (LB3 includes it)
    11: (200, [{"name": "home", "id": 1, "notes": [{"title": "a1", "ownerId": 1, "boardId": 1, "id": 1}]},
               {"name": "work", "id": 2, "notes": [{"title": "a2", "ownerId": 1, "boardId": 2, "id": 3}]}]),
    12: (200, [{"name": "home", "id": 1, "notes": []}, {"name": "work", "id": 2, "notes": []}]),
    13: (401, None),  # Secret: $everyone may not READ, through a relation neither
    14: (200, [{"name": "home", "id": 1, "secrets": []}, {"name": "work", "id": 2, "secrets": []}]),
    15: (200, {"title": "a1", "ownerId": 1, "boardId": 1, "id": 1}),  # Member: no `find` for alice
    16: (400, None),  # disableInclude: a 400 naming it (LB3 drops the key silently)
    # hidden properties are no where/order oracle: 400 (LB3 drops them from a where, obeys the order)
    18: (400, None),
    19: (400, None),
    20: (400, None),
    # `?id=1` (alice's note) does not make alice the owner of bob's rows: she updates none of them
    22: (200, {"count": 0}),
    23: (200, {"title": "b2 pwned", "ownerId": None, "boardId": None, "id": 5}),  # create: allowed
    # a body id is not the path's: patchOrCreate cannot be decided by $owner (LB3 reads body.id)
    25: (401, None),
    26: (200, [{"title": "a1", "ownerId": 1, "boardId": 1, "id": 1},
               {"title": "a2", "ownerId": 1, "boardId": 2, "id": 3}]),
    # the child keeps the path's parent (LB3 refuses with a 500)
    28: (200, {"title": "a1", "ownerId": 1, "boardId": 1, "id": 1}),
    29: (200, {"title": "a1", "ownerId": 1, "boardId": 1, "id": 1}),  # 25 did not patch it
    # Role, RoleMapping and ACL are not writable (nor readable) by ordinary users
    30: (401, None),
    31: (401, None),
    32: (401, None),
    33: (401, None),
}  # fmt: skip


def _same(status: int, body: Any, expected_status: int, expected: Any) -> bool:
    if status != expected_status:
        return False
    if isinstance(body, dict) and "error" in body:
        wanted = expected.get("error", {}) if isinstance(expected, dict) else {}
        return {k: body["error"].get(k) for k in ERROR} == {k: wanted.get(k) for k in ERROR}
    return expected is None or body == expected


async def test_lb3_probe_replayed(served: LoopBackApp) -> None:
    """Every request of the probe in its order (writes change what later reads see): LB3's answer,
    or ours where OURS says why it differs."""
    wrong = []
    for index, r in enumerate(RECORDED["requests"]):
        got = await send(served, r["caller"], r["verb"], r["path"], r["body"])
        if index in OURS:
            status, body = OURS[index]
            ok = got.status_code == status and (body is None or got.json() == body)
        else:
            ok = _same(got.status_code, got.json(), r["status"], r["response"])
        if not ok:
            wrong.append((index, r["caller"], r["verb"], r["path"], got.status_code, got.text))
    assert wrong == []
