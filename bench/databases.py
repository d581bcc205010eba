"""Throwaway PostgreSQL databases for a benchmark run: one per server, so each gets the tables its own
migration makes (LB3's connector and ours differ), dropped when the run ends."""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import sqlalchemy as sa

from runtime.db import driver_url


@contextmanager
def postgres_databases(server_url: str, names: list[str]) -> Iterator[dict[str, str]]:
    admin = sa.create_engine(
        driver_url(server_url, sync=True), isolation_level="AUTOCOMMIT", poolclass=sa.NullPool
    )
    made = {name: f"lb3py_bench_{name}_{os.getpid()}" for name in names}
    try:
        with admin.connect() as conn:
            for db in made.values():
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)'))
                conn.execute(sa.text(f'CREATE DATABASE "{db}"'))
        yield {
            name: sa.make_url(server_url).set(database=db).render_as_string(hide_password=False)
            for name, db in made.items()
        }
    finally:
        with admin.connect() as conn:
            for db in made.values():
                conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{db}" WITH (FORCE)'))
        admin.dispose()


def postgres_reachable(server_url: str, timeout: int = 3) -> str | None:
    """None when the server answers, else why not: `--database auto` then runs SQLite alone."""
    engine = sa.create_engine(
        driver_url(server_url, sync=True),
        poolclass=sa.NullPool,
        connect_args={"connect_timeout": timeout},
    )
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("SELECT 1"))
        return None
    except sa.exc.SQLAlchemyError as exc:
        return (str(getattr(exc, "orig", None) or exc).strip().splitlines() or ["?"])[0]
    finally:
        engine.dispose()
