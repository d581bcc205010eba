"""The access-control tutorial app's truth table, per model: (principal x method x own/other row) ->
status, as LB3 3.28 answered it (tests/oracle/lb3-3.28/access-control.json), except where we differ
on purpose (tests/auth/access_control.py, docs/lb3-differences.md).

- `test_the_acls_decide_as_lb3`: the models' `acls` through the engine (runtime/auth) give LB3's
  allow/deny for every recorded call (no database, no HTTP).
- `test_truth_table`: the served app (generated/access_control, its boot scripts: enable_auth, the
  teamMember resolver, the sample data) answers every call over HTTP on every backend, each user
  logged in through `POST /api/users/login`; the data and tokens are made again after a write.
"""

from __future__ import annotations

import importlib.util
from collections.abc import AsyncIterator
from dataclasses import dataclass, field
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from generated.access_control import create_app
from runtime.app import LoopBackApp, load_document
from runtime.auth.acl import Decision
from runtime.auth.authorizer import Authorizer
from runtime.auth.owner import MemoryRows, OwnerCheck
from runtime.auth.roles import RoleRegistry, StaticRoles
from runtime.auth.subject import AccessContext
from runtime.context import Principal
from runtime.db import sync_engine
from tests.databases import ALL_BACKENDS, TestDatabases
from tests.functional.test_extensions import _lifespan
from tests.http.conftest import empty

from .access_control import (
    CASES,
    MODELS,
    PASSWORD,
    RECORDING,
    ROOT,
    USER_IDS,
    describe,
    expected,
)

APP_DIR = ROOT / "specs" / "access-control"
DOCUMENT = ROOT / "generated" / "access_control" / "openapi.yaml"
DENIED = ("AUTHORIZATION_REQUIRED", "ACCESS_DENIED")

# the sample data as rows, for the engine alone (specs/access-control/boot/sample_models.py)
ROWS = {
    "user": [{"id": 1}, {"id": 2}, {"id": 3}],
    "project": [{"id": 1, "ownerId": 1}, {"id": 2, "ownerId": 2}],
    "account": [{"id": 1, "userId": 1}, {"id": 2, "userId": 2}],
    "transaction": [
        {"id": i, "userId": u, "accountId": u} for i, u in ((1, 1), (2, 1), (3, 2), (4, 2))
    ],
    "bank": [{"id": 1}, {"id": 2}],
}
TEAMS = [("1", "1"), ("1", "2"), ("2", "2")]  # (ownerId, memberId)
USER_TABLES = {"user", "accesstoken"}  # kept by a reset after a write to another model (any case)


def engine_roles(models: dict[str, Any]) -> RoleRegistry:
    specs = OwnerCheck.for_models(models, lambda *a: False).specs
    mappings = StaticRoles.of(
        [{"id": "r1", "name": "admin"}],
        [{"roleId": "r1", "principalType": "USER", "principalId": "3"}],
    )
    roles = RoleRegistry(mappings, OwnerCheck(specs, MemoryRows(ROWS, specs)))

    def team_member(role: str, actx: AccessContext) -> bool:
        """The tutorial's resolver on the sample rows."""
        if actx.model != "project" or actx.user_id is None:
            return False
        project = next((p for p in ROWS["project"] if str(p["id"]) == str(actx.model_id)), None)
        return project is not None and (str(project["ownerId"]), str(actx.user_id)) in TEAMS

    roles.register_resolver("teamMember", team_member)
    return roles


def lb3_denied(case: dict[str, Any]) -> bool:
    error = (case["response"] or {}).get("error") if isinstance(case["response"], dict) else None
    return isinstance(error, dict) and error.get("code") in DENIED


async def test_the_acls_decide_as_lb3() -> None:
    """Every recorded call: the engine's decision from the document's ACLs is LB3's. LB3 reads
    withdraw's row from the body (`req.param('id')`); we pass only a path's id, so the owner's
    withdraw is the one call decided otherwise (a deliberate difference)."""
    document = load_document(DOCUMENT)
    authorizer = Authorizer(document, engine_roles(document["x-lb-models"]))
    wrong = []
    for case in CASES:
        uid = USER_IDS.get(case["principal"])
        principal = None if uid is None else Principal(uid, "user", {"id": f"t{uid}"})
        path_id = case["modelId"] if f"/{case['modelId']}" in case["url"] else None
        answer = authorizer.check(case["model"], case["method"], principal, model_id=path_id)
        decision = answer if isinstance(answer, Decision) else await answer
        want = not lb3_denied(case)
        if case["method"] == "withdraw" and case["status"] < 400:
            want = False  # the body's id is not read: see the docstring
        if decision.allowed != want:
            wrong.append(f"{describe(case)}: LB3 {case['status']}, engine {decision}")
    assert not wrong, "\n".join(wrong)


