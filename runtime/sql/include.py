"""Include loading's statements: the targets of many parents in one SELECT per chunk of parent keys.

Each statement selects the target's columns plus the parent key the row was read for (`PARENT`);
keyed relations match the target's own column (`key IN chunk`), through relations join the distinct
join rows. A per-parent page is a window (`ROW_NUMBER() OVER (PARTITION BY parent key ORDER BY ...)`)
in a sub-select, never one query per parent. Pure: builds statements, runs nothing.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import sqlalchemy as sa

from ..filter.ast import OrderBy, Where
from .builder import order_terms, selected, where_clause
from .tables import ModelTable

PARENT = "_lb_parent"  # the label of the parent key a target row was read for
ROW = "_lb_row"  # the label of a target's position among its parent's targets
TO = "_lb_to"

Source = tuple[sa.FromClause, sa.ColumnElement[Any], list[sa.ColumnElement[bool]]]
Reach = Callable[[list[Any]], Source]


def keyed(mt: ModelTable, key: str, kind: tuple[str, str] | None = None) -> Reach:
    """Targets matched on one of their own columns (`key IN chunk`), and a polymorphic
    relation's discriminator column equal to its value."""
    column = mt.column(key)
    extra = [mt.column(kind[0]) == kind[1]] if kind is not None else []

    def source(chunk: list[Any]) -> Source:
        return mt.table, column, [column.in_(chunk), *extra]

    return source


def through(
    join: ModelTable,
    target: ModelTable,
    foreign_key: str,
    key_through: str,
    kind: tuple[str, str] | None = None,
) -> Reach:
    """Targets joined to the parents' distinct join rows (a duplicate join row adds nothing)."""

    def source(chunk: list[Any]) -> Source:
        links = sa.select(
            join.column(foreign_key).label(PARENT), join.column(key_through).label(TO)
        ).where(join.column(foreign_key).in_(chunk))
        if kind is not None:
            links = links.where(join.column(kind[0]) == kind[1])
        sub = links.distinct().subquery()
        joined = target.table.join(sub, sub.c[TO] == target.column(target.model.id_name))
        return joined, sub.c[PARENT], []

    return source


def order_keys(mt: ModelTable, order: tuple[OrderBy, ...]) -> list[sa.ColumnElement[Any]]:
    """The scope's order, ended by the id so that pages (and windows) are deterministic; each key
    the model's own reads use (NULLs placement, JSON paths), so an include and the relation's
    endpoint order alike."""
    id_name = mt.model.id_name
    if id_name in mt.columns and all(o.prop != id_name for o in order):
        order = (*order, OrderBy(id_name))
    return [term for o in order for term in order_terms(mt, o)]


def targets(
    mt: ModelTable,
    fetch: tuple[str, ...],
    source: Source,
    where: Where | None,
    order: tuple[OrderBy, ...],
    *,
    window: tuple[int, int | None] | None = None,
) -> sa.Select[Any]:
    """One chunk's targets; `window` = (skip, limit) counted per parent key."""
    from_, parent, conditions = source
    clause = where_clause(mt, where)
    if clause is not None:
        conditions = [*conditions, clause]
    keys = order_keys(mt, order)
    columns = [*selected(mt, fetch), parent.label(PARENT)]
    if window is None:
        return sa.select(*columns).select_from(from_).where(*conditions).order_by(*keys)
    skip, limit = window
    number = sa.func.row_number().over(partition_by=parent, order_by=keys)
    sub = sa.select(*columns, number.label(ROW)).select_from(from_).where(*conditions).subquery()
    bounds = [sub.c[ROW] > skip]
    if limit:
        bounds.append(sub.c[ROW] <= skip + limit)
    picked = [sub.c[p] for p in fetch]
    return sa.select(*picked, sub.c[PARENT]).where(*bounds).order_by(sub.c[ROW])
