"""The database stage: the only module that runs SQL.

The request path is async. On SQLite, statements run inline on the event loop: SQLite is in-process and
fast, and the stack prototype measured a thread or aiosqlite hop as slower, not faster. The interface is
async so that server databases can run on asyncio drivers without changing callers.
"""

from __future__ import annotations

from collections.abc import AsyncIterator, Sequence
from contextlib import asynccontextmanager
from typing import Any

import sqlalchemy as sa
from sqlalchemy import exc as sa_exc
from sqlalchemy.pool import StaticPool

from .errors import Conflict, LoopBackError, ServiceUnavailable


def create_engine(url: str) -> sa.Engine:
    parsed = sa.make_url(url)
    if parsed.get_backend_name() == "sqlite":
        in_memory = parsed.database in (None, "", ":memory:")
        kwargs: dict[str, Any] = {"connect_args": {"check_same_thread": False}}
        if in_memory:
            kwargs["poolclass"] = StaticPool  # one shared connection, or every checkout is a new DB
        engine = sa.create_engine(url, **kwargs)

        @sa.event.listens_for(engine, "connect")
        def _pragmas(dbapi_conn: Any, _record: Any) -> None:
            cur = dbapi_conn.cursor()
            cur.execute("PRAGMA foreign_keys=ON")
            if not in_memory:
                cur.execute("PRAGMA journal_mode=WAL")
                cur.execute("PRAGMA synchronous=NORMAL")
            cur.close()

        return engine
    return sa.create_engine(url, pool_pre_ping=True)


class Session:
    """Statements inside one transaction."""

    def __init__(self, conn: sa.Connection) -> None:
        self.conn = conn

    async def all(
        self, stmt: sa.Executable, params: dict[str, Any] | None = None
    ) -> Sequence[sa.Row[Any]]:
        with translate_errors():
            return self.conn.execute(stmt, params).all()

    async def first(
        self, stmt: sa.Executable, params: dict[str, Any] | None = None
    ) -> sa.Row[Any] | None:
        with translate_errors():
            return self.conn.execute(stmt, params).first()

    async def scalar(self, stmt: sa.Executable, params: dict[str, Any] | None = None) -> Any:
        with translate_errors():
            return self.conn.execute(stmt, params).scalar()

    async def run(self, stmt: sa.Executable, params: Any = None) -> sa.CursorResult[Any]:
        with translate_errors():
            return self.conn.execute(stmt, params)


class Database:
    def __init__(self, url: str) -> None:
        self.url = url
        self.engine = create_engine(url)

    @asynccontextmanager
    async def read(self) -> AsyncIterator[Session]:
        with translate_errors(), self.engine.connect() as conn:
            yield Session(conn)

    @asynccontextmanager
    async def transaction(self) -> AsyncIterator[Session]:
        """Every statement inside commits together or not at all."""
        with translate_errors(), self.engine.begin() as conn:
            yield Session(conn)

    def create_all(self, metadata: sa.MetaData) -> None:
        """Create missing tables and indexes (LB3's automigrate for the embedded default)."""
        metadata.create_all(self.engine)

    def dispose(self) -> None:
        self.engine.dispose()


class translate_errors:
    """Database errors are not the client's fault, except constraint violations, which are."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> None:
        """Re-raise a database error as the LoopBackError it means; never swallow one."""
        if exc is None or isinstance(exc, LoopBackError):
            return
        if isinstance(exc, sa_exc.IntegrityError):
            text = str(exc.orig).lower()
            if "unique" in text or "duplicate" in text:
                raise Conflict(
                    "The instance conflicts with one already stored (a unique value is taken)",
                    code="UNIQUE_VIOLATION",
                ) from None
            if "foreign key" in text:
                raise Conflict(
                    "A related instance this write refers to does not exist",
                    code="FOREIGN_KEY_VIOLATION",
                ) from None
            raise Conflict("The database refused the write (constraint violation)") from None
        if isinstance(exc, sa_exc.DataError):
            raise Conflict("A value does not fit its database column", code="DATA_ERROR") from None
        if isinstance(exc, sa_exc.OperationalError | sa_exc.InterfaceError) and _connection_lost(
            exc
        ):
            raise ServiceUnavailable(
                "The database is unavailable; try again later", code="DATABASE_UNAVAILABLE"
            ) from None


def _connection_lost(exc: BaseException) -> bool:
    if isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated:
        return True
    text = str(exc).lower()
    return any(s in text for s in ("connection", "server closed", "could not connect", "gone away"))
