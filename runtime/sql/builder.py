"""QueryPlan / Where -> SQLAlchemy Core statements. Pure: builds statements, runs nothing.

The operator table is the one place an LB3 operator meets SQL.
"""

from __future__ import annotations

import math
import operator
from collections.abc import Callable, Sequence
from typing import Any

import sqlalchemy as sa
from sqlalchemy.dialects import postgresql
from sqlalchemy.sql import operators as sa_operators

from ..filter.ast import And, Condition, Exists, InSelect, Near, Or, OrderBy, Slot, Where
from ..plan import QueryPlan
from . import operators as ops
from .exists import exists_clause
from .tables import ModelTable

Column = sa.ColumnElement[Any]

OPERATORS: dict[str, Callable[[Column, Any], sa.ColumnElement[bool]]] = {
    "eq": operator.eq,
    "neq": operator.ne,
    "gt": operator.gt,
    "gte": operator.ge,
    "lt": operator.lt,
    "lte": operator.le,
    "inq": lambda c, v: c.in_(v),
    "nin": lambda c, v: c.not_in(v),
    "between": lambda c, v: c.between(v[0], v[1]),
}
# spelled per dialect by runtime.sql.operators; listed so the operator set is checked in one place
SPECIAL = ("like", "nlike", "ilike", "nilike", "regexp", "exists", "near")
JSON_TYPES = ("object", "any", "array", "geopoint")  # properties held in a JSON column
DEG2RAD = 0.01745329252  # LB3's geo.js constants, so distances agree with LB3's
EARTH_RADIUS = {
    "kilometers": 6370.99056,
    "meters": 6370990.56,
    "miles": 3958.75,
    "feet": 20902200.0,
    "radians": 1.0,
    "degrees": 57.29577951308,
}


def where_clause(mt: ModelTable, where: Where | None) -> sa.ColumnElement[bool] | None:
    if where is None:
        return None
    if isinstance(where, Condition):
        return condition_clause(mt, where)
    if isinstance(where, InSelect):
        source: ModelTable = where.source
        inner = sa.select(source.column(where.column))
        inner_clause = where_clause(source, where.where)
        if inner_clause is not None:
            inner = inner.where(inner_clause)
        return mt.column(where.prop).in_(inner)
    if isinstance(where, Exists):
        return exists_clause(mt, where, where_clause)
    parts = [c for item in where.items if (c := where_clause(mt, item)) is not None]
    if isinstance(where, And):
        return sa.and_(sa.true(), *parts) if parts else sa.true()
    if isinstance(where, Or):
        return sa.or_(sa.false(), *parts) if parts else sa.false()
    raise TypeError(where)


def condition_clause(mt: ModelTable, cond: Condition) -> sa.ColumnElement[bool]:
    """One `property <op> value`, for a plain column, a JSON array, or a path in a JSON value."""
    col = mt.column(cond.prop)
    prop = mt.model.properties.get(cond.prop)
    json_column = prop is not None and prop.type in JSON_TYPES
    if cond.op == "near":
        return near_clause(col, cond.value)
    if cond.op == "exists" or (cond.value is None and cond.op in ("eq", "neq")):
        present = cond.value if cond.op == "exists" else cond.op == "neq"
        if cond.path or json_column:  # SQL NULL, JSON null or no such key: all absent
            found: sa.ColumnElement[bool] = ops.JsonPresent(col, cond.path)
            return found if present else sa.not_(found)
        return col.is_not(None) if present else col.is_(None)
    if cond.path:
        return _json_condition(col, cond)
    if prop is not None and prop.type == "array":
        return _array_condition(col, cond)
    if cond.op == "inq" and not json_column:
        return one_of(mt, col, cond.value)
    return _scalar_condition(col, cond.op, cond.value)


def one_of(mt: ModelTable, col: Column, values: Sequence[Any] | Slot) -> sa.ColumnElement[bool]:
    """`col IN (values)`; where the database binds a list as one array (`mt.arrays`), `col =
    ANY(:values)`: one statement (and one prepared statement) for every length of list. `values`
    may be one Slot holding the list (an array) or a tuple of Slots (runtime/sql/shapes.py)."""
    if mt.arrays:
        array = postgresql.ARRAY(col.type)
        if isinstance(values, Slot):
            return col == sa.any_(sa.bindparam(values.name, type_=array))
        return col == sa.any_(sa.bindparam(None, list(values), type_=array))
    if isinstance(values, Slot):  # a list SQLAlchemy expands when the kept statement runs
        first = values.sample[0] if values.sample else None
        type_ = col.type.coerce_compared_value(sa_operators.in_op, first)
        return col.in_(sa.bindparam(values.name, type_=type_, expanding=True))
    return col.in_(values)


def bound(col: Column, slot: Slot) -> sa.BindParameter[Any]:
    """A Slot's parameter, typed as SQLAlchemy types that value compared with `col` (a Slot with
    no sample: untyped, so the comparison gives it the column's type)."""
    if slot.sample is None:
        return sa.bindparam(slot.name)
    return sa.bindparam(
        slot.name, type_=col.type.coerce_compared_value(sa_operators.eq, slot.sample)
    )


