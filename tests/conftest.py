"""Shared fixtures: the generated Coffee Shop app on a fresh SQLite database per test, called in-process
through httpx's ASGI transport (the same ASGI app uvicorn serves), and the run's server databases
(tests/databases.py)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from generated.coffee_shop import create_app
from runtime.app import LoopBackApp
from tests.databases import TestDatabases, configured, missing

ROOT = Path(__file__).resolve().parent.parent


def pytest_report_header(config: pytest.Config) -> str:
    line = f"database backends: {', '.join(configured())}"
    if missing():
        line += f" (set {' and '.join(missing())} to run the others; see tests/databases.py)"
    return line


@pytest.fixture(scope="session")
def databases() -> Iterator[TestDatabases]:
    """This run's databases on the configured servers, dropped when the run ends."""
    created = TestDatabases()
    yield created
    created.drop_all()


@pytest.fixture
def app() -> Iterator[LoopBackApp]:
    application = create_app(db_url="sqlite://")
    yield application
    application.db.dispose()


@pytest.fixture
async def client(app: LoopBackApp) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test/api") as c:
        yield c
