"""Statements built and compiled once per query shape, their values bound per request.

A read's SQL depends on the structure of its plan (the model, the where tree with its operators and
property names, the order, the fields, whether a limit or skip is set), not on the values it
compares with: `{"city": "Oslo"}` and `{"city": "Rome"}` are one statement. Building that statement
with SQLAlchemy (and then computing SQLAlchemy's cache key to find its compiled form) per request
was most of a find's CPU; here a walk over the plan gives a cheap key and the values in order, and
only a key seen for the first time builds a statement, with a bound parameter (`:p0`, `:p1`...) in
place of each value. The database compiles the kept statement once (runtime/db: PostgreSQL's
direct path keeps its `$n` SQL text and parameter order; SQLAlchemy's path binds the values per
execution).

What is part of a shape rather than a value, because it changes the SQL: a null compared with
eq/neq (`IS NULL`), the length of a `nin` list (an `inq` list, like an include level's parent keys,
is one parameter: PostgreSQL's array, `= ANY($1)`, elsewhere a list SQLAlchemy expands when the
statement runs), `like`/`regexp` patterns (each dialect spells them from the
pattern), booleans ordered with gt/lt (a literal), values inside JSON and array properties, `near`,
and the Python type of every bound value (SQLAlchemy types a bound value from the column and it).
A plan that holds what no key can say (a sub-select from another table, an unhashable value) is
built for its request alone, as before.

One `Shapes` per builder function `(table, plan) -> statement`: a builder that wants this cache
takes a plan whose values may be `Slot`s (runtime.sql.builder turns them into bound parameters).
"""

from __future__ import annotations

import functools
from collections.abc import Callable
from dataclasses import replace
from typing import Any

import sqlalchemy as sa

from ..filter.ast import And, Condition, Exists, Or, Slot, Where
from ..plan import IncludePlan, QueryPlan
from . import builder, include, json_select
from .tables import ModelTable

Builder = Callable[[ModelTable, QueryPlan], sa.Select[Any]]

MAX_SHAPES = 1024  # per builder, every app of the process: a bound, not an expected size
_COMPARISONS = frozenset(("eq", "neq", "gt", "gte", "lt", "lte"))
_ORDERINGS = frozenset(("gt", "gte", "lt", "lte"))


class Shaped:
    """One shape's statement, its bound parameters' names in the order of a request's values, and
    what the database made of it (`prepared`: set by the database on first use, its business).
    `kept` is False for a statement built for one request only (its values are in it)."""

    __slots__ = ("kept", "names", "prepared", "statement", "table")

    def __init__(
        self, table: ModelTable, statement: sa.Select[Any], names: tuple[str, ...], kept: bool
    ) -> None:
        self.table = table
        self.statement = statement
        self.names = names
        self.kept = kept
        self.prepared: Any = None

    def params(self, values: list[Any]) -> dict[str, Any]:
        """The values by parameter name (what SQLAlchemy's execute takes)."""
        return dict(zip(self.names, values, strict=True))


class Unshaped(Exception):
    """A plan part no key can say: the plan is built for its request alone."""


class Shapes:
    """The statements of one builder, by shape, at most `size` of them (the oldest shape leaves
    first)."""

    def __init__(self, build: Builder, size: int = MAX_SHAPES) -> None:
        self.build = build
        self.size = size
        self._kept: dict[Any, Shaped] = {}

    def __call__(self, mt: ModelTable, plan: QueryPlan) -> tuple[Shaped, list[Any]]:
        """The statement for `plan`'s shape and `plan`'s values, in its parameters' order."""
        values: list[Any] = []
        try:
            key = (id(mt), plan_key(mt, plan, values, None))
            hit = self._kept.get(key)
        except (Unshaped, TypeError):  # TypeError: an unhashable value
            return Shaped(mt, self.build(mt, plan), (), kept=False), []
        if hit is not None and hit.table is mt:  # the same table, not one that reused its id
            return hit, values
        slots: list[Slot] = []
        statement = self.build(mt, slotted_plan(mt, plan, slots))
        names = tuple(slot.name for slot in slots)
        assert len(names) == len(values), (names, values)
        if len(self._kept) >= self.size:
            del self._kept[next(iter(self._kept))]
        shaped = self._kept[key] = Shaped(mt, statement, names, kept=True)
        return shaped, values

    def __len__(self) -> int:
        return len(self._kept)

    def clear(self) -> None:
        self._kept.clear()


# ---- the walk: one function gives the key (every request) and the slotted plan (a new shape) ----


def plan_key(mt: ModelTable, plan: QueryPlan, values: list[Any], slots: list[Slot] | None) -> Any:
    """The shape of `plan` as a hashable key; appends its values to `values` in parameter order
    (and, when `slots` is a list, a Slot for each)."""
    return _plan(mt, plan, values, slots)[0]


def slotted_plan(mt: ModelTable, plan: QueryPlan, slots: list[Slot]) -> QueryPlan:
    """`plan` with each value that is not part of its shape a Slot, in the order `plan_key` gives
    the values."""
    slotted = _plan(mt, plan, [], slots)[1]
    assert slotted is not None
    return slotted


