"""The one line that says which database servers this run left out, and how to add them; when both
are configured, that each answers."""

from __future__ import annotations

import pytest
import sqlalchemy as sa

from runtime.db import sync_engine
from tests.databases import TestDatabases, missing


def test_every_database_backend_is_configured(databases: TestDatabases) -> None:
    if missing():
        pytest.skip(
            f"PostgreSQL/MySQL tests not run: set {' and '.join(missing())} "
            "(server URLs; .ci/run sets them, see tests/databases.py)"
        )
    for backend in ("postgresql", "mysql"):
        with sync_engine(databases.url(backend)) as engine, engine.connect() as conn:
            assert conn.scalar(sa.text("SELECT 1")) == 1
