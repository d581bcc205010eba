"""Database faults are not the client's fault: a database that is down or drops our connection is a
503 in LB3's error shape, quickly, and the server recovers by itself when the database is back."""

from __future__ import annotations

import asyncio
import time
from collections.abc import Iterator
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from generated.coffee_shop import create_app
from runtime.app import LoopBackApp
from runtime.datasources import PoolSettings
from runtime.db import open_database, sync_engine
from tests.databases import TestDatabases

UNAVAILABLE = {
    "statusCode": 503,
    "name": "Error",
    "message": "The database is unavailable; try again later",
    "code": "DATABASE_UNAVAILABLE",
}
# a port nothing listens on: the database is down
DOWN = {
    "postgresql": "postgresql://postgres@127.0.0.1:1/lb",
    "mysql": "mysql://root@127.0.0.1:1/lb",
}


@pytest.mark.servers_only  # SQLite is in-process: no server connection to lose
async def test_a_database_that_is_down_is_a_quick_503(backend: str) -> None:
    app = create_app(db_url=DOWN[backend], create_tables=False)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test/api") as client:
        started = time.monotonic()
        for method, url in [
            ("GET", "/CoffeeShops"),
            ("POST", "/CoffeeShops"),
            ("GET", "/CoffeeShops/1"),
        ]:
            body = {"name": "A", "city": "B"} if method == "POST" else None
            response = await client.request(method, url, json=body)
            assert (response.status_code, response.json()) == (503, {"error": UNAVAILABLE})
        assert time.monotonic() - started < 15  # connect refused: no waiting for a timeout
    await app.db.close()


@pytest.fixture
def admin(app: LoopBackApp) -> Iterator[sa.Connection]:
    """A second session on the app's database, to lock tables and end the app's connections."""
    with sync_engine(app.db.url) as engine, engine.connect() as conn:
        yield conn
        conn.rollback()


def blocked_sessions(admin: sa.Connection) -> list[int]:
    if admin.dialect.name == "postgresql":
        query = (
            "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
            "AND pid <> pg_backend_pid() AND wait_event_type = 'Lock'"
        )
    else:
        query = (
            "SELECT id FROM information_schema.processlist WHERE db = DATABASE() "
            "AND id <> CONNECTION_ID() AND state LIKE '%lock%'"
        )
    return [int(row[0]) for row in admin.execute(sa.text(query))]


def end_sessions(admin: sa.Connection, ids: list[int] | None = None) -> int:
    """pg_terminate_backend / KILL: what a database restart does to every open connection."""
    if ids is None:
        if admin.dialect.name == "postgresql":
            query = (
                "SELECT pid FROM pg_stat_activity WHERE datname = current_database() "
                "AND pid <> pg_backend_pid()"
            )
        else:
            query = (
                "SELECT id FROM information_schema.processlist WHERE db = DATABASE() "
                "AND id <> CONNECTION_ID()"
            )
        ids = [int(row[0]) for row in admin.execute(sa.text(query))]
    for session in ids:
        if admin.dialect.name == "postgresql":
            admin.execute(sa.text("SELECT pg_terminate_backend(:pid)"), {"pid": session})
        else:
            admin.execute(sa.text(f"KILL {int(session)}"))
    return len(ids)


def lock_shops(admin: sa.Connection, app: LoopBackApp) -> None:
    name = admin.dialect.identifier_preparer.format_table(app.models["CoffeeShop"].table.table)
    if admin.dialect.name == "postgresql":
        admin.execute(sa.text(f"LOCK TABLE {name} IN ACCESS EXCLUSIVE MODE"))
    else:
        admin.execute(sa.text(f"LOCK TABLES {name} WRITE"))


def unlock(admin: sa.Connection) -> None:
    if admin.dialect.name == "mysql":
        admin.execute(sa.text("UNLOCK TABLES"))
    admin.rollback()


async def wait_for(predicate: Any, timeout: float = 10.0) -> Any:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        value = predicate()
        if value:
            return value
        await asyncio.sleep(0.05)
    raise AssertionError("timed out waiting")


@pytest.mark.servers_only
@pytest.mark.parametrize("url", ["/CoffeeShops", "/CoffeeShops/1"])  # findById: the direct path
async def test_connection_ended_mid_request_is_503_and_the_next_request_succeeds(
    backend: str, app: LoopBackApp, seeded: httpx.AsyncClient, admin: sa.Connection, url: str
) -> None:
    lock_shops(admin, app)
    request = asyncio.create_task(seeded.get(url))  # waits for the lock
    waiting = await wait_for(lambda: blocked_sessions(admin))
    assert end_sessions(admin, waiting) == 1
    response = await asyncio.wait_for(request, 10)
    assert (response.status_code, response.json()) == (503, {"error": UNAVAILABLE})
    unlock(admin)
    response = await seeded.get("/CoffeeShops")
    assert response.status_code == 200 and len(response.json()) == 4


