"""SQL statements one request of each scenario runs, on both servers.

Ours: an in-process app (`create_app(db_url)` of generated.coffee_shop on the database the served
one used) with a SQLAlchemy `before_cursor_execute` listener on its engine, one request per scenario
through httpx.ASGITransport. The served process runs the same code, so its counts are the same;
counting in-process keeps the measured server free of instrumentation. BEGIN/COMMIT are not cursor
executions, so they are not counted (asyncpg's are client-side anyway).

LB3: bench/lb3/server.js counts its connector's executeSQL calls (PostgreSQL) or CRUD calls (memory
connector: no SQL) and answers the running total at /__bench/statements; one request's count is the
difference of two readings.

Both run after the load, when the tables are the same on both servers again (create has run on
both), and count the first request of each scenario, the one the probe compared.
"""

from __future__ import annotations

import asyncio
import warnings
from dataclasses import dataclass
from typing import Any

import httpx
import sqlalchemy as sa

from runtime.db import ServerDatabase, SqliteDatabase

from .dataset import Dataset
from .scenarios import Call, Scenario, calls
from .seed import request_json


@dataclass(frozen=True)
class Count:
    """The statements of one request, and its HTTP status (a 4xx count is not a real figure)."""

    statements: int
    status: int
    kind: str = "sql"  # "sql", or "connector calls" for LB3's memory connector

    @property
    def ok(self) -> bool:
        return 200 <= self.status < 300

    def as_dict(self) -> dict[str, Any]:
        return {"statements": self.statements, "status": self.status, "kind": self.kind}


def count_ours(db_url: str, scenarios: list[Scenario], dataset: Dataset) -> dict[str, Count]:
    with warnings.catch_warnings():  # import-time deprecation noise from connexion's dependencies
        warnings.simplefilter("ignore")
        from generated.coffee_shop import create_app

    app = create_app(db_url=db_url)
    db = app.db
    if isinstance(db, ServerDatabase):
        engine = db.engine.sync_engine
    else:
        assert isinstance(db, SqliteDatabase)
        engine = db.engine
    seen: list[str] = []

    def on_execute(*args: Any) -> None:
        seen.append(str(args[2]))  # (conn, cursor, statement, parameters, context, executemany)

    async def run() -> dict[str, Count]:
        out: dict[str, Count] = {}
        transport = httpx.ASGITransport(app=app)
        try:
            async with httpx.AsyncClient(transport=transport, base_url="http://bench/api") as http:
                for scenario in scenarios:
                    call = calls(scenario, dataset)[0]
                    await _send(http, call)  # warm: first-use work is not counted
                    seen.clear()
                    response = await _send(http, call)
                    out[scenario.key] = Count(len(seen), response.status_code)
        finally:
            await app.db.close()  # on this loop: asyncpg connections belong to it
        return out

    sa.event.listen(engine, "before_cursor_execute", on_execute)
    try:
        return asyncio.run(run())
    finally:
        sa.event.remove(engine, "before_cursor_execute", on_execute)


async def _send(http: httpx.AsyncClient, call: Call) -> httpx.Response:
    if call.body is None:
        return await http.request(call.method, call.path)
    return await http.request(call.method, call.path, json=call.body)


def count_lb3(
    root_url: str, api_url: str, scenarios: list[Scenario], dataset: Dataset
) -> dict[str, Count]:
    """root_url: the server's origin (where /__bench/statements is); api_url: its REST root."""
    out: dict[str, Count] = {}
    for scenario in scenarios:
        call = calls(scenario, dataset)[0]
        before = _lb3_total(root_url)
        status, _ = request_json(f"{api_url}{call.path}", call.body)
        after = _lb3_total(root_url)
        out[scenario.key] = Count(after[0] - before[0], status, after[1])
    return out


def _lb3_total(root_url: str) -> tuple[int, str]:
    status, body = request_json(f"{root_url}/__bench/statements")
    if status != 200 or not isinstance(body, dict):
        raise RuntimeError(f"lb3: /__bench/statements answered {status} {str(body)[:200]}")
    return int(body["count"]), str(body["kind"])
