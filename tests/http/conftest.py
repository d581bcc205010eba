"""Fixtures of the HTTP compatibility suite: one app for the whole suite, emptied around every test,
and the four Coffee Shops every LB3 probe was seeded with (/tmp/lb3-observations.md, ids 1..4 in
this order)."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from generated.coffee_shop import create_app
from runtime.app import LoopBackApp

SEED: list[dict[str, Any]] = [
    {"name": "Bel Cafe", "city": "Paris"},
    {"name": "Three Bees", "city": "Rome"},
    {"name": "Zoo Coffee", "city": "Paris"},
    {"name": "Angel", "city": "London"},
]
SHOPS: list[dict[str, Any]] = [{**shop, "id": i} for i, shop in enumerate(SEED, start=1)]


@pytest.fixture(scope="session")
def shared_app() -> Iterator[LoopBackApp]:
    application = create_app(db_url="sqlite://")
    yield application
    application.db.dispose()


def empty(application: LoopBackApp) -> None:
    """Every table empty and every id counter back at 1: a fresh database, without the quarter
    second that building the app takes."""
    with application.db.engine.begin() as conn:
        for table in reversed(application.metadata.sorted_tables):
            conn.execute(table.delete())
        if sa.inspect(conn).has_table("sqlite_sequence"):
            conn.execute(sa.text("DELETE FROM sqlite_sequence"))


@pytest.fixture
def app(shared_app: LoopBackApp) -> Iterator[LoopBackApp]:
    """Overrides the per-test app of tests/conftest.py with the shared one, emptied."""
    empty(shared_app)
    yield shared_app
    empty(shared_app)


@pytest.fixture
async def seeded(client: httpx.AsyncClient) -> httpx.AsyncClient:
    """The client, with CoffeeShops 1..4 stored."""
    response = await client.post("/CoffeeShops", json=SEED)
    assert response.status_code == 200, response.text
    assert response.json() == SHOPS
    return client