@pytest.mark.servers_only
async def test_a_unique_index_refusing_a_create_is_409_and_the_connection_stays_usable(
    backend: str, app: LoopBackApp, seeded: httpx.AsyncClient, admin: sa.Connection
) -> None:
    """A create nobody observes runs on the driver directly on PostgreSQL (runtime/db/direct.py):
    the database's refusal has the same meaning there, and the connection goes back to the pool."""
    table = admin.dialect.identifier_preparer.format_table(app.models["CoffeeShop"].table.table)
    admin.execute(sa.text(f"CREATE UNIQUE INDEX shop_name_taken ON {table} (name)"))
    admin.commit()
    try:
        taken = (await seeded.get("/CoffeeShops/1")).json()["name"]
        for _ in range(12):  # more than the pool holds: every connection is reused
            response = await seeded.post("/CoffeeShops", json={"name": taken, "city": "Again"})
            assert response.status_code == 409
            assert response.json()["error"]["code"] == "UNIQUE_VIOLATION"
        response = await seeded.post("/CoffeeShops", json={"name": "Free", "city": "Again"})
        assert response.status_code == 200  # its id: the refused inserts took sequence values
        found = await seeded.get(f"/CoffeeShops/{response.json()['id']}")
        assert found.json() == response.json()
    finally:
        on = "" if backend == "postgresql" else f" ON {table}"
        admin.execute(sa.text(f"DROP INDEX shop_name_taken{on}"))
        admin.commit()


@pytest.mark.servers_only
async def test_the_server_recovers_when_every_connection_was_ended(
    backend: str, app: LoopBackApp, seeded: httpx.AsyncClient, admin: sa.Connection
) -> None:
    """A restart ends the pooled connections too: each is pinged before use and replaced."""
    await asyncio.gather(*(seeded.get("/CoffeeShops/count") for _ in range(4)))  # fill the pool
    assert end_sessions(admin) >= 1
    # a restart is not instant: by the next request the server has closed our connections, and
    # the event loop has seen them close (asyncpg marks them; MySQL's are pinged at checkout)
    await asyncio.sleep(0.2)
    for _ in range(6):
        response = await seeded.get("/CoffeeShops/count")
        assert (response.status_code, response.json()) == (200, {"count": 4})
    response = await seeded.post("/CoffeeShops", json={"name": "After", "city": "Restart"})
    assert response.status_code == 200 and response.json()["id"] == 5


@pytest.mark.servers_only
async def test_connections_the_direct_path_keeps_never_starve_other_statements(
    backend: str, databases: TestDatabases
) -> None:
    """PostgreSQL's direct path keeps the connections it used (runtime/db/direct.py): they count
    against the one pool size, and go back to the pool when a statement on SQLAlchemy's path (a
    write, a transaction) would otherwise wait for one, so a mix of both never runs into the
    acquire timeout."""
    db = open_database(databases.fresh(backend), PoolSettings(size=2, acquire_timeout=3.0))
    table = sa.Table(
        "probe",
        sa.MetaData(),
        sa.Column("id", sa.Integer, primary_key=True),
        sa.Column("n", sa.Integer),
    )
    db.create_all(table.metadata)
    by_id = sa.select(table.c.id, table.c.n).where(table.c.id == sa.bindparam("id"))
    try:
        await db.execute("INSERT INTO probe (id, n) VALUES (1, 10)")
        sleep = "pg_sleep(0.2)" if backend == "postgresql" else "sleep(0.2)"
        slow = by_id.add_columns(sa.literal_column(sleep))  # two statements that surely overlap
        both = await asyncio.gather(db.first_row(slow, {"id": 1}), db.first_row(slow, {"id": 1}))
        assert [row["n"] for row in both] == [10, 10]
        if backend == "postgresql":  # the direct path now keeps every connection the pool has
            assert len(db._direct.lender.idle) == 2  # type: ignore[attr-defined]
        await db.execute("UPDATE probe SET n = n + 1")  # so this statement needs one of them

        async def in_transaction() -> None:
            async with db.transaction():
                await db.execute("UPDATE probe SET n = n + 1")
                await asyncio.sleep(0.01)

        started = time.monotonic()
        mixed = [db.first_row(by_id, {"id": 1}) for _ in range(30)]
        mixed += [db.execute("UPDATE probe SET n = n + 1") for _ in range(10)]
        mixed += [in_transaction() for _ in range(5)]
        await asyncio.gather(*mixed)
        assert time.monotonic() - started < 3.0  # nobody waited out the acquire timeout
        assert (await db.first_row(by_id, {"id": 1}))["n"] == 10 + 1 + 10 + 5
        pool = db.engine.sync_engine.pool  # type: ignore[attr-defined]
        assert pool.checkedin() + pool.checkedout() <= 2  # one size cap for both paths
    finally:
        await db.close()
