"""Fixtures shared by the session tests: tests/auth/sessions/app.py served on every configured
backend (one app per backend and module, every table emptied before each test), and helpers."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from runtime.app import LoopBackApp
from runtime.db import sync_engine
from tests.auth.sessions.app import build_package
from tests.databases import ALL_BACKENDS, TestDatabases
from tests.http.conftest import empty

SECRET = "correct horse"


@pytest.fixture(scope="session")
def package(tmp_path_factory: pytest.TempPathFactory) -> Any:
    return build_package(tmp_path_factory.mktemp("sessions"))


@pytest.fixture(scope="module", params=ALL_BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
async def shared(
    backend: str, databases: TestDatabases, package: Any
) -> AsyncIterator[tuple[LoopBackApp, sa.Engine]]:
    application = package.create_app(db_url=databases.fresh(backend))
    with sync_engine(application.db.url) as engine:
        yield application, engine
    await application.db.close()


@pytest.fixture
def app(shared: tuple[LoopBackApp, sa.Engine]) -> Iterator[LoopBackApp]:
    application, engine = shared
    empty(application, engine)
    yield application
    application.auth.enabled = False  # a test that enabled auth leaves the next one without
    for op in application.operations():
        op.guard = None


@pytest.fixture
async def client(app: LoopBackApp) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test/api") as c:
        yield c


async def member(client: httpx.AsyncClient, email: str = "a@example.com", **more: Any) -> Any:
    response = await client.post("/Members", json={"email": email, "password": SECRET, **more})
    assert response.status_code == 200, response.text
    return response.json()


async def login(client: httpx.AsyncClient, email: str = "a@example.com", **more: Any) -> Any:
    body = {"email": email, "password": SECRET, **more}
    response = await client.post("/Members/login", json=body)
    assert response.status_code == 200, response.text
    return response.json()


async def column(app: LoopBackApp, model: str, prop: str, key: Any) -> Any:
    """A stored value, read past the API (hidden properties too)."""
    table = app.models[model].table
    async with app.db.read() as s:
        query = sa.select(table.column(prop)).where(table.column("id") == key)
        return await s.scalar(query)


async def token_ids(app: LoopBackApp) -> list[str]:
    table = app.models["AccessToken"].table
    async with app.db.read() as s:
        return sorted(str(r[0]) for r in await s.all(sa.select(table.column("id"))))
