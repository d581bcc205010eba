"""Includes the database renders inside its parents' JSON (runtime/sql/json_select.py), planned as
runtime/relations/loading.py loads them, so the body is the one the row path would send.

What a level of loading.py shows, the plan shows: the target's `fields` (or its visible
properties) plus the key the relation matches on unless hidden, in declaration order, then its own
includes in order; belongsTo and hasOne the first target by the scope's order (no key when none),
hasMany every target, its scope's limit and skip counted per parent; the relation's scope where,
the include's where and the rows the caller's ACLs let it see (`visible`) ANDed.

`inlinable` decides per shape, before the read runs any hook, whether every level can be so
rendered; a shape that cannot takes the row path whole: through/HABTM, referencesMany, embedded and
polymorphic relations, a target on another database or with `access` hooks, a where reaching other
models (EXISTS), a relation named like a property, the same relation twice, keys of different types.
"""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import replace
from typing import TYPE_CHECKING

from ..context import Context
from ..filter.ast import And, Condition, Filter, Include, Or, Where
from ..plan import IncludePlan, plan_query
from ..sql.json_select import kind_of, renders
from .base import Relation, and_

if TYPE_CHECKING:
    from ..model import Model

KINDS = ("belongsTo", "hasOne", "hasMany")
_NUMERIC = ("text", "number")  # integer and double columns compare with each other


def inlinable(model: Model, includes: Iterable[Include]) -> bool:
    """Whether these includes (and theirs, at every level) render in SQL as loading.py shows them."""
    names: set[str] = set()
    for inc in includes:
        if inc.relation in names or inc.relation in model.meta.properties:
            return False
        names.add(inc.relation)
        rel = model.relation(inc.relation)
        if rel.type not in KINDS or rel.discriminator is not None or rel.target is None:
            return False
        target = rel.target
        if target.db is not model.db or target.hooks.has("access"):
            return False
        if target.name not in model.table.catalog:
            return False
        parent_key, target_key = _keys(rel)
        if parent_key not in model.meta.properties or not _comparable(
            model, parent_key, target, target_key
        ):
            return False
        where = and_(rel.scope.where, inc.filter.where)
        if where is not None and not _plain(where):
            return False
        if not renders(target.table, _shown(rel, inc.filter)):
            return False
        if not inlinable(target, inc.filter.include):
            return False
    return True


async def include_plans(
    model: Model, includes: Iterable[Include], ctx: Context | None
) -> tuple[IncludePlan, ...]:
    """The plans of includes `inlinable` accepted, with the rows each target's ACLs let the
    caller see (read now, as loading.py reads them)."""
    plans = []
    for inc in includes:
        rel = model.relation(inc.relation)
        target = rel.target
        assert target is not None  # inlinable() refused the others
        flt = inc.filter
        visible = await target.acl.visible(ctx) if target.acl is not None else None
        many = rel.type == "hasMany"
        scoped = Filter(
            where=and_(rel.scope.where, flt.where, visible),
            fields=_shown(rel, flt),
            order=flt.order or rel.scope.order,
            limit=flt.limit if many else 1,
            skip=flt.skip if many else 0,
        )
        plan = plan_query(target.meta, scoped)
        nested = await include_plans(target, flt.include, ctx)
        if nested:
            plan = replace(plan, includes=nested)
        parent_key, target_key = _keys(rel)
        plans.append(IncludePlan(rel.name, many, parent_key, target_key, plan))
    return tuple(plans)


def _keys(rel: Relation) -> tuple[str, str]:
    """(the parent's property, the target's property) the relation matches on."""
    if rel.type == "belongsTo":
        assert rel.target is not None
        return rel.foreign_key, rel.meta.owner_key(rel.parent.meta, rel.target.meta)
    return rel.primary_key, rel.foreign_key


def _shown(rel: Relation, flt: Filter) -> tuple[str, ...]:
    """The target properties a level shows: its fields, and the matched key unless hidden."""
    target = rel.target
    assert target is not None
    meta = target.meta
    shown = set(flt.fields if flt.fields is not None else target.codec.visible)
    key = _keys(rel)[1]
    if key in meta.properties and not meta.properties[key].hidden:
        shown.add(key)
    return tuple(p for p in meta.properties if p in shown)


def _comparable(parent: Model, parent_key: str, target: Model, target_key: str) -> bool:
    """Whether the two keys compare in SQL as loading.py compares them in Python."""
    if target_key not in target.meta.properties:
        return False
    mine = kind_of(parent.table, parent_key)
    theirs = kind_of(target.table, target_key)
    if mine is None or theirs is None:
        return False
    return mine == theirs or (mine in _NUMERIC and theirs in _NUMERIC)


def _plain(where: Where) -> bool:
    """A where on the model's own columns (no EXISTS or sub-select over other tables)."""
    if isinstance(where, Condition):
        return where.op != "near"
    if isinstance(where, And | Or):
        return all(_plain(item) for item in where.items)
    return False
