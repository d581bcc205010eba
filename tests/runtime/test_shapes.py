"""Statements kept per query shape (runtime/sql/shapes.py): one shape, many values, the right rows;
shapes that differ in SQL never share a statement; the cache stays bounded. Runs on every backend."""

from __future__ import annotations

from typing import Any

import pytest

from runtime.app import LoopBackApp
from runtime.filter.ast import Condition, InSelect, OrderBy
from runtime.model import Model
from runtime.plan import QueryPlan, plan_query
from runtime.sql import builder, shapes

SEED = [
    {"name": "Bel Cafe", "city": "Paris"},
    {"name": "Three Bees", "city": "Rome"},
    {"name": "Zoo Coffee", "city": "Paris"},
    {"name": "Angel", "city": "London"},
]


@pytest.fixture
async def shops(app: LoopBackApp) -> Model:
    model = app.models["CoffeeShop"]
    await model.create(SEED)
    return model


async def names(model: Model, flt: dict[str, Any]) -> list[str]:
    return [row["name"] for row in await model.find(flt)]


def key_of(model: Model, flt: dict[str, Any]) -> Any:
    plan = plan_query(model.meta, model.parse_filter(flt))
    return shapes.plan_key(model.table, plan, [], None)


async def test_one_shape_serves_every_value(shops: Model) -> None:
    shapes.ROWS.clear()
    order = {"order": "name ASC"}
    assert await names(shops, {"where": {"city": "Paris"}, **order}) == ["Bel Cafe", "Zoo Coffee"]
    assert await names(shops, {"where": {"city": "Rome"}, **order}) == ["Three Bees"]
    assert await names(shops, {"where": {"city": "Oslo"}, **order}) == []
    assert len(shapes.ROWS) == 1
    assert await shops.count({"city": "Paris"}) == 2
    assert await shops.count({"city": "London"}) == 1


async def test_null_is_a_shape_of_its_own(app: LoopBackApp) -> None:
    reviews = app.models["Review"]
    when = "2024-01-01T00:00:00.000Z"
    await reviews.create([
        {"date": when, "rating": rating, "comments": str(rating)} for rating in (3, None, 5)
    ])  # fmt: skip

    async def comments(where: dict[str, Any]) -> list[str]:
        return [row["comments"] for row in await reviews.find({"where": where, "order": "id"})]

    assert key_of(reviews, {"where": {"rating": None}}) != key_of(reviews, {"where": {"rating": 3}})
    assert await comments({"rating": None}) == ["None"]
    assert await comments({"rating": 3}) == ["3"]
    assert await comments({"rating": {"neq": None}}) == ["3", "5"]
    assert await comments({"rating": {"neq": 3}}) == ["None", "5"]
    assert await comments({"rating": {"gt": 3}}) == ["5"]
    assert await reviews.count({"rating": None}) == 1
    assert await reviews.count({"rating": 5}) == 1


async def test_list_lengths(shops: Model) -> None:
    one = {"where": {"city": {"inq": ["Rome"]}}, "order": "id"}
    two = {"where": {"city": {"inq": ["Paris", "London"]}}, "order": "id"}
    # one parameter for every length: PostgreSQL's array, elsewhere a list expanded at execution
    assert key_of(shops, one) == key_of(shops, two)
    # a nin list's length is its shape
    nin = [{"where": {"city": {"nin": cities}}} for cities in (["Rome"], ["Rome", "Paris"])]
    assert key_of(shops, nin[0]) != key_of(shops, nin[1])
    assert await names(shops, one) == ["Three Bees"]
    assert await names(shops, two) == ["Bel Cafe", "Zoo Coffee", "Angel"]
    assert await names(shops, {"where": {"city": {"inq": ["Rome", "Oslo"]}}}) == ["Three Bees"]
    assert await names(shops, {"where": {"city": {"inq": []}}}) == []
    assert await names(shops, {"where": {"city": {"nin": ["Paris"]}}, "order": "id"}) == [
        "Three Bees", "Angel"
    ]  # fmt: skip
    assert await names(shops, {"where": {"city": {"nin": ["Paris", "Rome"]}}}) == ["Angel"]
    assert await shops.count({"city": {"inq": ["Paris", "Rome"]}}) == 3


async def test_and_or_nesting(shops: Model) -> None:
    either = {"or": [{"city": "Paris"}, {"name": "Angel"}]}
    both = {"and": [{"city": "Paris"}, {"name": "Angel"}]}
    assert key_of(shops, {"where": either}) != key_of(shops, {"where": both})
    assert await names(shops, {"where": either, "order": "id"}) == [
        "Bel Cafe",
        "Zoo Coffee",
        "Angel",
    ]
    assert await names(shops, {"where": both}) == []
    nested = {"or": [{"and": [{"city": "Paris"}, {"name": {"gt": "C"}}]}, {"city": "Rome"}]}
    assert await names(shops, {"where": nested, "order": "id"}) == ["Three Bees", "Zoo Coffee"]
    nested = {"or": [{"and": [{"city": "Rome"}, {"name": {"gt": "A"}}]}, {"city": "London"}]}
    assert await names(shops, {"where": nested, "order": "id"}) == ["Three Bees", "Angel"]


