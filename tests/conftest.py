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
from tests.databases import BACKEND_PARAMS, TestDatabases, configured, missing

ROOT = Path(__file__).resolve().parent.parent


def pytest_report_header(config: pytest.Config) -> str:
    line = f"database backends: {', '.join(configured())}"
    if missing():
        line += f" (set {' and '.join(missing())} to run the others; see tests/databases.py)"
    return line


def pytest_configure(config: pytest.Config) -> None:
    config.addinivalue_line(
        "markers", "servers_only: runs on the database servers only (deselected for SQLite)"
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Tests of a backend whose server is not configured are deselected, not skipped: the one
    skip line of tests/test_backends.py says what to set."""
    available = set(configured())
    keep: list[pytest.Item] = []
    dropped: list[pytest.Item] = []
    for item in items:
        params = getattr(getattr(item, "callspec", None), "params", {})
        backends = {params[k] for k in BACKEND_PARAMS if k in params}
        unavailable = bool(backends - available)
        in_process = "sqlite" in backends and item.get_closest_marker("servers_only") is not None
        (dropped if unavailable or in_process else keep).append(item)
    if dropped:
        config.hook.pytest_deselected(items=dropped)
        items[:] = keep


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
