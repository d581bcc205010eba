"""Fixtures of the HTTP compatibility suite: one app per database backend for the whole run, emptied
around every test, and the four Coffee Shops every LB3 probe was seeded with (/tmp/lb3-observations.md,
ids 1..4 in this order). Every test in tests/http runs once per configured backend."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from generated.coffee_shop import create_app
from runtime.app import LoopBackApp
from runtime.db import sync_engine
from tests.databases import ALL_BACKENDS, TestDatabases

SEED: list[dict[str, Any]] = [
    {"name": "Bel Cafe", "city": "Paris"},
    {"name": "Three Bees", "city": "Rome"},
    {"name": "Zoo Coffee", "city": "Paris"},
    {"name": "Angel", "city": "London"},
]
SHOPS: list[dict[str, Any]] = [{**shop, "id": i} for i, shop in enumerate(SEED, start=1)]


@pytest.fixture(scope="session", params=ALL_BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="session")
async def shared_app(
    backend: str, databases: TestDatabases
) -> AsyncIterator[tuple[LoopBackApp, sa.Engine]]:
    application = create_app(db_url=databases.url(backend))
    with sync_engine(application.db.url) as engine:
        yield application, engine
    await application.db.close()


def empty(application: LoopBackApp, engine: sa.Engine, keep: frozenset[str] = frozenset()) -> None:
    """Every table empty and every id counter back at 1: a fresh database, without the quarter
    second that building the app takes. Tables named in `keep` keep their rows."""
    tables = [t for t in reversed(application.metadata.sorted_tables) if t.name not in keep]
    backend = application.db.backend
    if backend == "sqlite":
        # an in-memory database lives on the app's one connection
        with application.db.engine.begin() as conn:  # type: ignore[attr-defined]
            for table in tables:
                conn.execute(table.delete())
            if sa.inspect(conn).has_table("sqlite_sequence"):
                emptied: sa.BindParameter[list[str]] = sa.bindparam(
                    "names", [t.name for t in tables], expanding=True
                )
                conn.execute(
                    sa.text("DELETE FROM sqlite_sequence WHERE name IN :names").bindparams(emptied)
                )
        return
    with engine.begin() as conn:
        names = ", ".join(conn.dialect.identifier_preparer.format_table(t) for t in tables)
        if backend == "postgresql":
            conn.execute(sa.text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
            return
        for table in tables:
            conn.execute(table.delete())
            name = conn.dialect.identifier_preparer.format_table(table)
            conn.execute(sa.text(f"ALTER TABLE {name} AUTO_INCREMENT = 1"))


@pytest.fixture
def app(shared_app: tuple[LoopBackApp, sa.Engine]) -> Iterator[LoopBackApp]:
    """Overrides the per-test app of tests/conftest.py with the backend's shared one, emptied."""
    application, engine = shared_app
    empty(application, engine)
    yield application


@pytest.fixture
async def seeded(client: httpx.AsyncClient) -> httpx.AsyncClient:
    """The client, with CoffeeShops 1..4 stored."""
    response = await client.post("/CoffeeShops", json=SEED)
    assert response.status_code == 200, response.text
    assert response.json() == SHOPS
    return client
