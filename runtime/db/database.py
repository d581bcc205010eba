"""The database stage: the only code that runs SQL.

SQLite runs inline on the event loop: it is in-process and fast, and the stack prototype measured a
thread or aiosqlite hop as slower, not faster. PostgreSQL and MySQL/MariaDB run on asyncio drivers
through SQLAlchemy's AsyncEngine, with a pool that pings connections before use, so a database that
restarts is a 503 for the requests it broke and nothing more.

Models use `read()` and `write()`. Python code groups operations with `transaction()`: while its
block runs, every read and write of this task on the same database joins it (a context variable).
"""

from __future__ import annotations

import asyncio
import functools
import math
import re
import sqlite3
from abc import ABC, abstractmethod
from collections.abc import AsyncIterator, Iterator, Mapping, Sequence
from contextlib import asynccontextmanager, contextmanager
from contextvars import ContextVar
from dataclasses import dataclass, field
from typing import Any

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy.ext.asyncio import AsyncConnection, AsyncEngine, create_async_engine
from sqlalchemy.pool import StaticPool

from ..datasources import PoolSettings
from ..filter.patterns import python_regexp
from ..sql.shapes import Shaped
from .direct import Direct, Positional
from .faults import translate_errors
from .urls import Backend, backend_of, display, driver_url, in_memory


@dataclass(frozen=True)
class ExecuteResult:
    """What native SQL returned: its rows (for a query) and the rows it affected or returned."""

    rows: list[dict[str, Any]] = field(default_factory=list)
    count: int = 0


class Session:
    """Statements inside one connection (and, for writes, one transaction)."""

    async def all(
        self, stmt: sa.Executable, params: dict[str, Any] | None = None
    ) -> Sequence[sa.Row[Any]]:
        return (await self.run(stmt, params)).all()

    async def first(
        self, stmt: sa.Executable, params: dict[str, Any] | None = None
    ) -> sa.Row[Any] | None:
        return (await self.run(stmt, params)).first()

    async def scalar(self, stmt: sa.Executable, params: dict[str, Any] | None = None) -> Any:
        return (await self.run(stmt, params)).scalar()

    async def run(self, stmt: sa.Executable, params: Any = None) -> sa.CursorResult[Any]:
        raise NotImplementedError


class InlineSession(Session):
    def __init__(self, conn: sa.Connection) -> None:
        self.conn = conn

    async def run(self, stmt: sa.Executable, params: Any = None) -> sa.CursorResult[Any]:
        with translate_errors():
            return self.conn.execute(stmt, params)


class AsyncSession(Session):
    def __init__(self, conn: AsyncConnection) -> None:
        self.conn = conn

    async def run(self, stmt: sa.Executable, params: Any = None) -> sa.CursorResult[Any]:
        with translate_errors():
            return await self.conn.execute(stmt, params)