async def test_comparisons_between_limit_and_skip(shops: Model) -> None:
    page = {"order": "id", "where": {"id": {"between": [2, 4]}}}
    assert await names(shops, {**page, "limit": 2}) == ["Three Bees", "Zoo Coffee"]
    assert await names(shops, {**page, "limit": 1, "skip": 2}) == ["Angel"]
    assert await names(shops, {**page, "limit": 5, "skip": 1}) == ["Zoo Coffee", "Angel"]
    assert await names(shops, {**page, "skip": 1}) == ["Zoo Coffee", "Angel"]
    page = {"order": "id", "where": {"id": {"between": [1, 2]}}}
    assert await names(shops, {**page, "limit": 1, "skip": 1}) == ["Three Bees"]
    assert await names(shops, {"where": {"id": {"gte": 3}}, "order": "id DESC"}) == [
        "Angel", "Zoo Coffee"
    ]  # fmt: skip
    assert await names(shops, {"where": {"id": {"lt": 2}}}) == ["Bel Cafe"]
    assert await shops.find_one({"where": {"city": "Paris"}, "order": "id DESC"}) == {
        "name": "Zoo Coffee", "city": "Paris", "id": 3
    }  # fmt: skip
    assert (await shops.find_one({"where": {"city": "Rome"}}) or {}).get("id") == 2


async def test_likes_are_shapes(shops: Model) -> None:
    assert await names(shops, {"where": {"name": {"like": "%Bee%"}}}) == ["Three Bees"]
    assert await names(shops, {"where": {"name": {"like": "Z%"}}}) == ["Zoo Coffee"]
    assert await names(shops, {"where": {"name": {"ilike": "z%"}}}) == ["Zoo Coffee"]
    assert await names(shops, {"where": {"name": {"regexp": "^an"}}}) == []
    assert await names(shops, {"where": {"name": {"regexp": "/^an/i"}}}) == ["Angel"]


def test_keys_keep_value_types_apart(shops: Model) -> None:
    def key(value: Any) -> Any:
        plan = QueryPlan("CoffeeShop", ("id",), Condition("id", "eq", value), (), None, 0)
        return shapes.plan_key(shops.table, plan, [], None)

    assert len({key(1), key(1.0), key(True), key("1")}) == 4
    assert key(1) == key(2)


async def test_the_cache_is_bounded(shops: Model) -> None:
    small = shapes.Shapes(builder.select_rows, size=3)
    for limit in (None, 1):
        for prop in ("name", "city", "id"):
            for value in ("Paris", "Rome"):
                where = Condition(prop, "eq", 1 if prop == "id" else value)
                plan = QueryPlan("CoffeeShop", ("name",), where, (OrderBy("id"),), limit, 0)
                shaped, values = small(shops.table, plan)
                assert shaped.kept
                found = [r["name"] for r in await shops.db.shaped_rows(shaped, values)]
                expected = {"id": ["Bel Cafe"], "city": ["Three Bees"] if value == "Rome" else [
                    "Bel Cafe", "Zoo Coffee"], "name": []}[prop]  # fmt: skip
                assert found == expected[:limit]
                assert len(small) <= 3


async def test_what_no_key_says_is_built_per_request(shops: Model) -> None:
    inner = InSelect("id", shops.table, "id", Condition("city", "eq", "Rome"))
    plan = QueryPlan("CoffeeShop", ("name",), inner, (), None, 0)
    before = len(shapes.ROWS)
    shaped, values = shapes.ROWS(shops.table, plan)
    assert not shaped.kept and values == []
    assert len(shapes.ROWS) == before
    assert [r["name"] for r in await shops.db.shaped_rows(shaped, values)] == ["Three Bees"]


async def test_postgresql_runs_kept_statements_directly(shops: Model) -> None:
    shapes.ROWS.clear()
    await shops.find({"where": {"city": "Rome"}})
    (shaped,) = shapes.ROWS._kept.values()
    direct = shops.db.backend == "postgresql"
    assert (shaped.prepared not in (None, False)) is direct


async def test_include_levels_share_shapes(shops: Model, app: LoopBackApp) -> None:
    reviews = app.models["Review"]
    when = "2024-01-01T00:00:00.000Z"
    await reviews.create(
        [{"date": when, "rating": r, "comments": f"{s}-{r}", "coffeeShopId": s} for s in (1, 2, 3) for r in (1, 2, 3)]
    )  # fmt: skip

    async def shown(where: dict[str, Any], scope: dict[str, Any]) -> dict[str, list[str]]:
        flt = {"where": where, "order": "id", "include": {"relation": "reviews", "scope": scope}}
        found = await shops.find(flt)
        return {row["name"]: [r["comments"] for r in row["reviews"]] for row in found}

    shapes.TARGETS.clear()
    first = {"order": "rating DESC", "limit": 1}
    assert await shown({"city": "Paris"}, first) == {"Bel Cafe": ["1-3"], "Zoo Coffee": ["3-3"]}
    assert await shown({"city": "Rome"}, first) == {"Three Bees": ["2-3"]}
    assert len(shapes.TARGETS) == 1  # another list of parents, the same statement
    page = {"order": "rating ASC", "limit": 2, "skip": 1}
    assert await shown({"city": "Paris"}, page) == {
        "Bel Cafe": ["1-2", "1-3"], "Zoo Coffee": ["3-2", "3-3"]
    }  # fmt: skip
    page = {"order": "rating ASC", "limit": 1, "skip": 2}
    assert await shown({"id": {"inq": [2, 4]}}, page) == {"Three Bees": ["2-3"], "Angel": []}
    assert len(shapes.TARGETS) == 2
    scoped = {"where": {"rating": {"gte": 2}}, "order": "rating ASC"}
    assert await shown({"city": "Rome"}, scoped) == {"Three Bees": ["2-2", "2-3"]}
    scoped = {"where": {"rating": {"gte": 3}}, "order": "rating ASC"}
    assert await shown({"city": "Paris"}, scoped) == {"Bel Cafe": ["1-3"], "Zoo Coffee": ["3-3"]}
