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


def copy_database(server_url: str, source_url: str, target_url: str) -> None:
    """Replace the target with a copy of the source (`CREATE DATABASE … TEMPLATE`): the bound reads
    ours' freshly seeded tables, the same rows in the same layout, without seeding twice."""
    admin = sa.create_engine(
        driver_url(server_url, sync=True), isolation_level="AUTOCOMMIT", poolclass=sa.NullPool
    )
    source, target = sa.make_url(source_url).database, sa.make_url(target_url).database
    try:
        with admin.connect() as conn:
            # a template must have no sessions: a seeding pool's idle connections may linger
            conn.execute(
                sa.text(
                    "SELECT pg_terminate_backend(pid) FROM pg_stat_activity "
                    "WHERE datname = :db AND pid <> pg_backend_pid()"
                ),
                {"db": source},
            )
            conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{target}" WITH (FORCE)'))
            conn.execute(sa.text(f'CREATE DATABASE "{target}" TEMPLATE "{source}"'))
    finally:
        admin.dispose()


def add_find_index(db_url: str) -> None:
    """`--index`: the find scenario's index, the same in every server's database (both migrations
    name CoffeeShop's table `coffeeshop`), and fresh statistics for the planner."""
    if not db_url.startswith("postgresql"):
        raise SystemExit("--index needs --database postgresql")
    engine = sa.create_engine(
        driver_url(db_url, sync=True), isolation_level="AUTOCOMMIT", poolclass=sa.NullPool
    )
    try:
        with engine.connect() as conn:
            conn.execute(sa.text("CREATE INDEX bench_find ON coffeeshop (city, name)"))
            conn.execute(sa.text("ANALYZE"))
    finally:
        engine.dispose()


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
