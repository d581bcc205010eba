"""PostgreSQL statements run on asyncpg itself, outside SQLAlchemy's execution layer.

A model's prebuilt statements (its row by id, its insert, the `$owner` test of a row) are compiled
by SQLAlchemy once per set of columns, a read kept per query shape (find, findOne, count, include
levels: runtime/sql/shapes.py) once when first run (`prepare`: its `$n` text and which value each
parameter takes), and any other statement built per request once per shape (`shaped`: SQLAlchemy's
cache key, the statement without its values); a request then borrows a connection from the engine's own pool (its size cap, its check for
connections the server closed) and runs the compiled SQL as an asyncpg prepared statement (asyncpg
caches it per connection) with only the values bound. Measured with callgrind on a findById, the
execution layer (Connection, events, greenlet hops, result proxy) was about 650k of the 850k
instructions the read took; this path spends about 200k.

Borrowing from SQLAlchemy's asyncio pool costs two greenlet hops and an `asyncio.wait_for` task per
statement (about a quarter of a findById), so the direct path keeps the connections it checked out
(`Lender`): the next statement takes one back with a list pop. They stay the pool's connections,
counted against its one size cap; one is given back to it whenever someone waits for the pool, and
one is reused only after the checks the pool's own checkout makes (closed by the server, older than
`pool_recycle`, checked out before the pool was invalidated or replaced).

A statement qualifies only when SQLAlchemy would convert none of its values on the way in or out
(text, integers, booleans, timestamps, double precision, arrays of these: asyncpg's own codecs; JSON
results, which asyncpg decodes with the codec SQLAlchemy's dialect installed), so both paths return
the same values; any other statement (a JSON value bound, numeric columns, a list SQLAlchemy expands
when it runs) keeps SQLAlchemy's path. So does everything inside a `transaction()` block, which runs on that block's
connection, and every statement of an engine someone listens to (statement counts, logging).
"""

from __future__ import annotations

import time
from collections.abc import Awaitable, Mapping, Sequence
from typing import Any, TypeVar

import asyncpg
import sqlalchemy as sa
from sqlalchemy.dialects.postgresql import ARRAY
from sqlalchemy.ext.asyncio import AsyncEngine
from sqlalchemy.util.concurrency import greenlet_spawn

from .faults import translate_errors

_T = TypeVar("_T")
_FLOAT8 = 701  # PostgreSQL's double precision
_MAX_CACHED = 1024  # prebuilt statements x column sets; a bound, not an expected size


class Compiled:
    """One statement's SQL text and the names of its parameters, in `$n` order."""

    __slots__ = ("names", "sql")

    def __init__(self, sql: str, names: Sequence[str]) -> None:
        self.sql = sql
        self.names = tuple(names)

    def args(self, params: Mapping[str, Any]) -> list[Any]:
        return [params[name] for name in self.names]


class Positional(Compiled):
    """A kept statement's SQL text and, for each `$n`, which of a request's values it takes (an
    index) or the constant the statement holds (a value that is part of its shape)."""

    __slots__ = ("constants", "picks")

    def __init__(self, sql: str, picks: Sequence[int], constants: Sequence[Any]) -> None:
        super().__init__(sql, ())
        self.picks = tuple(picks)
        self.constants = list(constants)

    def bind(self, values: list[Any]) -> list[Any]:
        """The `$n` arguments of one run."""
        full = values + self.constants if self.constants else values
        return [full[i] for i in self.picks]


