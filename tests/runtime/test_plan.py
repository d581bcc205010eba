"""runtime.plan: Filter -> QueryPlan (columns, order with the id tie-break, effective limit). Pure."""

from __future__ import annotations

from typing import Any

import pytest

from runtime.filter.ast import Condition, Filter, OrderBy
from runtime.plan import QueryPlan, plan_query
from runtime.registry import ModelMeta, PropertyMeta


def model(*props: PropertyMeta) -> ModelMeta:
    return ModelMeta(
        name="Shop",
        properties={p.name: p for p in props},
        force_id=True,
    )


SHOP = model(
    PropertyMeta("name", "string"),
    PropertyMeta("secret", "string", hidden=True),
    PropertyMeta("id", "number", id=1, generated=True),
)
ID = OrderBy("id")

PLANS: list[tuple[str, Filter, dict[str, Any], dict[str, Any]]] = [
    ("default", Filter(), {}, {"columns": ("name", "id"), "order": (ID,), "limit": None, "offset": 0}),
    ("fields", Filter(fields=("id",)), {}, {"columns": ("id",)}),
    ("no-fields", Filter(fields=()), {}, {"columns": ()}),
    ("order-then-id", Filter(order=(OrderBy("name", True),)), {}, {"order": (OrderBy("name", True), ID)}),
    ("order-by-id-kept", Filter(order=(OrderBy("id", True),)), {}, {"order": (OrderBy("id", True),)}),
    ("limit", Filter(limit=5), {}, {"limit": 5}),
    ("limit-zero-is-none", Filter(limit=0), {}, {"limit": None}),
    ("skip", Filter(skip=3), {}, {"offset": 3}),
    ("caller-limit", Filter(), {"limit": 1}, {"limit": 1}),
    ("caller-limit-is-a-ceiling", Filter(limit=10), {"limit": 2}, {"limit": 2}),
    ("client-limit-below-caller", Filter(limit=1), {"limit": 2}, {"limit": 1}),
    ("caller-limit-over-zero", Filter(limit=0), {"limit": 1}, {"limit": 1}),
    ("where-passes-through", Filter(where=Condition("id", "eq", 1)), {}, {"where": Condition("id", "eq", 1)}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("flt", "kwargs", "expected"), [p[1:] for p in PLANS], ids=[p[0] for p in PLANS]
)
def test_plan_query(flt: Filter, kwargs: dict[str, Any], expected: dict[str, Any]) -> None:
    plan = plan_query(SHOP, flt, **kwargs)
    assert isinstance(plan, QueryPlan) and plan.model == "Shop"
    assert {k: getattr(plan, k) for k in expected} == expected


def test_model_without_id_has_no_tie_break() -> None:
    plain = model(PropertyMeta("name", "string"))
    plan = plan_query(plain, Filter(order=(OrderBy("name"),)))
    assert plan.order == (OrderBy("name"),)
    assert plan_query(plain, Filter()).order == ()
