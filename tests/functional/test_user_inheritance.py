"""LB3's User methods on sub-models of a User-based model (runtime/auth/user_methods/setup.py after
runtime/inheritance.py): a base's own replacement (`Member.login = fn` in its module) is what its
sub-models inherit, as LB3 copies a base's statics; a built-in is made anew for each model, so a
sub-model's login reads its own table, never its base's."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from runtime.app import LoopBackApp
from specgen.cli import compile_app, load_generated
from specgen.render import write_package
from tests.functional.test_extensions import _lifespan

MODELS: dict[str, dict[str, Any]] = {
    "member": {"name": "Member", "base": "User", "properties": {}},
    "staff": {"name": "Staff", "base": "Member", "properties": {}},
    "client": {"name": "Client", "base": "User", "properties": {}},
}
MEMBER_MODULE = """def setup(Member):
    def login(credentials, include=None, *, ctx=None):
        return {"id": "custom", "model": ctx.method.model.name}

    Member.login = login
"""


def make_app(tmp: Path) -> Any:
    app_dir = tmp / "users"
    (app_dir / "models").mkdir(parents=True)
    for file, model in MODELS.items():
        (app_dir / "models" / f"{file}.json").write_text(json.dumps(model), encoding="utf-8")
    (app_dir / "models" / "member.py").write_text(MEMBER_MODULE, encoding="utf-8")
    config = {"_meta": {"sources": ["./models"]}} | {
        m["name"]: {"dataSource": "db", "public": True} for m in MODELS.values()
    }
    (app_dir / "model-config.json").write_text(json.dumps(config), encoding="utf-8")
    sources = {"db": {"name": "db", "connector": "memory"}}
    (app_dir / "datasources.json").write_text(json.dumps(sources), encoding="utf-8")
    out = tmp / "gen" / "pkg_users"
    _, files, problems = compile_app(app_dir, out)
    assert not [p for p in problems if p.level == "error"], problems
    write_package(files, out)
    return load_generated(out)


@pytest.fixture(scope="module")
def package(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return make_app(tmp_path_factory.mktemp("user-inheritance"))


@pytest.fixture
async def client(package: Any) -> AsyncIterator[httpx.AsyncClient]:
    app: LoopBackApp = package.create_app(db_url="sqlite://")
    async with _lifespan(app):
        transport = httpx.ASGITransport(app=app)
        async with httpx.AsyncClient(transport=transport, base_url="http://t/api") as c:
            yield c


async def test_a_bases_replacement_is_inherited(client: httpx.AsyncClient) -> None:
    for plural in ("Members", "Staffs"):
        response = await client.post(f"/{plural}/login", json={"email": "a@b.c", "password": "x"})
        assert response.status_code == 200, response.text
        assert response.json()["id"] == "custom"
    assert response.json()["model"] == "Staff"  # the sub-model's own call


async def test_a_built_in_reads_the_models_own_table(client: httpx.AsyncClient) -> None:
    body = {"email": "c@example.com", "password": "secret"}
    assert (await client.post("/Clients", json=body)).status_code == 200
    response = await client.post("/Clients/login", json=body)
    assert response.status_code == 200, response.text
    token = response.json()
    assert token["userId"] == 1 and len(token["id"]) >= 22
    stranger = await client.post("/Clients/login", json={**body, "email": "s@example.com"})
    assert stranger.status_code == 401
