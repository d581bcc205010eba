"""The JSON bodies PostgreSQL writes (runtime/sql/json_select.py) are byte for byte the row path's.

Every filter shape is read twice on the same data: `find_body` / `find_by_id_body` (the REST
endpoints' reads) and `find` / `find_by_id` (the row path, decoded in Python), and the two serialized
answers compared; the shapes the database cannot render must still answer, by the row path.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator
from typing import Any

import httpx
import orjson
import pytest
import sqlalchemy as sa

from generated.coffee_shop import create_app as coffee_shop
from generated.library import create_app as library
from runtime.app import LoopBackApp
from runtime.jsonio import RawJSON
from tests.databases import TestDatabases
from tests.functional.library import app_on

DOUBLES = [4, 2.5, -0.0, 1e-5, -1.5e-5, 1.5e-7, 3.25e-12, 0.0001, 1e15 + 0.5, -1e15 - 0.5,
           123456.789, 9007199254740991.0, None]  # fmt: skip
TEXTS = ['plain', 'quote " and \\ backslash', "tab\t new\nline \x01 \x1f", "unicode é ✓ 𝄞",
         "apostrophe ' <b>&", "", "\u2028 sep"]  # fmt: skip
DATES = ["2024-03-03T12:48:00.000Z", "1999-12-31T23:59:59.999Z", "0072-07-21T03:04:05.678Z",
         "2024-06-30T22:00:00.001+02:00", "0001-01-01", "9999-12-31T23:59:59.999Z"]  # fmt: skip


@pytest.fixture(scope="module", params=["postgresql"])
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
async def shop(backend: str, databases: TestDatabases) -> AsyncIterator[LoopBackApp]:
    """The Coffee Shop app with shops, reviewers and reviews of awkward values."""
    async with app_on(coffee_shop, backend, databases) as (application, _):
        models = application.models
        await models["CoffeeShop"].create(
            [{"name": f"Shop {i}", "city": ["Oslo", "Rome", "Lima"][i % 3]} for i in range(7)]
        )
        await models["Reviewer"].create(
            [
                {"email": f"r{i}@x.example", "password": "secret", "username": TEXTS[i % 7]}
                for i in range(4)
            ]
        )
        reviews = []
        for i in range(40):
            reviews.append({
                "date": DATES[i % len(DATES)],
                "rating": DOUBLES[i % len(DOUBLES)],
                "comments": TEXTS[i % len(TEXTS)] or "-",
                "coffeeShopId": i % 6 + 1,  # shop 7 has none
                "publisherId": (i % 5) + 1 if i % 5 < 4 else None,  # some without a reviewer
            })  # fmt: skip
        await models["Review"].create(reviews)
        yield application


@pytest.fixture(scope="module")
async def books(backend: str, databases: TestDatabases) -> AsyncIterator[LoopBackApp]:
    """The library app: kinds of relation the database does not render, and some it does."""
    async with app_on(library, backend, databases) as (application, _):
        models = application.models
        await models["Patron"].create([{"name": "P1", "secret": "s"}, {"name": "P2"}])
        await models["Book"].create([{"title": "b1", "pages": 10.5}, {"title": "b2"}])
        await models["Loan"].create(
            [{"patronId": 1, "bookId": 2, "due": DATES[0]}, {"patronId": 1, "bookId": 1}]
        )
        await models["LibraryCard"].create({"number": "c1", "patronId": 1})
        await models["Book"].related(1, "tags").create({"name": "t1"})
        yield application


async def same(app: LoopBackApp, model: str, flt: dict[str, Any], *, rendered: bool) -> None:
    """find_body and find answer the same bytes; `rendered`: the database wrote it."""
    m = app.models[model]
    body = await m.find_body(flt)
    assert isinstance(body, RawJSON) is rendered, (model, flt)
    assert orjson.dumps(body) == orjson.dumps(await m.find(flt)), (model, flt)


SHOP_FILTERS: list[tuple[str, dict[str, Any]]] = [
    ("CoffeeShop", {}),
    ("CoffeeShop", {"where": {"city": "Oslo"}, "order": "name DESC", "limit": 10}),
    ("CoffeeShop", {"where": {"city": "Nowhere"}}),
    ("CoffeeShop", {"fields": ["city"], "order": ["city ASC", "name DESC"], "skip": 2}),
    ("CoffeeShop", {"fields": {"name": False}, "limit": 3}),
    ("CoffeeShop", {"fields": {"name": False, "city": False, "id": False}}),
    ("Review", {"order": "rating DESC"}),
    ("Review", {"where": {"rating": {"gt": 2}}, "order": "date ASC"}),
    ("Review", {"where": {"or": [{"comments": {"like": "%e%"}}, {"rating": None}]}}),
    ("Review", {"where": {"id": {"inq": [1, 5, 9]}}, "fields": ["date", "id"]}),
    ("Review", {"where": {"id": {"gt": 3}}, "order": "id ASC", "limit": 5, "include": "reviewer"}),
    ("Review", {"include": ["reviewer", "coffeeShop"], "fields": ["rating"]}),
    ("Review", {"include": "coffeeShop", "fields": {"rating": False, "comments": False}}),
    ("Review", {"include": {"relation": "reviewer", "scope": {"fields": ["email"]}}}),
    ("Review", {"include": {"relation": "reviewer", "scope": {"where": {"id": {"lt": 3}}}}}),
    ("Review", {"include": {"relation": "reviewer", "scope": {"include": "reviews"}}, "limit": 4}),
    ("CoffeeShop", {"include": "reviews"}),
    ("CoffeeShop", {"include": {"reviews": "reviewer"}, "limit": 100}),
    ("CoffeeShop", {"include": ["reviews", "reviewers"], "fields": ["name"]}),
    ("CoffeeShop", {"where": {"reviews.rating": {"gte": 4}}, "include": "reviews"}),
    (
        "CoffeeShop",
        {
            "include": {
                "relation": "reviews",
                "scope": {
                    "where": {"rating": {"gte": 1}},
                    "order": "rating DESC",
                    "limit": 2,
                    "skip": 1,
                    "fields": ["rating", "comments"],
                    "include": {"relation": "reviewer", "scope": {"fields": ["username"]}},
                },
            }
        },
    ),
    ("CoffeeShop", {"include": {"relation": "reviews", "scope": {"limit": 1}}, "order": "id"}),
    ("Reviewer", {"include": {"reviews": "coffeeShop"}, "order": "email DESC"}),
    ("Reviewer", {"include": {"relation": "reviews", "scope": {"skip": 3}}, "limit": 2}),
]


@pytest.mark.parametrize(
    ("model", "flt"), SHOP_FILTERS, ids=[json.dumps(f) for _, f in SHOP_FILTERS]
)
async def test_find_bodies_are_the_row_paths(
    shop: LoopBackApp, model: str, flt: dict[str, Any]
) -> None:
    await same(shop, model, flt, rendered=True)


async def test_the_same_relation_twice_takes_the_row_path(shop: LoopBackApp) -> None:
    await same(shop, "Review", {"include": ["reviewer", "reviewer"]}, rendered=False)


async def test_a_double_past_2_53_answers_by_the_row_path(shop: LoopBackApp) -> None:
    """PostgreSQL may print such a number with other digits than orjson: that read's rows answer."""
    reviews = shop.models["Review"]
    big = await reviews.create(
        {"date": DATES[0], "comments": "big", "rating": 7.200705635607119e17}
    )
    try:
        flt = {"where": {"comments": "big"}}
        body = await reviews.find_body(flt)
        assert not isinstance(body, RawJSON)
        assert orjson.dumps(body) == orjson.dumps(await reviews.find(flt))
        assert b"7.20070563560712e+17" in orjson.dumps(body)
        found = await reviews.find_by_id_body(big["id"])
        assert found == await reviews.find_by_id(big["id"])
    finally:
        await reviews.destroy_by_id(big["id"])


