"""Shared fixtures: the generated Coffee Shop app on a fresh SQLite database per test, called in-process
through httpx's ASGI transport (the same ASGI app uvicorn serves)."""

from __future__ import annotations

from collections.abc import AsyncIterator, Iterator
from pathlib import Path

import httpx
import pytest

from generated.coffee_shop import create_app
from runtime.app import LoopBackApp

ROOT = Path(__file__).resolve().parent.parent


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
