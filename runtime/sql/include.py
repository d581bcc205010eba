"""Include loading's statements: the targets of many parents in one SELECT per chunk of parent keys.

Each statement selects the target's columns plus the parent key the row was read for (`PARENT`);
keyed relations match the target's own column (`key IN chunk`), through relations join the distinct
join rows. A per-parent page is a window (`ROW_NUMBER() OVER (PARTITION BY parent key ORDER BY ...)`)
in a sub-select, never one query per parent. Pure: builds statements, runs nothing.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import sqlalchemy as sa

from ..filter.ast import OrderBy, Slot, Where
from ..plan import QueryPlan
from .builder import count_of, one_of, order_terms, selected, where_clause
from .tables import ModelTable

PARENT = "_lb_parent"  # the label of the parent key a target row was read for
ROW = "_lb_row"  # the label of a target's position among its parent's targets
TO = "_lb_to"

Source = tuple[sa.FromClause, sa.ColumnElement[Any], list[sa.ColumnElement[bool]]]


@dataclass(frozen=True)
class Keyed:
    """Targets matched on one of their own columns (`key IN chunk`), and a polymorphic
    relation's discriminator column equal to its value."""

    key: str
    kind: tuple[str, str] | None = None

    def shape(self) -> Any:
        return ("keyed", self.key, self.kind)

    def source(self, mt: ModelTable, chunk: Any) -> Source:
        column = mt.column(self.key)
        extra = [mt.column(self.kind[0]) == self.kind[1]] if self.kind is not None else []
        return mt.table, column, [one_of(mt, column, chunk), *extra]


@dataclass(frozen=True, eq=False)
class Through:
    """Targets joined to the parents' distinct join rows (a duplicate join row adds nothing)."""

    join: ModelTable
    foreign_key: str
    key_through: str
    kind: tuple[str, str] | None = None

    def shape(self) -> Any:  # the join model is one of the target's catalog: its name says it
        return ("through", self.join.model.name, self.foreign_key, self.key_through, self.kind)

    def source(self, target: ModelTable, chunk: Any) -> Source:
        join = self.join
        links = sa.select(
            join.column(self.foreign_key).label(PARENT), join.column(self.key_through).label(TO)
        ).where(one_of(join, join.column(self.foreign_key), chunk))
        if self.kind is not None:
            links = links.where(join.column(self.kind[0]) == self.kind[1])
        sub = links.distinct().subquery()
        joined = target.table.join(sub, sub.c[TO] == target.column(target.model.id_name))
        return joined, sub.c[PARENT], []


Reach = Keyed | Through


def keyed(mt: ModelTable, key: str, kind: tuple[str, str] | None = None) -> Reach:
    """Targets matched on one of their own columns of `mt`."""
    return Keyed(key, kind)


def through(
    join: ModelTable,
    target: ModelTable,
    foreign_key: str,
    key_through: str,
    kind: tuple[str, str] | None = None,
) -> Reach:
    """Targets of `target` joined to `join`'s distinct rows."""
    return Through(join, foreign_key, key_through, kind)


def targets_of(mt: ModelTable, plan: QueryPlan) -> sa.Select[Any]:
    """An include level's plan as its statement (runtime/sql/shapes.py keeps one per shape)."""
    parents = plan.parents
    assert parents is not None, "an include level's plan names its parents"
    window = (plan.offset, plan.limit) if parents.per_parent else None
    source = parents.reach.source(mt, parents.keys)
    return targets(mt, plan.columns, source, plan.where, plan.order, window=window)


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
    window: tuple[int | Slot, int | Slot | None] | None = None,
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
    bounds = [sub.c[ROW] > count_of(skip)]
    if limit and isinstance(skip, int) and isinstance(limit, int):
        bounds.append(sub.c[ROW] <= skip + limit)
    elif limit:  # Slots: the bounds of every page of one shape
        bounds.append(sub.c[ROW] <= count_of(skip) + count_of(limit))
    picked = [sub.c[p] for p in fetch]
    return sa.select(*picked, sub.c[PARENT]).where(*bounds).order_by(sub.c[ROW])