class Database(ABC):
    """One data source's database. `open_database(url)` picks the backend."""

    backend: Backend
    _autocommits_reads = False  # whether _connect() gives an autocommit connection

    def __init__(self, url: str) -> None:
        self.url = url
        self._active: ContextVar[Session | None] = ContextVar(
            f"transaction:{id(self)}", default=None
        )

    def __repr__(self) -> str:
        return f"<Database {display(self.url)}>"

    # ---- Python API ------------------------------------------------------------------------------

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Session]:
        """`async with Model.datasource.transaction():` the operations inside commit together, or
        roll back together when the block raises. Nested blocks join the outer one."""
        active = self._active.get()
        if active is not None:
            yield active
            return
        async with self._begin(exclusive=True) as session:
            token = self._active.set(session)
            try:
                yield session
            finally:
                self._active.reset(token)

    async def execute(self, sql: str, params: Mapping[str, Any] | None = None) -> ExecuteResult:
        """Native SQL (LB3's `dataSource.connector.execute`), values bound by name: `:name` in the
        text, `{"name": value}` in params. Values are never spliced into the SQL."""
        if not isinstance(sql, str):
            raise TypeError("sql must be a string with :name placeholders")
        if params is not None and not isinstance(params, Mapping):
            raise TypeError("params must be a mapping of placeholder names to values")
        async with self.write() as session:
            result = await session.run(sa.text(sql), dict(params or {}))
            if result.returns_rows:
                rows = [dict(row._mapping) for row in result]
                return ExecuteResult(rows, len(rows))
            return ExecuteResult([], max(result.rowcount, 0))

    # ---- for models ------------------------------------------------------------------------------

    @asynccontextmanager
    async def read(self) -> AsyncIterator[Session]:
        active = self._active.get()
        if active is not None:
            yield active
            return
        async with self._connect() as session:
            yield session

    @asynccontextmanager
    async def write(self, *, one_statement: bool = False) -> AsyncIterator[Session]:
        """Every statement inside commits together or not at all. A block that runs exactly one
        statement says so: that statement is atomic by itself, so servers that can skip the
        BEGIN/COMMIT round trips do."""
        active = self._active.get()
        if active is not None:
            yield active
            return
        if one_statement and self._autocommits_reads:
            async with self._connect() as session:
                yield session
            return
        async with self._begin(exclusive=False) as session:
            # registered as transaction() registers its own: a hook that calls another model joins
            token = self._active.set(session)
            try:
                yield session
            finally:
                self._active.reset(token)

    async def first_row(self, stmt: sa.Executable, params: dict[str, Any]) -> Any:
        """The first row of a statement the caller keeps for its lifetime (a model's row by id),
        read by label (`row.get("name")`), or None: each backend's fastest way to run one read."""
        async with self.read() as s:
            row = await s.first(stmt, params)
        return None if row is None else row._mapping

    async def all_rows(self, stmt: sa.Select[Any]) -> Sequence[Any]:
        """Every row of a select built for this request, each read by label (`row.get("name")`)."""
        async with self.read() as s:
            return [row._mapping for row in await s.all(stmt)]

    async def value(self, stmt: sa.Select[Any]) -> Any:
        """The one value of a select built for this request (a count), or None without a row."""
        async with self.read() as s:
            return await s.scalar(stmt)

    async def shaped_rows(self, shaped: Shaped, values: list[Any]) -> Sequence[Any]:
        """Every row of a statement kept per shape (runtime/sql/shapes.py) with this request's
        values bound, each read by label."""
        if not shaped.kept:
            return await self.all_rows(shaped.statement)
        async with self.read() as s:
            return [row._mapping for row in await s.all(shaped.statement, shaped.params(values))]

    async def shaped_value(self, shaped: Shaped, values: list[Any]) -> Any:
        """The one value of a statement kept per shape (a count), or None without a row."""
        if not shaped.kept:
            return await self.value(shaped.statement)
        async with self.read() as s:
            return await s.scalar(shaped.statement, shaped.params(values))

    async def insert_row(self, stmt: sa.Insert, values: dict[str, Any]) -> Any:
        """Run a kept insert statement for one row by itself (atomic alone); its new primary key."""
        async with self.write(one_statement=True) as s:
            key = (await s.run(stmt, values)).inserted_primary_key
        return key[0] if key else None

    # ---- backends --------------------------------------------------------------------------------

    @abstractmethod
    def _connect(self) -> Any:
        raise NotImplementedError

    @abstractmethod
    def _begin(self, *, exclusive: bool) -> Any:
        raise NotImplementedError

    @abstractmethod
    def create_all(self, metadata: sa.MetaData) -> None:
        """Create missing tables and indexes; never alter or drop (that is `specgen migrate`)."""
        raise NotImplementedError

    @abstractmethod
    def dispose(self) -> None:
        raise NotImplementedError

    async def close(self) -> None:
        self.dispose()