def _bound(col: Column, value: Any) -> Any:
    """A value as given, with a Slot (or each Slot of a list's) made its parameter."""
    if isinstance(value, Slot):
        return bound(col, value)
    if isinstance(value, tuple) and any(isinstance(v, Slot) for v in value):
        return [bound(col, v) if isinstance(v, Slot) else v for v in value]
    return value


def _scalar_condition(col: Column, op: str, value: Any) -> sa.ColumnElement[bool]:
    if op in ("like", "nlike", "ilike", "nilike"):
        return ops.LikeMatch(col, value, fold=op in ("ilike", "nilike"), negate=op[0] == "n")
    if op == "regexp":
        return ops.RegexpMatch(col, value.source, value.flags)
    if isinstance(value, Slot | tuple):  # Slots: bound when the kept statement runs
        value = _bound(col, value)
    elif isinstance(value, bool) and op in ("gt", "gte", "lt", "lte"):
        # SQLAlchemy takes only =, != and IS with a bare True/False; false < true as in LB3
        value = sa.literal(value, col.type)
    clause = OPERATORS[op](col, value)
    if op in ("neq", "nin"):  # LB3: a NULL is "not equal" to any value
        return sa.or_(clause, col.is_(None))
    return clause


def _json_condition(col: Column, cond: Condition) -> sa.ColumnElement[bool]:
    """A value inside a JSON column, compared as the operand's JSON kind: a value of another kind
    (or none) is unequal to it and matches no ordering, LIKE or regexp."""

    def at(value: Any) -> sa.ColumnElement[Any]:
        return ops.JsonValue(col, cond.path, ops.json_value_kind(value))

    op, value = cond.op, cond.value
    if op in ("like", "nlike", "ilike", "nilike", "regexp"):
        return _scalar_condition(ops.JsonValue(col, cond.path, "string"), op, value)
    if op == "inq":
        return sa.or_(sa.false(), *(at(v) == ops.json_operand(v) for v in value))
    if op == "nin":
        return sa.and_(sa.true(), *(_json_neq(at(v), v) for v in value))
    if op == "neq":
        return _json_neq(at(value), value)
    if op == "between":
        low, high = value
        return sa.and_(at(low) >= ops.json_operand(low), at(high) <= ops.json_operand(high))
    return OPERATORS[op](at(value), ops.json_operand(value))


def _json_neq(found: sa.ColumnElement[Any], value: Any) -> sa.ColumnElement[bool]:
    return sa.or_(found != ops.json_operand(value), found.is_(None))


def _array_condition(col: Column, cond: Condition) -> sa.ColumnElement[bool]:
    """eq: the array holds the value; inq: any of the values; neq/nin: none of them (a missing
    array holds none)."""
    op, value = cond.op, cond.value
    if op == "eq":
        return ops.ArrayContains(col, value)
    if op == "inq":
        return sa.or_(sa.false(), *(ops.ArrayContains(col, v) for v in value))
    values = (value,) if op == "neq" else value
    if op not in ("neq", "nin"):
        raise ValueError(f'The "{op}" operator does not apply to an array')
    held = [ops.ArrayContains(col, v) for v in values]
    return sa.or_(col.is_(None), sa.not_(sa.or_(sa.false(), *held)))


def distance(col: Column, near: Near) -> sa.ColumnElement[float]:
    """The haversine distance (LB3's geo.js) from `near` to a geopoint column, in near.unit; NULL
    for a row without a point."""
    lat = ops.JsonValue(col, ("lat",), "number") * DEG2RAD
    lng = ops.JsonValue(col, ("lng",), "number") * DEG2RAD
    lat0, lng0 = near.lat * DEG2RAD, near.lng * DEG2RAD

    def haversine(a: sa.ColumnElement[float]) -> sa.ColumnElement[float]:
        return sa.func.power(sa.func.sin(a / 2.0), 2)

    f = sa.func.sqrt(
        haversine(lat - lat0) + sa.func.cos(lat) * math.cos(lat0) * haversine(lng - lng0)
    )
    bounded = sa.case((f > 1.0, sa.literal(1.0)), else_=f)  # rounding must not leave asin's domain
    return 2.0 * sa.func.asin(bounded) * EARTH_RADIUS[near.unit]


def near_clause(col: Column, near: Near) -> sa.ColumnElement[bool]:
    """Rows with a point, within maxDistance when one is given (LB3 drops rows without a point)."""
    found = ops.JsonValue(col, ("lat",), "number").is_not(None)
    if near.max_distance is None:
        return sa.and_(found, ops.JsonValue(col, ("lng",), "number").is_not(None))
    return distance(col, near) <= near.max_distance


def near_of(where: Where | None) -> Condition | None:
    """The first `near` a row must satisfy (at the top, or inside top-level ands): the rows are
    ordered by distance from it first, as LB3 does."""
    if isinstance(where, Condition):
        return where if where.op == "near" else None
    if isinstance(where, And):
        for item in where.items:
            found = near_of(item)
            if found is not None:
                return found
    return None


