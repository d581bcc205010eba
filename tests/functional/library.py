"""Fixtures for the tests of the library example (specs/library, compiled into generated/library):
one app per backend for the whole module, emptied around every test."""

from __future__ import annotations

from collections.abc import AsyncIterator, Callable
from contextlib import asynccontextmanager
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from generated.library import create_app
from runtime.app import LoopBackApp
from runtime.db import sync_engine
from tests.databases import ALL_BACKENDS, TestDatabases
from tests.http.conftest import empty


@pytest.fixture(scope="module", params=ALL_BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@asynccontextmanager
async def app_on(
    make_app: Callable[..., Any], backend: str, databases: TestDatabases
) -> AsyncIterator[tuple[LoopBackApp, sa.Engine]]:
    """An example app on a fresh database of BACKEND, with a sync engine for emptying it."""
    application: LoopBackApp = make_app(db_url=databases.fresh(backend))
    with sync_engine(application.db.url) as engine:
        yield application, engine
    await application.db.close()


@pytest.fixture(scope="module")
async def library(
    backend: str, databases: TestDatabases
) -> AsyncIterator[tuple[LoopBackApp, sa.Engine]]:
    async with app_on(create_app, backend, databases) as served:
        yield served


@pytest.fixture
def served(library: tuple[LoopBackApp, sa.Engine]) -> LoopBackApp:
    """The backend's library app, every table empty and every id counter back at 1."""
    application, engine = library
    empty(application, engine)
    return application


@pytest.fixture
async def client(served: LoopBackApp) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=served)
    async with httpx.AsyncClient(transport=transport, base_url="http://test/api") as http:
        yield http