@pytest.mark.parametrize(
    "flt",
    [None, {"fields": ["comments"]}, {"include": "reviewer"}, {"where": {"rating": {"gt": 100}}}],
)
async def test_find_by_id_bodies(shop: LoopBackApp, flt: dict[str, Any] | None) -> None:
    reviews = shop.models["Review"]
    for key in (1, 2, 3, 4, 5, 9999):
        body = await reviews.find_by_id_body(key, flt)
        row = await reviews.find_by_id(key, flt)
        assert (body is None) is (row is None)
        if body is not None:
            assert isinstance(body, RawJSON)
            assert orjson.dumps(body) == orjson.dumps(row)


async def test_rest_reads(shop: LoopBackApp) -> None:
    """Through HTTP: the same bytes, LB3's 404 for an id with no row, and after-remote hooks get
    (and may change) the rows."""
    transport = httpx.ASGITransport(app=shop)
    async with httpx.AsyncClient(transport=transport, base_url="http://test/api") as api:
        flt = {"include": {"reviews": "reviewer"}, "order": "id"}
        answer = await api.get("/CoffeeShops", params={"filter": json.dumps(flt)})
        assert answer.status_code == 200
        assert answer.content == orjson.dumps(await shop.models["CoffeeShop"].find(flt))
        missing = await api.get("/CoffeeShops/9999")
        assert missing.status_code == 404
        assert missing.json()["error"]["code"] == "MODEL_NOT_FOUND"
        one = await api.get("/CoffeeShops/2")
        assert one.content == orjson.dumps(await shop.models["CoffeeShop"].find_by_id(2))
        seen: list[Any] = []

        def after(ctx: Any) -> None:
            seen.append(ctx.result)
            ctx.result = [*ctx.result, {"extra": True}]

        # last: the module's app keeps the hook (no later test reads through HTTP)
        shop.models["CoffeeShop"].after_remote("find", after)
        hooked = await api.get("/CoffeeShops", params={"filter": '{"limit": 1}'})
        assert isinstance(seen[0], list) and seen[0][0]["id"] == 1
        assert hooked.json()[-1] == {"extra": True}