def order_terms(mt: ModelTable, order: OrderBy) -> list[sa.ColumnElement[Any]]:
    """One ORDER BY key: NULLs last ascending and first descending on every backend. A path inside
    a JSON value orders its numbers, then its strings (missing and other values last)."""
    head, _, rest = order.prop.partition(".")
    col = mt.column(head)
    if rest:
        path = tuple(rest.split("."))
        return [
            ops.OrderTerm(ops.JsonValue(col, path, "number"), order.descending),
            ops.OrderTerm(ops.JsonValue(col, path, "string"), order.descending),
        ]
    prop = mt.model.properties.get(head)
    if prop is not None and prop.id:  # never NULL: a plain key, which an index can serve
        return [col.desc() if order.descending else col.asc()]
    return [ops.OrderTerm(col, order.descending)]


def selected(mt: ModelTable, props: tuple[str, ...] | list[str]) -> list[sa.ColumnElement[Any]]:
    """Columns labelled with their property names, so rows read back by property even when a
    `columnName` setting names the column differently."""
    return [mt.column(p) if mt.column(p).name == p else mt.column(p).label(p) for p in props]


def select_rows(mt: ModelTable, plan: QueryPlan) -> sa.Select[Any]:
    if plan.columns:
        stmt = sa.select(*selected(mt, plan.columns))
    else:  # `fields` left nothing to show: LB3 answers one empty object per row
        stmt = sa.select(sa.literal(1)).select_from(mt.table)
    return paged(stmt, mt, plan)


def paged(stmt: sa.Select[Any], mt: ModelTable, plan: QueryPlan) -> sa.Select[Any]:
    """`stmt` restricted to the plan's rows, in its order, its page of them (every read's rows:
    select_rows, and the JSON bodies of runtime/sql/json_select.py)."""
    clause = where_clause(mt, plan.where)
    if clause is not None:
        stmt = stmt.where(clause)
    near = near_of(plan.where)
    if near is not None:
        stmt = stmt.order_by(distance(mt.column(near.prop), near.value))
    for o in plan.order:
        stmt = stmt.order_by(*order_terms(mt, o))
    if plan.limit is not None:
        stmt = stmt.limit(count_of(plan.limit))
    if plan.offset:  # each dialect adds the LIMIT its grammar needs
        stmt = stmt.offset(count_of(plan.offset))
    return stmt


def count_of(value: int | Slot) -> Any:
    """A limit or offset: the number, or a Slot's BIGINT parameter (skip reaches 2**53 - 1)."""
    return sa.bindparam(value.name, type_=sa.BigInteger()) if isinstance(value, Slot) else value


def count_plan(mt: ModelTable, plan: QueryPlan) -> sa.Select[Any]:
    """count_rows as a builder of plans (runtime/sql/shapes.py): only the plan's where counts."""
    return count_rows(mt, plan.where)


def count_rows(mt: ModelTable, where: Where | None) -> sa.Select[Any]:
    stmt = sa.select(sa.func.count()).select_from(mt.table)
    clause = where_clause(mt, where)
    return stmt.where(clause) if clause is not None else stmt


def update_rows(mt: ModelTable, where: Where | None, values: dict[str, Any]) -> sa.Update:
    stmt = sa.update(mt.table).values({mt.column(k): v for k, v in values.items()})
    clause = where_clause(mt, where)
    return stmt.where(clause) if clause is not None else stmt


def delete_rows(mt: ModelTable, where: Where | None) -> sa.Delete:
    stmt = sa.delete(mt.table)
    clause = where_clause(mt, where)
    return stmt.where(clause) if clause is not None else stmt


# ---- one row by its id (the model's fast paths, User rules, embedded items) ---------------------


def insert_row(mt: ModelTable) -> sa.Insert:
    """One statement object for every insert: its compiled form is cached per set of columns."""
    return sa.insert(mt.table)


def row_by_id(
    mt: ModelTable, props: tuple[str, ...] | list[str], key: Any = None, *, lock: bool = False
) -> sa.Select[Any]:
    """`props` of the row whose id is `key`, or of `:id` (a prepared statement) when key is None;
    `lock`: FOR UPDATE (ignored where the dialect has none)."""
    id_col = mt.column(mt.model.id_name)
    match = id_col == (sa.bindparam("id") if key is None else key)
    stmt = sa.select(*selected(mt, props)).where(match)
    return stmt.with_for_update() if lock else stmt


def touch_row(mt: ModelTable, prop: str, key: Any) -> sa.Update:
    """A no-op UPDATE of one row: SQLite's stand-in for a row lock (it takes the write lock)."""
    column = mt.column(prop)
    return sa.update(mt.table).where(mt.column(mt.model.id_name) == key).values({column: column})


def other_row_with(mt: ModelTable, prop: str, value: Any, key: Any) -> sa.Select[Any]:
    """The id of a row other than `key` (None: any row) whose `prop` is `value`."""
    id_col = mt.column(mt.model.id_name)
    stmt = sa.select(id_col).where(mt.column(prop) == value)
    if key is not None:
        stmt = stmt.where(id_col != key)
    return stmt.limit(1)