class SqliteDatabase(Database):
    backend: Backend = "sqlite"

    def __init__(self, url: str) -> None:
        super().__init__(url)
        self.engine = sqlite_engine(url)
        # a transaction() block spans awaits; on one shared connection, others wait for it to end
        self._lock: asyncio.Lock | None = None

    @asynccontextmanager
    async def _connect(self) -> AsyncIterator[Session]:
        await self._wait_for_transaction()
        with translate_errors(), self.engine.connect() as conn:
            yield InlineSession(conn)

    @asynccontextmanager
    async def _begin(self, *, exclusive: bool) -> AsyncIterator[Session]:
        if exclusive:
            async with self._transaction_lock():
                with translate_errors(), self.engine.begin() as conn:
                    yield InlineSession(conn)
            return
        await self._wait_for_transaction()
        with translate_errors(), self.engine.begin() as conn:
            yield InlineSession(conn)

    async def _wait_for_transaction(self) -> None:
        lock = self._lock
        if lock is not None and lock.locked():
            async with lock:
                pass

    def _transaction_lock(self) -> asyncio.Lock:
        if self._lock is None:
            self._lock = asyncio.Lock()
        return self._lock

    def create_all(self, metadata: sa.MetaData) -> None:
        metadata.create_all(self.engine)

    def dispose(self) -> None:
        self.engine.dispose()