async def test_loaded_observers_take_the_row_path(shop: LoopBackApp) -> None:
    shops = shop.models["CoffeeShop"]

    def loaded(ctx: Any) -> None:
        ctx.data["seen"] = True

    shops.observe("loaded", loaded)
    try:
        body = await shops.find_body({"limit": 2})
        assert not isinstance(body, RawJSON) and body[0]["seen"] is True
        assert (await shops.find_by_id_body(1))["seen"] is True
    finally:
        shops.remove_observer("loaded", loaded)


LIBRARY_FILTERS: list[tuple[str, dict[str, Any], bool]] = [
    ("LibraryCard", {}, True),
    ("Loan", {"order": "due DESC"}, True),
    ("Tag", {"fields": ["name"]}, True),
    ("Patron", {}, False),  # embedded items: JSON columns
    ("Loan", {"include": "patron"}, False),  # a target with JSON columns
    ("Book", {"include": "tags"}, False),
    ("Tag", {"include": "books"}, False),  # hasAndBelongsToMany
    ("Book", {"include": "relatedTags"}, False),  # referencesMany
]


@pytest.mark.parametrize(
    ("model", "flt", "rendered"),
    LIBRARY_FILTERS,
    ids=[json.dumps(f) for _, f, _ in LIBRARY_FILTERS],
)
async def test_library_bodies(
    books: LoopBackApp, model: str, flt: dict[str, Any], rendered: bool
) -> None:
    await same(books, model, flt, rendered=rendered)


async def test_one_statement_per_read(shop: LoopBackApp) -> None:
    """Two include levels are one statement, not three; SQLAlchemy's path (an engine someone
    listens to) reads the same bodies as the direct one."""
    engine = shop.db.engine.sync_engine  # type: ignore[attr-defined]
    statements: list[str] = []

    def count(*args: Any) -> None:
        statements.append(args[2])

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        shops = shop.models["CoffeeShop"]
        body = await shops.find_body({"include": {"reviews": "reviewer"}})
        assert len(statements) == 1
        assert orjson.dumps(body) == orjson.dumps(
            await shops.find({"include": {"reviews": "reviewer"}})
        )
        one = await shops.find_by_id_body(2)
        assert isinstance(one, RawJSON)
        assert orjson.dumps(one) == orjson.dumps(await shops.find_by_id(2))
        assert await shops.find_by_id_body(9999) is None
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)


async def test_one_json_statement_per_shape(shop: LoopBackApp) -> None:
    """The JSON statement is built once per shape (runtime/sql/shapes.py) and its values bound per
    read, the included levels' too: other values of one shape answer their own rows."""
    from runtime.sql import shapes

    def flt(city: str, rating: int, limit: int, skip: int) -> dict[str, Any]:
        scope = {"where": {"rating": {"gte": rating}}, "limit": limit, "skip": skip,
                 "include": {"relation": "reviewer", "scope": {"where": {"id": {"lt": rating}}}}}  # fmt: skip
        return {"where": {"city": city}, "include": {"relation": "reviews", "scope": scope}}

    await same(shop, "CoffeeShop", flt("Oslo", 1, 2, 1), rendered=True)  # a skip is set: a shape
    before = len(shapes.JSON_ROWS)
    for args in [("Rome", 3, 1, 1), ("Lima", 0, 5, 2), ("Oslo", 4, 3, 3), ("Nowhere", 2, 1, 1)]:
        await same(shop, "CoffeeShop", flt(*args), rendered=True)
    assert len(shapes.JSON_ROWS) == before  # no new statement for new values
    shops = shop.models["CoffeeShop"]
    for key in (1, 3, 5):  # findById's filtered read: the first object of a kept statement
        found = await shops.find_by_id_body(key, {"include": "reviews"})
        assert orjson.dumps(found) == orjson.dumps(
            await shops.find_by_id(key, {"include": "reviews"})
        )
