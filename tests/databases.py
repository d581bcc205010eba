"""The databases tests run on: SQLite always; PostgreSQL and MySQL/MariaDB when their server URLs are
in the environment (`.ci/run` sets both). Each test run creates uniquely named databases on those
servers and drops them when it ends; a configured server that cannot be reached fails the run.

    LB_TEST_POSTGRES_URL=postgresql://postgres@127.0.0.1:5432/postgres
    LB_TEST_MYSQL_URL=mysql://root@127.0.0.1:3306/
"""

from __future__ import annotations

import os
import secrets

import sqlalchemy as sa

from runtime.db import driver_url

ENV = {"postgresql": "LB_TEST_POSTGRES_URL", "mysql": "LB_TEST_MYSQL_URL"}
# tests are parametrized over these; tests/conftest.py deselects the ones whose server is not set
ALL_BACKENDS = ("sqlite", "postgresql", "mysql")
SERVERS = ("postgresql", "mysql")
# fixture parameters that name a backend
BACKEND_PARAMS = ("backend", "shop_db")


def configured() -> list[str]:
    return ["sqlite", *(b for b, var in ENV.items() if os.environ.get(var))]


def missing() -> list[str]:
    return [var for var in ENV.values() if not os.environ.get(var)]


class TestDatabases:
    """Creates databases on the configured servers, remembers them, drops them all at the end."""

    __test__ = False  # not a test class

    def __init__(self) -> None:
        self.run = f"lbtest_{os.getpid()}_{secrets.token_hex(3)}"
        self.created: list[tuple[str, str]] = []  # (backend, database name)
        self._shared: dict[str, str] = {}

    def url(self, backend: str) -> str:
        """This run's shared database on BACKEND (created on first use)."""
        if backend == "sqlite":
            return "sqlite://"
        if backend not in self._shared:
            self._shared[backend] = self.fresh(backend)
        return self._shared[backend]

    def fresh(self, backend: str) -> str:
        """A new, empty database on BACKEND, dropped at the end of the run."""
        if backend == "sqlite":
            return "sqlite://"
        server = os.environ.get(ENV[backend])
        if not server:
            raise RuntimeError(f"{ENV[backend]} is not set")
        name = f"{self.run}_{len(self.created)}"
        with self._admin(backend) as conn:
            if backend == "postgresql":
                # C collation: string order is by code point, as on SQLite and MySQL's utf8mb4_bin
                conn.execute(
                    sa.text(
                        f"CREATE DATABASE \"{name}\" TEMPLATE template0 ENCODING 'UTF8' "
                        "LC_COLLATE 'C' LC_CTYPE 'C'"
                    )
                )
            else:
                conn.execute(sa.text(f"CREATE DATABASE `{name}` CHARACTER SET utf8mb4"))
        self.created.append((backend, name))
        return sa.make_url(server).set(database=name).render_as_string(hide_password=False)

    def drop_all(self) -> None:
        for backend, name in reversed(self.created):
            with self._admin(backend) as conn:
                if backend == "postgresql":
                    conn.execute(sa.text(f'DROP DATABASE IF EXISTS "{name}" WITH (FORCE)'))
                else:
                    conn.execute(sa.text(f"DROP DATABASE IF EXISTS `{name}`"))
        self.created.clear()
        self._shared.clear()

    def _admin(self, backend: str) -> sa.Connection:
        server = os.environ[ENV[backend]]
        engine = sa.create_engine(
            driver_url(server, sync=True), isolation_level="AUTOCOMMIT", poolclass=sa.NullPool
        )
        return engine.connect()