class ServerDatabase(Database):
    """PostgreSQL or MySQL/MariaDB through an asyncio driver and a pool that hands out only live
    connections."""

    def __init__(self, url: str, pool: PoolSettings) -> None:
        super().__init__(url)
        self.backend = backend_of(url)
        self.pool = pool
        self.engine: AsyncEngine = create_async_engine(
            driver_url(url),
            pool_size=pool.size,
            max_overflow=0,  # LB3's max/connectionLimit is a hard cap
            pool_timeout=pool.acquire_timeout,
            # PostgreSQL: asyncpg notices a connection the server closed, so checkout drops it for
            # free (see _drop_closed); aiomysql does not, so MySQL pays a ping per checkout
            pool_pre_ping=self.backend == "mysql",
            pool_recycle=3600,
            connect_args=connect_args(self.backend, pool, sync=False),
        )
        if self.backend == "postgresql":
            sa.event.listen(self.engine.sync_engine, "checkout", _drop_closed)
        # a read outside a transaction() is one statement: on PostgreSQL, autocommit spares it the
        # BEGIN and ROLLBACK round trips (client-side with asyncpg); aiomysql would pay a round
        # trip to switch, so MySQL reads keep the driver's implicit transaction
        self._autocommits_reads = self.backend == "postgresql"
        self._reader = (
            self.engine.execution_options(isolation_level="AUTOCOMMIT")
            if self._autocommits_reads
            else self.engine
        )
        self._events = self.engine.sync_engine.dispatch  # who listens to its statements
        # PostgreSQL: kept statements run on asyncpg directly (runtime/db/direct.py)
        self._direct = Direct(self.engine) if self.backend == "postgresql" else None

    async def first_row(self, stmt: sa.Executable, params: dict[str, Any]) -> Any:
        direct = self._direct_now()
        compiled = direct.compiled(stmt) if direct is not None else None
        if compiled is None:
            return await super().first_row(stmt, params)
        return await direct.first(compiled, params)  # type: ignore[union-attr]

    async def insert_row(self, stmt: sa.Insert, values: dict[str, Any]) -> Any:
        direct = self._direct_now()
        compiled = direct.compiled(stmt, tuple(values)) if direct is not None else None
        if compiled is None:
            return await super().insert_row(stmt, values)
        record = await direct.first(compiled, values)  # type: ignore[union-attr]
        return None if record is None else record[0]  # RETURNING the new id

    async def all_rows(self, stmt: sa.Select[Any]) -> Sequence[Any]:
        direct = self._direct_now()
        shaped = direct.shaped(stmt) if direct is not None else None
        if shaped is None:
            return await super().all_rows(stmt)
        return await direct.fetch(*shaped)  # type: ignore[union-attr]

    async def value(self, stmt: sa.Select[Any]) -> Any:
        direct = self._direct_now()
        shaped = direct.shaped(stmt) if direct is not None else None
        if shaped is None:
            return await super().value(stmt)
        return await direct.value(*shaped)  # type: ignore[union-attr]

    async def shaped_rows(self, shaped: Shaped, values: list[Any]) -> Sequence[Any]:
        prepared = self._prepared(shaped)
        if prepared is None:
            return await super().shaped_rows(shaped, values)
        return await self._direct.fetch(prepared, prepared.bind(values))  # type: ignore[union-attr]

    async def shaped_value(self, shaped: Shaped, values: list[Any]) -> Any:
        prepared = self._prepared(shaped)
        if prepared is None:
            return await super().shaped_value(shaped, values)
        return await self._direct.value(prepared, prepared.bind(values))  # type: ignore[union-attr]

    def _prepared(self, shaped: Shaped) -> Positional | None:
        """A kept statement's direct form, made on its first run here and kept on it (a model's
        table belongs to one database); None: SQLAlchemy's path."""
        if not shaped.kept:
            return None
        direct = self._direct_now()
        if direct is None:
            return None
        prepared = shaped.prepared
        if prepared is None:
            prepared = shaped.prepared = direct.prepare(shaped.statement, shaped.names) or False
        return prepared or None

    def _direct_now(self) -> Direct | None:
        """The direct path, unless a transaction() block is open (its statements run on its
        connection) or someone listens to the engine's statements (counting, logging them)."""
        if self._active.get() is not None or self._events.before_cursor_execute:
            return None
        return self._direct

    @asynccontextmanager
    async def _connect(self) -> AsyncIterator[Session]:
        with translate_errors():
            conn = await self._checkout(self._reader)
            try:
                yield AsyncSession(conn)
            finally:
                await asyncio.shield(conn.close())  # as AsyncConnection.__aexit__

    @asynccontextmanager
    async def _begin(self, *, exclusive: bool) -> AsyncIterator[Session]:
        with translate_errors():
            conn = await self._checkout(self.engine)
            try:
                async with conn.begin():
                    yield AsyncSession(conn)
            finally:
                await asyncio.shield(conn.close())  # as AsyncConnection.__aexit__

    async def _checkout(self, engine: AsyncEngine) -> AsyncConnection:
        """A connection from the pool; on PostgreSQL, through the direct path's lender, which
        gives the pool the connections it holds idle when the pool has none left."""
        conn = engine.connect()
        if self._direct is None:
            await conn.start()
        else:
            await self._direct.lender.pooled(conn.start())
        return conn

    def create_all(self, metadata: sa.MetaData) -> None:
        """Run once at start-up (before workers fork), on the synchronous driver."""
        with sync_engine(self.url) as engine, translate_errors(), engine.begin() as conn:
            if self.backend == "postgresql":
                for schema in sorted({t.schema for t in metadata.tables.values() if t.schema}):
                    conn.execute(sa.schema.CreateSchema(schema, if_not_exists=True))
            metadata.create_all(conn)

    def dispose(self) -> None:
        if self._direct is not None:
            self._direct.lender.forget()
        self.engine.sync_engine.dispose(close=False)

    async def close(self) -> None:
        if self._direct is not None:
            await self._direct.lender.give_back()
        await self.engine.dispose()


def _drop_closed(dbapi_conn: Any, _record: Any, _proxy: Any) -> None:
    """A pooled asyncpg connection the server has closed (restart, pg_terminate_backend) is replaced
    at checkout: SQLAlchemy retries with a new one when this raises DisconnectionError."""
    driver = getattr(dbapi_conn, "driver_connection", None)
    if driver is not None and driver.is_closed():
        raise sa_exc.DisconnectionError("connection closed by the server")


