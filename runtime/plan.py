"""Filter -> QueryPlan: which columns, which rows, in which order. Pure; no SQL here.

The plan adds what a correct page needs and the client did not say: a tie-break on the id so that
`order` + `limit` + `skip` pages are deterministic (LB3's SQL connectors have none).
"""

from __future__ import annotations

from dataclasses import dataclass

from .filter.ast import Filter, OrderBy, Where
from .registry import ModelMeta


@dataclass(frozen=True)
class QueryPlan:
    model: str
    columns: tuple[str, ...]  # property names, in the model's declaration order
    where: Where | None
    order: tuple[OrderBy, ...]
    limit: int | None
    offset: int


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