class Direct:
    """The direct path of one PostgreSQL engine."""

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.dialect = engine.dialect
        self._cache: dict[tuple[int, tuple[str, ...] | None], tuple[Any, Compiled | None]] = {}
        self._shapes: dict[Any, Any] = {}  # SQLAlchemy cache key -> (compiled, slots, constants)
        self.lender = Lender(engine)

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
        if not self._plain(stmt, compiled):
            return None
        return Compiled(compiled.string, compiled.positiontup or [])

    def _plain(self, stmt: Any, compiled: Any) -> bool:
        """Whether SQLAlchemy would convert none of the compiled statement's values, in or out."""
        results = list(stmt.selected_columns) if isinstance(stmt, sa.Select) else []
        results += getattr(compiled, "effective_returning", None) or ()
        return all(
            self._plain_in(compiled.binds[name].type) for name in compiled.positiontup or ()
        ) and all(self._plain_out(column.type) for column in results)

    def _plain_in(self, type_: Any) -> bool:
        """Whether SQLAlchemy passes a value of this type to asyncpg unchanged."""
        try:
            impl = type_.dialect_impl(self.dialect)
            if isinstance(impl, ARRAY):  # a list of plain items: asyncpg binds it as it is
                return self._plain_in(impl.item_type)
            return impl.bind_processor(self.dialect) is None
        except Exception:  # a processor that needs more than the dialect: not plain
            return False

    def _plain_out(self, type_: Any) -> bool:
        """Whether SQLAlchemy returns asyncpg's value of this type unchanged (JSON: asyncpg's own
        codec, which SQLAlchemy's dialect installed on the connection, decodes it)."""
        try:
            impl = type_.dialect_impl(self.dialect)
            # a float column is double precision (runtime/sql/types.py): its code, asyncpg's float
            code = _FLOAT8 if isinstance(impl, sa.Float) and not impl.asdecimal else None
            return impl.result_processor(self.dialect, code) is None
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
        name_of = {id(bind): name for name, bind in compiled.binds.items()}
        if not self._plain(stmt, compiled) or not all(id(bind) in name_of for bind in binds):
            return False
        slots = [name_of[id(bind)] for bind in binds]
        constants = compiled.construct_params()  # values that are part of the shape itself
        return Compiled(compiled.string, compiled.positiontup or []), slots, constants

    def prepare(self, stmt: Any, names: Sequence[str]) -> Positional | None:
        """A statement kept per shape (runtime/sql/shapes.py), whose parameters `names` take a
        request's values in that order: compiled once, or None when it must take SQLAlchemy's path
        (values it converts, a list it expands when it runs)."""
        compiled = stmt.compile(dialect=self.dialect)
        if compiled.post_compile_params or compiled.literal_execute_params:
            return None
        if not self._plain(stmt, compiled):
            return None
        slot = {name: index for index, name in enumerate(names)}
        known = compiled.construct_params({name: None for name in names})
        constants: list[Any] = []
        picks: list[int] = []
        for name in compiled.positiontup or ():
            if name in slot:
                picks.append(slot[name])
            else:  # a value that is part of the shape (a literal the statement holds)
                picks.append(len(names) + len(constants))
                constants.append(known[name])
        return Positional(compiled.string, picks, constants)

    async def fetch(self, compiled: Compiled, args: list[Any]) -> list[Any]:
        """Every row (asyncpg Records, read by column label)."""
        return list(await self._run("fetch", compiled.sql, args))

    async def value(self, compiled: Compiled, args: list[Any]) -> Any:
        """The first column of the first row (a count), or None."""
        return await self._run("fetchval", compiled.sql, args)

    async def first(self, compiled: Compiled, params: Mapping[str, Any]) -> Any:
        """The first row (an asyncpg Record, read by column label) or None."""
        return await self._run("fetchrow", compiled.sql, compiled.args(params))

    async def _run(self, method: str, sql: str, args: Sequence[Any]) -> Any:
        """One statement on a pooled connection's asyncpg `method` (fetch, fetchrow, fetchval)."""
        lender = self.lender
        lent = lender.take()
        if lent is None:
            lent = await lender.checkout()
        fairy, driver = lent
        try:
            found = await getattr(driver, method)(sql, *args)
        except BaseException as exc:
            await greenlet_spawn(_discard, fairy, exc)
            with translate_errors():
                raise
        if lender.waiting:  # someone waits for the pool: this connection goes back to it
            await greenlet_spawn(fairy.close)
        else:
            lender.idle.append(lent)
        return found