def open_database(url: str, pool: PoolSettings | None = None) -> Database:
    if backend_of(url) == "sqlite":
        return SqliteDatabase(url)
    return ServerDatabase(url, pool or PoolSettings())


def sqlite_engine(url: str, *, wal: bool = True) -> sa.Engine:
    """wal: switch a file to write-ahead logging (readers never wait for the writer); a lasting
    change to the file, which only the server should make."""
    memory = in_memory(url)
    kwargs: dict[str, Any] = {"connect_args": {"check_same_thread": False}}
    if memory:
        kwargs["poolclass"] = StaticPool  # one shared connection, or every checkout is a new DB
    engine = sa.create_engine(url, **kwargs)

    @sa.event.listens_for(engine, "connect")
    def _pragmas(dbapi_conn: Any, _record: Any) -> None:
        register_sqlite_functions(dbapi_conn)
        cur = dbapi_conn.cursor()
        cur.execute("PRAGMA foreign_keys=ON")
        if wal and not memory:
            cur.execute("PRAGMA journal_mode=WAL")
            cur.execute("PRAGMA synchronous=NORMAL")
        cur.close()

    return engine


@functools.lru_cache(maxsize=256)
def _compiled_regexp(pattern: str) -> re.Pattern[str]:
    return python_regexp(pattern)


def _regexp(pattern: str | None, value: Any) -> bool | None:
    """SQLite's `value REGEXP pattern` (filters' `regexp`): NULL never matches."""
    if pattern is None or not isinstance(value, str):
        return None
    return _compiled_regexp(pattern).search(value) is not None


_MATH = {"sin": math.sin, "cos": math.cos, "asin": math.asin, "sqrt": math.sqrt}


def register_sqlite_functions(dbapi_conn: Any) -> None:
    """REGEXP for the `regexp` operator, and the math `near` needs when this SQLite was built
    without its math functions."""
    dbapi_conn.create_function("regexp", 2, _regexp, deterministic=True)
    try:
        dbapi_conn.execute("SELECT sin(0)").close()
    except sqlite3.OperationalError:
        for name, fn in _MATH.items():
            dbapi_conn.create_function(name, 1, _null_safe(fn), deterministic=True)


def _null_safe(fn: Any) -> Any:
    def call(x: float | None) -> float | None:
        try:
            return None if x is None else float(fn(x))
        except ValueError:  # outside the function's domain: NULL, as SQLite's own functions
            return None

    return call


@contextmanager
def sync_engine(
    url: str, pool: PoolSettings | None = None, *, wal: bool = True
) -> Iterator[sa.Engine]:
    """A short-lived synchronous engine for start-up DDL, migrate and discover."""
    backend = backend_of(url)
    if backend == "sqlite":
        engine = sqlite_engine(url, wal=wal)
    else:
        engine = sa.create_engine(
            driver_url(url, sync=True),
            pool_pre_ping=True,
            connect_args=connect_args(backend, pool or PoolSettings(), sync=True),
        )
    try:
        yield engine
    finally:
        engine.dispose()


# the session every connection starts with: UTC, and MySQL refusing (not mangling) bad values
_MYSQL_INIT = (
    "SET SESSION time_zone='+00:00', sql_mode='STRICT_ALL_TABLES,NO_ZERO_IN_DATE,NO_ZERO_DATE,"
    "ERROR_FOR_DIVISION_BY_ZERO,NO_ENGINE_SUBSTITUTION'"
)


def connect_args(backend: Backend, pool: PoolSettings, *, sync: bool) -> dict[str, Any]:
    if backend == "postgresql" and not sync:  # asyncpg
        return {"timeout": pool.connect_timeout, "server_settings": {"timezone": "UTC"}}
    if backend == "postgresql":  # psycopg
        return {
            "connect_timeout": max(1, round(pool.connect_timeout)),
            "options": "-c timezone=UTC",
        }
    if backend == "mysql":
        return {"connect_timeout": pool.connect_timeout, "init_command": _MYSQL_INIT}
    return {}
