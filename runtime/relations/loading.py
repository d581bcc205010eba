"""`include`: the related rows of many parents, one statement per relation level (no N+1).

A read with includes selects its rows, then, for each included relation, ONE statement that reads the
targets of every parent at once (`WHERE key IN (...)`; PostgreSQL: `key = ANY($1)`, one prepared
statement for any number of keys; in chunks of `CHUNK` keys only past that size), each on the
target's database (a relation may cross data sources), and recurses into the targets' own includes
the same way: three levels over any number of parents are four statements. Per-parent `limit`/`skip` in a scope is a window function
(`ROW_NUMBER() OVER (PARTITION BY parent key ORDER BY scope order, id)`) in a sub-select, never one
query per parent. through/HABTM join the (distinct) join rows, so each target carries the parent key
it was read for; referencesMany reads every referenced id at once and keeps each array's order;
embedsOne/embedsMany read nothing: the items are in the parent's row.

What the output shows follows LB3 3.28: hasMany/through/referencesMany/embedsMany give an array
(`[]` when empty); belongsTo/hasOne/embedsOne give the object, or no key at all when there is none.
A scope's `fields` keep the key the relation matches on (LB3 adds it); keys a read needs only to
load includes (a parent's id left out of `fields`, a hidden foreign key) are fetched and removed.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING, Any

from .. import read
from ..auth.scoping import NOTHING
from ..context import Context
from ..filter.ast import Filter, Include
from ..filter.evaluate import apply
from ..plan import Parents, QueryPlan, plan_query
from ..sql import include as include_sql
from ..sql import shapes
from .base import EMBEDDED, THROUGH, Relation, and_

if TYPE_CHECKING:
    from ..model import Model

CHUNK = 500  # keys per IN list: one statement up to this many parents' keys

Row = dict[str, Any]


async def find(
    model: Model, flt: Filter, *, limit: int | None = None, ctx: Context | None = None
) -> list[Row]:
    """`Model.find` with includes: the rows, their keys fetched if `fields` left them out, every
    included relation attached, then those keys removed."""
    fetch, strip = _fetched(model, flt.fields, parent_keys(model, flt.include))
    plan = plan_query(model.meta, replace(flt, fields=fetch), limit=limit)
    rows = await model.db.shaped_rows(*shapes.ROWS(model.table, plan))
    out = [model.codec.to_json(row, fetch) for row in rows]
    await attach(model, out, flt.include, ctx)
    return _strip(out, strip)


def parent_keys(model: Model, includes: Iterable[Include]) -> set[str]:
    """The properties of `model` that loading these includes reads from each row."""
    keys: set[str] = set()
    for inc in includes:
        rel = model.relation(inc.relation)
        if rel.type == "belongsTo":
            keys.add(rel.foreign_key)
            if rel.discriminator:
                keys.add(rel.discriminator)
        elif rel.type == "referencesMany":
            keys.add(rel.foreign_key)
        elif rel.type in EMBEDDED:
            keys.add(rel.property)
        else:
            keys.add(rel.primary_key)
    return {k for k in keys if k in model.meta.properties}


async def attach(
    model: Model,
    rows: list[Row],
    includes: Iterable[Include],
    ctx: Context | None = None,
) -> None:
    """Add each included relation to every row (in place), one statement per relation, each run
    on the target's own database (a relation may cross data sources)."""
    for inc in includes:
        if not rows:
            return
        await _attach_one(model.relation(inc.relation), rows, inc, ctx)


async def _attach_one(rel: Relation, rows: list[Row], inc: Include, ctx: Context | None) -> None:
    if rel.type == "belongsTo":
        await _belongs_to(rel, rows, inc.filter, ctx)
    elif rel.type in THROUGH:
        await _through(rel, rows, inc.filter, ctx)
    elif rel.type == "referencesMany":
        await _references(rel, rows, inc.filter, ctx)
    elif rel.type in EMBEDDED:
        _embedded(rel, rows, inc.filter)
    else:
        await _children(rel, rows, inc.filter, ctx)


# ---- the kinds ---------------------------------------------------------------------------------


