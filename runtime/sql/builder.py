"""QueryPlan / Where -> SQLAlchemy Core statements. Pure: builds statements, runs nothing.

The operator table is the one place an LB3 operator meets SQL.
"""

from __future__ import annotations

import operator
from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from ..filter.ast import And, Condition, Exists, InSelect, Or, Where
from ..plan import QueryPlan
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


def where_clause(mt: ModelTable, where: Where | None) -> sa.ColumnElement[bool] | None:
    if where is None:
        return None
    if isinstance(where, Condition):
        col = mt.column(where.prop)
        if where.value is None and where.op in ("eq", "neq"):
            return col.is_(None) if where.op == "eq" else col.is_not(None)
        value = where.value
        if isinstance(value, bool) and where.op in ("gt", "gte", "lt", "lte"):
            # SQLAlchemy takes only =, != and IS with a bare True/False; false < true as in LB3
            value = sa.literal(value, col.type)
        clause = OPERATORS[where.op](col, value)
        if where.op in ("neq", "nin"):  # LB3: a NULL is "not equal" to any value
            return sa.or_(clause, col.is_(None))
        return clause
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


def selected(mt: ModelTable, props: tuple[str, ...] | list[str]) -> list[sa.ColumnElement[Any]]:
    """Columns labelled with their property names, so rows read back by property even when a
    `columnName` setting names the column differently."""
    return [mt.column(p) if mt.column(p).name == p else mt.column(p).label(p) for p in props]


def select_rows(mt: ModelTable, plan: QueryPlan) -> sa.Select[Any]:
    if plan.columns:
        stmt = sa.select(*selected(mt, plan.columns))
    else:  # `fields` left nothing to show: LB3 answers one empty object per row
        stmt = sa.select(sa.literal(1)).select_from(mt.table)
    clause = where_clause(mt, plan.where)
    if clause is not None:
        stmt = stmt.where(clause)
    for o in plan.order:
        col = mt.column(o.prop)
        stmt = stmt.order_by(col.desc() if o.descending else col.asc())
    if plan.limit is not None:
        stmt = stmt.limit(plan.limit)
    if plan.offset:
        stmt = stmt.offset(plan.offset)  # each dialect adds the LIMIT its grammar needs
    return stmt


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
