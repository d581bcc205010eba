"""PostgreSQL statements run on asyncpg itself, outside SQLAlchemy's execution layer.

A model's prebuilt statements (its row by id, its insert) are compiled by SQLAlchemy once per set of
columns, and a find's select once per shape (SQLAlchemy's cache key: the statement without its
values, so `{"city": "Oslo"}` and `{"city": "Rome"}` share one); a request then borrows a connection from the engine's own pool (its size cap, its check for
connections the server closed) and runs the compiled SQL as an asyncpg prepared statement (asyncpg
caches it per connection) with only the values bound. Measured with callgrind on a findById, the
execution layer (Connection, events, greenlet hops, result proxy) was about 650k of the 850k
instructions the read took; this path spends about 200k.

A statement qualifies only when SQLAlchemy would convert none of its values on the way in or out
(text, integers, booleans, timestamps: asyncpg's own codecs), so both paths return the same values;
any other statement (JSON, numeric columns, an `inq` list SQLAlchemy expands when it runs) keeps
SQLAlchemy's path. So does everything inside a `transaction()` block, which runs on that block's
connection, and every statement of an engine someone listens to (statement counts, logging).
"""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from typing import Any

import asyncpg
import sqlalchemy as sa
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.util.concurrency import greenlet_spawn

from .faults import translate_errors

_MAX_CACHED = 1024  # prebuilt statements x column sets; a bound, not an expected size


class Compiled:
    """One statement's SQL text and the names of its parameters, in `$n` order."""

    __slots__ = ("names", "sql")

    def __init__(self, sql: str, names: Sequence[str]) -> None:
        self.sql = sql
        self.names = tuple(names)

    def args(self, params: Mapping[str, Any]) -> list[Any]:
        return [params[name] for name in self.names]


class Direct:
    """The direct path of one PostgreSQL engine."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.dialect = engine.dialect
        self._cache: dict[tuple[int, tuple[str, ...] | None], tuple[Any, Compiled | None]] = {}
        self._shapes: dict[Any, Any] = {}  # SQLAlchemy cache key -> (compiled, slots, constants)

    def compiled(
        self, stmt: sa.Executable, column_keys: tuple[str, ...] | None = None
    ) -> Compiled | None:
        """The statement compiled for asyncpg, or None when it must take SQLAlchemy's path.
        Keyed by the statement object: only statements a model keeps for its lifetime come here."""
        key = (id(stmt), column_keys)
        hit = self._cache.get(key)
        if hit is not None and hit[0] is stmt:
            return hit[1]
        if len(self._cache) >= _MAX_CACHED:
            self._cache.clear()
        found = self._compile(stmt, column_keys)
        self._cache[key] = (stmt, found)
        return found

    def _compile(self, stmt: Any, column_keys: tuple[str, ...] | None) -> Compiled | None:
        compiled = stmt.compile(
            dialect=self.dialect, column_keys=list(column_keys) if column_keys else None
        )
        names = compiled.positiontup or []
        types = [compiled.binds[name].type for name in names]
        if isinstance(stmt, sa.Select):
            types += [column.type for column in stmt.selected_columns]
        types += [column.type for column in getattr(compiled, "effective_returning", None) or ()]
        if not all(self._plain(t) for t in types):
            return None
        return Compiled(compiled.string, names)

    def _plain(self, type_: Any) -> bool:
        """Whether SQLAlchemy passes this type's values through unchanged on asyncpg."""
        try:
            impl = type_.dialect_impl(self.dialect)
            return (
                impl.bind_processor(self.dialect) is None
                and impl.result_processor(self.dialect, None) is None
            )
        except Exception:  # a processor that needs the column's type code: not plain
            return False

    def shaped(self, stmt: Any) -> tuple[Compiled, list[Any]] | None:
        """A statement built per request (a find's select): compiled once per shape (SQLAlchemy's
        cache key: the statement without its values), with this statement's values in `$n` order;
        None when it must take SQLAlchemy's path (no cache key, values expanded at execution)."""
        key = stmt._generate_cache_key()
        if key is None:
            return None
        hit = self._shapes.get(key.key)
        if hit is None:
            if len(self._shapes) >= _MAX_CACHED:
                self._shapes.clear()
            hit = self._shapes[key.key] = self._compile_shape(stmt, key.bindparams)
        if hit is False:
            return None
        compiled, slots, constants = hit
        values = dict(constants)
        for slot, bind in zip(slots, key.bindparams, strict=True):
            values[slot] = bind.effective_value
        return compiled, [values[name] for name in compiled.names]

    def _compile_shape(self, stmt: Any, binds: Sequence[Any]) -> Any:
        compiled = stmt.compile(dialect=self.dialect)
        if compiled.post_compile_params or compiled.literal_execute_params:
            return False
        plain = self._compile(stmt, None)
        name_of = {id(bind): name for name, bind in compiled.binds.items()}
        if plain is None or not all(id(bind) in name_of for bind in binds):
            return False
        slots = [name_of[id(bind)] for bind in binds]
        constants = compiled.construct_params()  # values that are part of the shape itself
        return Compiled(compiled.string, compiled.positiontup or []), slots, constants

    async def fetch(self, compiled: Compiled, args: list[Any]) -> list[Any]:
        """Every row (asyncpg Records, read by column label)."""
        with translate_errors():  # pool exhausted, database down: 503
            fairy = await self.engine.raw_connection()
        try:
            records = await fairy.driver_connection.fetch(compiled.sql, *args)  # type: ignore[union-attr]
        except BaseException as exc:
            await greenlet_spawn(_discard, fairy, exc)
            with translate_errors():
                raise
        await greenlet_spawn(fairy.close)
        return list(records)

    async def first(self, compiled: Compiled, params: Mapping[str, Any]) -> Any:
        """The first row (an asyncpg Record, read by column label) or None."""
        with translate_errors():  # pool exhausted, database down: 503
            fairy = await self.engine.raw_connection()
        try:
            record = await fairy.driver_connection.fetchrow(  # type: ignore[union-attr]
                compiled.sql, *compiled.args(params)
            )
        except BaseException as exc:
            await greenlet_spawn(_discard, fairy, exc)
            with translate_errors():
                raise
        await greenlet_spawn(fairy.close)
        return record


def _discard(fairy: Any, exc: BaseException) -> None:
    """After a failed statement: an error the server reported (a taken unique value) leaves the
    connection usable; anything else (a lost connection, a request cancelled mid-statement) may
    not, so that connection leaves the pool."""
    if not isinstance(exc, asyncpg.PostgresError):
        fairy.invalidate()
    fairy.close()