async def _belongs_to(rel: Relation, rows: list[Row], flt: Filter, ctx: Context | None) -> None:
    """The owner by the row's foreign key; a polymorphic one per model the discriminator names
    (one statement per model present; a row naming no known model gets none)."""
    by_model: dict[str, tuple[Model, list[Row]]] = {}
    for row in rows:
        target = rel.target
        if rel.discriminator is not None:
            named = row.get(rel.discriminator)
            target = rel.models.get(named.lower()) if isinstance(named, str) else None
        if target is not None:
            by_model.setdefault(target.name, (target, []))[1].append(row)
    for target, owned in by_model.values():
        key = rel.meta.owner_key(rel.parent.meta, target.meta)
        groups = _group(owned, rel.foreign_key)
        scope = rel.scope if rel.target is not None else Filter()
        found: dict[Any, Row] = {}
        read = await _targets(
            target, flt, scope, include_sql.keyed(target.table, key), groups, ctx, shown_key=key
        )
        for parent, item in read:
            found.setdefault(parent, item)
        for parent, members in groups.items():
            if parent in found:
                for row in members:
                    row[rel.name] = found[parent]


async def _children(rel: Relation, rows: list[Row], flt: Filter, ctx: Context | None) -> None:
    """hasMany (an array) and hasOne (the first child, or no key), polymorphic or not."""
    target = rel.target_model()
    groups = _group(rows, rel.primary_key)
    kind = (rel.discriminator, rel.parent.name) if rel.discriminator is not None else None
    many = rel.type == "hasMany"
    found = await _targets(
        target,
        flt,
        rel.scope,
        include_sql.keyed(target.table, rel.foreign_key, kind),
        groups,
        ctx,
        shown_key=rel.foreign_key,
        per_parent=many,
    )
    _assign(rel.name, rows, groups, found, many=many)


async def _through(rel: Relation, rows: list[Row], flt: Filter, ctx: Context | None) -> None:
    """hasManyThrough/HABTM: the targets joined to this parent's distinct join rows, each with
    the parent key it was read for (a dangling or duplicate join row adds nothing)."""
    target = rel.target_model()
    join = rel.through
    assert join is not None  # resolve() sets it for every through relation
    kind = (rel.discriminator, rel.kind()) if rel.discriminator is not None else None
    source = include_sql.through(join.table, target.table, rel.foreign_key, rel.key_through, kind)
    groups = _group(rows, rel.primary_key)
    found = await _targets(
        target,
        flt,
        rel.scope,
        source,
        groups,
        ctx,
        shown_key=target.meta.id_name,
        per_parent=True,
    )
    _assign(rel.name, rows, groups, found, many=True)


async def _references(rel: Relation, rows: list[Row], flt: Filter, ctx: Context | None) -> None:
    """referencesMany: every referenced id in one statement; each parent's targets in its array's
    order (or the scope's order), then its own skip/limit."""
    target = rel.target_model()
    key = rel.primary_key
    arrays = {id(row): _ids(row.get(rel.foreign_key)) for row in rows}
    wanted: dict[Any, list[Row]] = {k: [] for ids in arrays.values() for k in ids}
    page = replace(flt, limit=None, skip=0)
    read = await _targets(
        target, page, rel.scope, include_sql.keyed(target.table, key), wanted, ctx, shown_key=key
    )
    by_key = {parent: item for parent, item in read}
    ordered = bool(flt.order or rel.scope.order)
    position = {parent: index for index, (parent, _) in enumerate(read)}
    end = flt.skip + flt.limit if flt.limit else None
    for row in rows:
        ids = [k for k in dict.fromkeys(arrays[id(row)]) if k in by_key]
        if ordered:
            ids.sort(key=lambda k: position[k])
        row[rel.name] = [by_key[k] for k in ids][flt.skip : end]


def _embedded(rel: Relation, rows: list[Row], flt: Filter) -> None:
    """The items stored in the row, as the embedded model's JSON, the scope applied in memory."""
    rules = rel.items
    assert rules is not None  # resolve() sets it for every embedded relation
    for row in rows:
        stored = row.get(rel.property)
        if rel.type == "embedsOne":
            if isinstance(stored, dict):
                shown = apply(flt, [rules.codec.to_json(stored)], dates=rules.dates)
                if shown:
                    row[rel.name] = shown[0]
            continue
        items = [rules.codec.to_json(i) for i in stored or () if isinstance(i, dict)]
        row[rel.name] = apply(flt, items, dates=rules.dates)


