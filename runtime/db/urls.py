"""Users write LB3-style URLs (`postgresql://`, `mysql://`, `sqlite://`); we pick the drivers.

The request path runs on asyncio drivers (asyncpg, aiomysql); `specgen migrate`, `discover` and
start-up DDL run on synchronous ones (psycopg 3, PyMySQL), which read the same URLs.
"""

from __future__ import annotations

from typing import Literal

import sqlalchemy as sa

Backend = Literal["sqlite", "postgresql", "mysql"]
_BACKENDS: dict[str, Backend] = {
    "sqlite": "sqlite",
    "postgresql": "postgresql",
    "postgres": "postgresql",
    "mysql": "mysql",
    "mariadb": "mysql",
}
_DRIVERS: dict[tuple[Backend, bool], str] = {
    ("postgresql", False): "postgresql+asyncpg",
    ("postgresql", True): "postgresql+psycopg",
    ("mysql", False): "mysql+aiomysql",
    ("mysql", True): "mysql+pymysql",
    ("sqlite", False): "sqlite",
    ("sqlite", True): "sqlite",
}


class UnsupportedDatabase(ValueError):
    pass


def backend_of(url: str | sa.URL) -> Backend:
    try:
        parsed = sa.make_url(url)
    except sa.exc.ArgumentError:
        raise UnsupportedDatabase(f"not a database URL: {_safe(url)}") from None
    name = parsed.drivername.split("+", 1)[0]
    backend = _BACKENDS.get(name)
    if backend is None:
        raise UnsupportedDatabase(
            f'database "{name}" is not supported (use sqlite://, postgresql:// or mysql://)'
        )
    return backend


def driver_url(url: str | sa.URL, *, sync: bool = False) -> sa.URL:
    """The URL with our driver for its backend (any driver the user named is replaced)."""
    backend = backend_of(url)
    parsed = sa.make_url(url).set(drivername=_DRIVERS[backend, sync])
    if backend == "mysql" and "charset" not in parsed.query:
        parsed = parsed.update_query_dict({"charset": "utf8mb4"})
    return parsed


def in_memory(url: str | sa.URL) -> bool:
    """SQLite in memory: a database that lives and dies with one process's connection."""
    return backend_of(url) == "sqlite" and sa.make_url(url).database in (None, "", ":memory:")


def display(url: str | sa.URL) -> str:
    """A URL fit for logs and messages: never the password."""
    return _safe(url)


def _safe(url: str | sa.URL) -> str:
    try:
        return sa.make_url(url).render_as_string(hide_password=True)
    except sa.exc.ArgumentError:
        return "<unparseable URL>"