def _plan(
    mt: ModelTable, plan: QueryPlan, values: list[Any], slots: list[Slot] | None
) -> tuple[Any, QueryPlan | None]:
    parents: Any = plan.parents
    parents_key = None
    if parents is not None:  # an include level: its chunk of parent keys is one list parameter
        parents_key = (parents.reach.shape(), parents.per_parent, _kind(parents.keys))
        keys = _value(list(parents.keys), values, slots)
        parents = replace(parents, keys=keys) if slots is not None else None
    where_key, where = _where(mt, plan.where, values, slots)
    limit: Any = plan.limit
    if limit is not None:
        limit = _value(limit, values, slots)
    offset: Any = plan.offset
    if offset:
        offset = _value(offset, values, slots)
    includes_key, includes = _includes(mt, plan.includes, values, slots)
    key: tuple[Any, ...] = (
        plan.columns,
        plan.order,
        plan.limit is None,
        bool(plan.offset),
        where_key,
        parents_key,
    )
    if includes_key:
        key += (includes_key,)
    if slots is None:
        return key, None
    return key, replace(
        plan, where=where, limit=limit, offset=offset, parents=parents, includes=includes
    )


def _includes(
    mt: ModelTable, includes: tuple[IncludePlan, ...], values: list[Any], slots: list[Slot] | None
) -> tuple[Any, tuple[IncludePlan, ...]]:
    """The relations a JSON body renders with each row (runtime/sql/json_select.py): each one's
    name, kind and keys are its shape, its target plan is walked like the parent's."""
    if not includes:
        return (), includes
    keys, slotted = [], []
    for inc in includes:
        target = mt.catalog.get(inc.plan.model)
        if target is None:
            raise Unshaped(inc.plan.model)
        key, plan = _plan(target, inc.plan, values, slots)
        keys.append((inc.name, inc.many, inc.parent_key, inc.target_key, inc.plan.model, key))
        if plan is not None:
            slotted.append(replace(inc, plan=plan))
    return tuple(keys), tuple(slotted)


def _kind(items: Any) -> Any:
    """What types a list parameter: its first item's type (as SQLAlchemy types an expanded list)."""
    return type(items[0]) if items else None


def _value(value: Any, values: list[Any], slots: list[Slot] | None) -> Any:
    """Append a bound value; its Slot when slots are wanted."""
    values.append(value)
    if slots is None:
        return value
    slot = Slot(f"p{len(slots)}", value)
    slots.append(slot)
    return slot


def _where(
    mt: ModelTable, where: Where | None, values: list[Any], slots: list[Slot] | None
) -> tuple[Any, Where | None]:
    if where is None:
        return None, None
    if isinstance(where, Condition):
        return _condition(mt, where, values, slots)
    if isinstance(where, And | Or):
        keys, items = [], []
        for item in where.items:
            key, slotted = _where(mt, item, values, slots)
            keys.append(key)
            items.append(slotted)
        group = type(where)(tuple(items)) if slots is not None else None  # type: ignore[arg-type]
        return (type(where).__name__, tuple(keys)), group
    if isinstance(where, Exists):
        relation = mt.model.relations.get(where.relation)
        target = mt.catalog.get(str(relation.model)) if relation is not None else None
        if target is None:  # the builder says why (another database, no such relation)
            raise Unshaped(where.relation)
        key, inner = _where(target, where.where, values, slots)
        rebuilt = Exists(where.relation, inner) if slots is not None else None
        return ("exists", where.relation, key), rebuilt
    raise Unshaped(type(where).__name__)  # InSelect: another table's sub-select


def _condition(
    mt: ModelTable, cond: Condition, values: list[Any], slots: list[Slot] | None
) -> tuple[Any, Where | None]:
    """Mirrors builder.condition_clause: which values it binds as they are (slotted) and which
    change its SQL (part of the key)."""
    op, value = cond.op, cond.value
    prop = mt.model.properties.get(cond.prop)
    key: Any
    plain = not cond.path and (prop is None or prop.type not in (*builder.JSON_TYPES, "array"))
    if plain and op in _COMPARISONS and value is not None and not isinstance(value, Slot):
        if not (isinstance(value, bool) and op in _ORDERINGS):  # those are literals
            key = (cond.prop, op, type(value))
            return key, _slot_condition(cond, _value(value, values, slots), slots)
    elif plain and op == "inq" and not isinstance(value, Slot):
        # one parameter for any length: an array (PostgreSQL) or a list SQLAlchemy expands
        key = (cond.prop, op, _kind(value))
        return key, _slot_condition(cond, _value(list(value), values, slots), slots)
    elif plain and op in ("nin", "between") and not isinstance(value, Slot):
        key = (cond.prop, op, tuple(type(v) for v in value))  # the length is the shape
        items = tuple(_value(v, values, slots) for v in value)
        return key, _slot_condition(cond, items, slots)
    return (cond.prop, op, cond.path, _frozen(value)), cond


def _slot_condition(cond: Condition, value: Any, slots: list[Slot] | None) -> Condition | None:
    return Condition(cond.prop, cond.op, value, cond.path) if slots is not None else None


def _frozen(value: Any) -> Any:
    """A value that is part of a shape, with its type (so 1, 1.0 and True stay apart)."""
    if isinstance(value, tuple | list):
        return tuple(_frozen(v) for v in value)
    return (type(value), value)


# the reads that use it: a model's rows (find, findOne, an include's first level), its count, and
# an include level's targets
ROWS = Shapes(builder.select_rows)
COUNT = Shapes(builder.count_plan)
TARGETS = Shapes(include.targets_of)
# the JSON bodies PostgreSQL writes: a find's array, and findById's (findOne's) first object
JSON_ROWS = Shapes(json_select.select_json)
JSON_ONE = Shapes(functools.partial(json_select.select_json, one=True))