# ---- reading targets ---------------------------------------------------------------------------


async def _targets(
    target: Model,
    flt: Filter,
    scope: Filter,
    source: include_sql.Reach,
    groups: dict[Any, list[Row]],
    ctx: Context | None = None,
    *,
    shown_key: str | None = None,
    per_parent: bool = False,
) -> list[tuple[Any, Row]]:
    """(parent key, target JSON) pairs for every parent key in `groups`, the relation's scope and
    the include's scope applied (and what the target's `access` hooks add: the read stage), the
    targets' own includes attached. One statement per CHUNK keys; `per_parent`: limit/skip count per
    parent key (a window), else they are not applied."""
    keys = list(groups)
    if not keys:
        return []
    mt = target.table
    meta = target.meta
    wanted = flt.fields if flt.fields is not None else target.codec.visible
    shown = set(wanted)
    if shown_key is not None and not meta.properties[shown_key].hidden:
        shown.add(shown_key)
    needed = parent_keys(target, flt.include) | shown
    fetch = tuple(p for p in meta.properties if p in needed)
    scoped = target.hooks or target.acl is not None
    access = await read.target_where(target, flt, ctx) if scoped else None
    if access == NOTHING:  # targets the caller may not read: left out, never leaked
        return []
    where = and_(scope.where, flt.where, access)
    order = flt.order or scope.order
    window = per_parent and bool(flt.limit or flt.skip)
    limit, skip = (flt.limit or None, flt.skip) if window else (None, 0)
    pairs: list[tuple[Any, Row]] = []
    for start in range(0, len(keys), CHUNK):
        parents = Parents(source, keys[start : start + CHUNK], window)
        plan = QueryPlan(target.name, fetch, where, order, limit, skip, parents)
        for values in await target.db.shaped_rows(*shapes.TARGETS(mt, plan)):
            pairs.append((_key(values[include_sql.PARENT]), target.codec.to_json(values, fetch)))
    await attach(target, [item for _, item in pairs], flt.include, ctx)
    strip = set(fetch) - shown
    if strip:
        for _, item in pairs:
            for name in strip:
                item.pop(name, None)
    return pairs


# ---- keys --------------------------------------------------------------------------------------


def _fetched(
    model: Model, fields: tuple[str, ...] | None, keys: set[str]
) -> tuple[tuple[str, ...], set[str]]:
    """The properties to read (what `fields` shows, plus the keys includes need) and the ones to
    remove from the answer."""
    shown = set(fields if fields is not None else model.codec.visible)
    fetch = tuple(p for p in model.meta.properties if p in shown or p in keys)
    return fetch, set(fetch) - shown


def _strip(rows: list[Row], names: set[str]) -> list[Row]:
    if names:
        for row in rows:
            for name in names:
                row.pop(name, None)
    return rows


def _key(value: Any) -> Any:
    """A key as a dict key: a whole float (a number read back as a double) equals its int."""
    if isinstance(value, float) and value.is_integer():
        return int(value)
    return value


def _group(rows: list[Row], prop: str) -> dict[Any, list[Row]]:
    """The rows by their value of `prop` (rows without one are left out: they match nothing)."""
    groups: dict[Any, list[Row]] = {}
    for row in rows:
        value = row.get(prop)
        if value is not None:
            groups.setdefault(_key(value), []).append(row)
    return groups


def _ids(value: Any) -> list[Any]:
    return [_key(v) for v in value if v is not None] if isinstance(value, list) else []


def _assign(
    name: str,
    rows: list[Row],
    groups: dict[Any, list[Row]],
    found: list[tuple[Any, Row]],
    *,
    many: bool,
) -> None:
    """hasMany/through: every parent gets its list (`[]` for none); hasOne: the first child, or
    no key. Each parent gets its own list object."""
    by_parent: dict[Any, list[Row]] = {}
    for parent, item in found:
        by_parent.setdefault(parent, []).append(item)
    for parent, members in groups.items():
        children = by_parent.get(parent, [])
        for row in members:
            if many:
                row[name] = list(children)
            elif children:
                row[name] = children[0]
    if many:  # a parent without a key value still answers an empty list
        for row in rows:
            row.setdefault(name, [])