class Lender:
    """The connections the direct path holds between statements, checked out of the engine's pool.

    `waiting` counts the tasks waiting for the pool (the direct path's and SQLAlchemy's: see
    `pooled`); while one waits, a connection the direct path is done with goes back to the pool
    instead of staying here, so holding connections never starves a caller."""

    __slots__ = ("engine", "idle", "sync", "unfit", "waiting")

    def __init__(self, engine: AsyncEngine) -> None:
        self.engine = engine
        self.sync = engine.sync_engine  # its `pool` is replaced by dispose(): read it each time
        # checked-out connections (SQLAlchemy's fairy, asyncpg's connection), last used last
        self.idle: list[tuple[Any, Any]] = []
        self.unfit: list[Any] = []  # idle fairies found unfit, to give back at the next checkout
        self.waiting = 0

    def take(self) -> tuple[Any, Any] | None:
        """An idle connection still fit for use, or None (the caller checks one out). One the pool's
        checkout would refuse or recycle is dropped here, as that checkout would (_drop_closed)."""
        idle = self.idle
        while idle:
            lent = idle.pop()
            if self._fit(*lent):
                return lent
            self.unfit.append(lent[0])  # leaves in checkout(), where awaiting is possible
        return None

    def _fit(self, fairy: Any, driver: Any) -> bool:
        pool = self.sync.pool
        record = fairy._connection_record  # the pool's own bookkeeping of this connection
        return (
            record is not None
            and fairy._pool is pool  # not from a pool that dispose() replaced
            and not driver.is_closed()
            and (pool._recycle < 0 or time.time() - record.starttime <= pool._recycle)
            and pool._invalidate_time <= record.starttime
        )

    async def checkout(self) -> tuple[Any, Any]:
        while self.unfit:
            await greenlet_spawn(_drop, self.unfit.pop())
        with translate_errors():  # pool exhausted, database down: 503
            fairy = await self.pooled(self.engine.raw_connection())
        return fairy, fairy.driver_connection

    async def pooled(self, checkout: Awaitable[_T]) -> _T:
        """Await a checkout from the engine's pool, first giving it back this path's idle
        connections when it has none to hand out (its size cap counts them), and counted in
        `waiting` meanwhile so connections in use go back to the pool when released."""
        if self.idle:
            pool: Any = self.sync.pool  # a QueuePool: max_overflow=0, one cap
            if pool.checkedin() == 0 and pool.checkedout() >= pool.size():
                await self.give_back()
        self.waiting += 1
        try:
            return await checkout
        finally:
            self.waiting -= 1

    async def give_back(self) -> None:
        """Every idle connection back to the pool (before a checkout would wait, before disposal)."""
        self.unfit += [fairy for fairy, _ in self.idle]
        self.idle.clear()
        while self.unfit:
            await greenlet_spawn(_drop, self.unfit.pop())

    def forget(self) -> None:
        """Drop the idle connections without touching them: the pool is disposed of without
        closing its connections (a process about to fork), and so are these."""
        self.idle.clear()
        self.unfit.clear()


def _drop(fairy: Any) -> None:
    """An idle connection unfit for reuse back to the pool: one the server closed is invalidated
    (the pool opens a new one); an old one the pool recycles at its next checkout."""
    driver = fairy.driver_connection
    if driver is None or driver.is_closed():
        fairy.invalidate()
    fairy.close()


def _discard(fairy: Any, exc: BaseException) -> None:
    """After a failed statement: an error the server reported (a taken unique value) leaves the
    connection usable; anything else (a lost connection, a request cancelled mid-statement) may
    not, so that connection leaves the pool."""
    if not isinstance(exc, asyncpg.PostgresError):
        fairy.invalidate()
    fairy.close()
