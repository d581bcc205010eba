"""Database errors -> the LoopBackError each one means for the client.

A constraint the data breaks is the client's: 409 for a taken unique value or a missing related row.
A value the column cannot hold (an integer overflow, text too long, NUL in PostgreSQL text) is 422.
A database that is down, restarting or dropped our connection is 503, never 500. Nothing leaks SQL.
"""

from __future__ import annotations

from typing import Any

from sqlalchemy import exc as sa_exc

from ..errors import Conflict, LoopBackError, ServiceUnavailable, Unprocessable

# SQLSTATE classes (PostgreSQL) and MySQL/MariaDB error numbers
_PG_UNIQUE, _PG_FOREIGN_KEY, _PG_NOT_NULL = "23505", "23503", "23502"
_MY_UNIQUE = {1062, 1586}
_MY_FOREIGN_KEY = {1216, 1217, 1451, 1452}
_MY_DATA = {1264, 1265, 1292, 1366, 1406, 1416, 3140}
_MY_GONE = {2002, 2003, 2006, 2013, 2055, 1053, 1927}


def unique_violation() -> Conflict:
    return Conflict(
        "The instance conflicts with one already stored (a unique value is taken)",
        code="UNIQUE_VIOLATION",
    )


def foreign_key_violation() -> Conflict:
    return Conflict(
        "A related instance this write refers to does not exist, or another instance refers to "
        "this one",
        code="FOREIGN_KEY_VIOLATION",
    )


def data_error() -> Unprocessable:
    return Unprocessable(
        "A value does not fit its database column (out of range, too long or not storable)",
        code="DATA_ERROR",
    )


def unavailable() -> ServiceUnavailable:
    return ServiceUnavailable(
        "The database is unavailable; try again later", code="DATABASE_UNAVAILABLE"
    )


class translate_errors:
    """`with translate_errors(): ...` re-raises a database error as the LoopBackError it means."""

    def __enter__(self) -> None:
        return None

    def __exit__(self, exc_type: Any, exc: BaseException | None, tb: Any) -> None:
        if exc is None or isinstance(exc, LoopBackError):
            return
        error = meaning(exc)
        if error is not None:
            raise error from None


def meaning(exc: BaseException) -> LoopBackError | None:
    """The client-facing error for a database exception, or None for a bug of ours."""
    if isinstance(exc, sa_exc.DBAPIError) and exc.connection_invalidated:
        return unavailable()
    if isinstance(exc, sa_exc.TimeoutError):  # every pooled connection busy for pool_timeout
        return unavailable()
    orig = getattr(exc, "orig", None)
    if orig is None and _sqlstate(exc) is not None:  # the driver's own error (runtime/db/direct.py)
        return _driver_meaning(exc, _sqlstate(exc) or "")
    code = _sqlstate(orig)
    errno = _mysql_errno(orig)
    text = str(orig if orig is not None else exc).lower()
    if isinstance(exc, sa_exc.IntegrityError):
        if code == _PG_UNIQUE or errno in _MY_UNIQUE or "unique" in text or "duplicate" in text:
            return unique_violation()
        if code == _PG_FOREIGN_KEY or errno in _MY_FOREIGN_KEY or "foreign key" in text:
            return foreign_key_violation()
        if code == _PG_NOT_NULL or errno in (1048, 1364) or "not null" in text:
            return data_error()
        return Conflict("The database refused the write (constraint violation)")
    if isinstance(exc, sa_exc.DataError) or (code or "").startswith("22") or errno in _MY_DATA:
        return data_error()
    lost = errno in _MY_GONE or (code or "").startswith(("08", "57")) or _connection_lost(text)
    if isinstance(exc, sa_exc.OperationalError | sa_exc.InterfaceError) and lost:
        return unavailable()
    if isinstance(exc, ConnectionError | TimeoutError):  # a driver error not wrapped by SQLAlchemy
        return unavailable()
    return None


def _driver_meaning(exc: BaseException, code: str) -> LoopBackError | None:
    """An error asyncpg raised itself, by its SQLSTATE, as `meaning` reads SQLAlchemy's."""
    if code == _PG_UNIQUE:
        return unique_violation()
    if code == _PG_FOREIGN_KEY:
        return foreign_key_violation()
    if code.startswith("23"):
        return (
            data_error()
            if code == _PG_NOT_NULL
            else Conflict("The database refused the write (constraint violation)")
        )
    if code.startswith("22"):
        return data_error()
    if code.startswith(("08", "57")):
        return unavailable()
    return None


def _sqlstate(orig: Any) -> str | None:
    state = getattr(orig, "sqlstate", None) or getattr(orig, "pgcode", None)
    return state if isinstance(state, str) else None


def _mysql_errno(orig: Any) -> int | None:
    args = getattr(orig, "args", ())
    return args[0] if args and isinstance(args[0], int) else None


def _connection_lost(text: str) -> bool:
    return any(
        s in text
        for s in (
            "connection",
            "server closed",
            "could not connect",
            "gone away",
            "terminating",
            "shutting down",
            "timeout",
        )
    )
