"""Filter -> QueryPlan: which columns, which rows, in which order. Pure; no SQL here.

The plan adds what a correct page needs and the client did not say: a tie-break on the id so that
`order` + `limit` + `skip` pages are deterministic (LB3's SQL connectors have none).
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .filter.ast import Filter, OrderBy, Slot, Where
from .registry import ModelMeta


@dataclass(frozen=True)
class Parents:
    """An include level's read: the targets of these parent `keys`, reached by `reach` (which
    runtime.sql.include knows: a target column or a through model's join rows); `per_parent`: the
    plan's limit and offset count per parent key, else they are not applied."""

    reach: Any
    keys: Any  # the chunk of parent keys (a list), or a Slot holding it
    per_parent: bool = False


@dataclass(frozen=True)
class QueryPlan:
    model: str
    columns: tuple[str, ...]  # property names, in the model's declaration order
    where: Where | None
    order: tuple[OrderBy, ...]
    # a Slot where runtime/sql/shapes.py builds a statement for every limit (skip) of one shape
    limit: int | Slot | None
    offset: int | Slot
    parents: Parents | None = None  # an include level (runtime/sql/include.py's targets_of)
    # included relations the database renders into each row's JSON (runtime/sql/json_select.py);
    # empty for the row path, which loads includes itself (runtime/relations/loading.py)
    includes: tuple[IncludePlan, ...] = ()


@dataclass(frozen=True)
class IncludePlan:
    """One included relation rendered with its parent: under key `name`, an array of the targets
    (`many`, `[]` when none) or the first target (no key when none); the targets are the rows of
    `plan.model` whose `target_key` equals the parent's `parent_key`, `plan` their shown columns,
    where, order, per-parent limit and offset, and their own includes."""

    name: str
    many: bool
    parent_key: str
    target_key: str
    plan: QueryPlan


def plan_query(model: ModelMeta, flt: Filter, *, limit: int | None = None) -> QueryPlan:
    visible = tuple(p for p, meta in model.properties.items() if not meta.hidden)
    columns = flt.fields if flt.fields is not None else visible
    order = flt.order
    id_name = model.id_property.name if model.id_property else None
    if id_name and all(o.prop != id_name for o in order):
        order = (*order, OrderBy(id_name))
    effective_limit = flt.limit or None  # LB3: limit 0 means no limit
    if limit is not None:
        effective_limit = limit if effective_limit is None else min(limit, effective_limit)
    return QueryPlan(
        model=model.name,
        columns=columns,
        where=flt.where,
        order=order,
        limit=effective_limit,
        offset=flt.skip,
    )
