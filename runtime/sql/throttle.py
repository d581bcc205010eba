"""The login throttle's table and statements (runtime/auth/throttle.py holds the rules).

One row per throttled key (a SHA-256 of an account or a client address, so the table holds no
e-mail addresses): when its window started and how many failures it has seen. Counting is one
atomic upsert, so any number of workers and servers share the counts through the database.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import mysql, postgresql, sqlite

THROTTLE_TABLE = "lb_login_throttle"


def throttle_table(metadata: sa.MetaData) -> sa.Table:
    """The table on METADATA (created with the models' tables at start-up)."""
    return sa.Table(
        THROTTLE_TABLE,
        metadata,
        sa.Column("key", sa.String(64), primary_key=True),
        # milliseconds since the epoch: exact on every backend (MySQL's FLOAT is single precision)
        sa.Column("window_start", sa.BigInteger, nullable=False, index=True),
        sa.Column("failures", sa.Integer, nullable=False),
    )


@dataclass(frozen=True)
class ThrottleTable:
    """The table and every statement the throttle runs on it."""

    table: sa.Table

    @classmethod
    def build(cls, metadata: sa.MetaData | None = None) -> ThrottleTable:
        return cls(throttle_table(metadata if metadata is not None else sa.MetaData()))

    @property
    def metadata(self) -> sa.MetaData:
        return self.table.metadata

    def count_failure(self, backend: str, key: str, now_ms: int, window_ms: int) -> Any:
        """Insert the key's first failure, or count one more: in a new window when the old one
        has ended. One statement, so concurrent failures are all counted."""
        table = self.table
        stale = table.c.window_start <= now_ms - window_ms
        failures = sa.case((stale, 1), else_=table.c.failures + 1)
        window_start = sa.case((stale, now_ms), else_=table.c.window_start)
        if backend == "mysql":
            # MySQL assigns left to right, each seeing the ones before: failures first, while
            # window_start still holds the old value
            return (
                mysql.insert(table)
                .values(key=key, window_start=now_ms, failures=1)
                .on_duplicate_key_update([("failures", failures), ("window_start", window_start)])
            )
        dialect_insert = postgresql.insert if backend == "postgresql" else sqlite.insert
        return (
            dialect_insert(table)
            .values(key=key, window_start=now_ms, failures=1)
            .on_conflict_do_update(
                index_elements=[table.c.key],
                set_={"failures": failures, "window_start": window_start},
            )
        )

    def read(self, keys: list[str]) -> sa.Select[Any]:
        t = self.table
        return sa.select(t.c.key, t.c.window_start, t.c.failures).where(t.c.key.in_(keys))

    def counts(self) -> sa.Select[Any]:
        """Every key's failures (for tests and operators)."""
        return sa.select(self.table.c.key, self.table.c.failures)

    def forget(self, key: str) -> sa.Delete:
        return sa.delete(self.table).where(self.table.c.key == key)

    def forget_ended(self, before_ms: int) -> sa.Delete:
        """Rows whose window ended: they throttle nothing any more."""
        return sa.delete(self.table).where(self.table.c.window_start <= before_ms)