@dataclass
class Served:
    """The app on one backend, its HTTP client and each user's token."""

    app: LoopBackApp
    engine: sa.Engine
    client: httpx.AsyncClient
    tokens: dict[str, str] = field(default_factory=dict)
    logins: dict[str, Any] = field(default_factory=dict)

    async def reset(self, users_too: bool = True) -> None:
        """The sample data made again; with `users_too`, the users as well (a fresh database) and
        every user logged in over REST, else the users and their tokens are kept."""
        if not users_too:
            tables = self.app.metadata.sorted_tables
            keep = frozenset(t.name for t in tables if t.name.lower() in USER_TABLES)
            empty(self.app, self.engine, keep=keep)
            users = await self.app.models["user"].find({"order": "id ASC"})
            await SAMPLE_DATA.sample_rows(self.app, *users)
            return
        empty(self.app, self.engine)
        await SAMPLE_DATA.setup(self.app)
        for name in USER_IDS:
            await self.login(name)

    async def login(self, name: str) -> None:
        response = await self.client.post(
            "/api/users/login", json={"username": name, "password": PASSWORD}
        )
        assert response.status_code == 200, f"login {name}: {response.text}"
        self.logins[name] = response.json()
        self.tokens[name] = self.logins[name]["id"]

    async def after_write(self, case: dict[str, Any]) -> None:
        """Undo what a write may have changed: a logout spends one token, a deleted user takes
        the data with it; other writes change rows the sample data makes again (users kept, whose
        argon2 hashing would make every reset slow)."""
        if case["method"] == "logout":
            await self.login(case["principal"])
        else:
            await self.reset(users_too=case["model"] == "user" and case["method"] == "deleteById")


def _boot_script(name: str) -> Any:
    spec = importlib.util.spec_from_file_location(f"access_control_{name}", APP_DIR / "boot" / name)
    assert spec is not None and spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


SAMPLE_DATA = _boot_script("sample_models.py")


@pytest.fixture(scope="module", params=ALL_BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
async def served(backend: str, databases: TestDatabases) -> AsyncIterator[Served]:
    application = create_app(db_url=databases.fresh(backend))
    transport = httpx.ASGITransport(app=application)
    with sync_engine(application.db.url) as engine:
        async with (
            _lifespan(application),
            httpx.AsyncClient(transport=transport, base_url="http://test") as client,
        ):
            yield Served(application, engine, client)


def test_login_answers_as_lb3_did() -> None:
    assert [login["username"] for login in RECORDING["logins"]] == list(USER_IDS)


async def test_every_user_logs_in(served: Served) -> None:
    await served.reset()
    for login in RECORDING["logins"]:
        ours = served.logins[login["username"]]
        assert sorted(ours) == login["keys"]
        assert (ours["userId"], ours["ttl"]) == (login["userId"], login["ttl"])


@pytest.mark.parametrize("model", MODELS)
async def test_truth_table(served: Served, model: str) -> None:
    await served.reset()
    wrong = []
    for case in (c for c in CASES if c["model"] == model):
        want = expected(case)
        token = served.tokens.get(case["principal"])
        response = await served.client.request(
            case["verb"],
            case["url"],
            json=case["body"],
            headers={"Authorization": token} if token else {},
        )
        try:
            body = response.json() if response.content else None
        except ValueError:
            body = response.text
        if response.status_code != want.status or (want.body is not None and not want.body(body)):
            why = f" ({want.why})" if want.why else ""
            wrong.append(
                f"{describe(case)}: expected {want.status}{why}, LB3 {case['status']}; "
                f"got {response.status_code} {str(body)[:200]}"
            )
        if case["verb"] not in ("GET", "HEAD") and (response.status_code < 300 or case["reset"]):
            await served.after_write(case)
    assert not wrong, f"{len(wrong)} of the {model} calls:\n" + "\n".join(wrong)
