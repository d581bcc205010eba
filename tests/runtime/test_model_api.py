"""The Python API of a model (`app.models["CoffeeShop"]`): LB3's PersistedModel statics with the same
semantics as the REST API, raising the exceptions the REST API renders."""

from __future__ import annotations

import asyncio
import contextvars
from collections.abc import AsyncIterator, Awaitable, Callable
from datetime import UTC, datetime
from typing import Any, TypeVar

import pytest
import sqlalchemy as sa

from runtime.app import LoopBackApp
from runtime.db import Database, open_database, sync_engine
from runtime.errors import (
    BadRequest,
    Conflict,
    InvalidFilter,
    ItemsFailed,
    ModelNotFound,
    NotFound,
    Unprocessable,
    ValidationFailed,
)
from runtime.filter.ast import Condition, Filter, OrderBy
from runtime.model import Model
from runtime.registry import ModelMeta, PropertyMeta
from runtime.relations import RelationError
from runtime.sql.tables import build_table
from runtime.sql.types import settings_key
from tests.databases import TestDatabases

E = TypeVar("E", bound=Exception)

SEED = [
    {"name": "Bel Cafe", "city": "Paris"},
    {"name": "Three Bees", "city": "Rome"},
    {"name": "Zoo Coffee", "city": "Paris"},
    {"name": "Angel", "city": "London"},
]
SHOPS = [{**s, "id": i} for i, s in enumerate(SEED, start=1)]
MULTIPLE = "There are multiple instances found.Upsert Operation will not be performed!"


@pytest.fixture
async def shops(app: LoopBackApp) -> Model:
    model = app.models["CoffeeShop"]
    assert await model.create(SEED) == SHOPS
    return model


def codes(exc: pytest.ExceptionInfo[ValidationFailed]) -> dict[str, list[str]]:
    return dict(exc.value.details["codes"])


async def failure(call: Awaitable[Any], cls: type[E]) -> E:
    """The exception `call` raises, checked to be a `cls`."""
    with pytest.raises(cls) as exc:
        await call
    return exc.value


# ---- reads -------------------------------------------------------------------------------------


async def test_find(shops: Model) -> None:
    assert await shops.find() == SHOPS
    assert await shops.find({"where": {"city": "Paris"}, "order": "name DESC"}) == [
        SHOPS[2],
        SHOPS[0],
    ]
    assert await shops.find({"fields": ["name"], "limit": 1, "skip": 3}) == [{"name": "Angel"}]


async def test_find_takes_a_parsed_filter(shops: Model) -> None:
    flt = Filter(where=Condition("city", "neq", "Paris"), order=(OrderBy("name"),))
    assert await shops.find(flt) == [SHOPS[3], SHOPS[1]]


async def test_find_one(shops: Model) -> None:
    assert await shops.find_one({"where": {"city": "Paris"}, "order": "id DESC"}) == SHOPS[2]
    assert await shops.find_one() == SHOPS[0]
    assert await shops.find_one({"where": {"city": "Nowhere"}}) is None


@pytest.mark.parametrize(
    ("id", "expected"),
    [(2, SHOPS[1]), ("2", SHOPS[1]), (9999, None), ("abc", None), (2**64, None), (True, None)],
    ids=["int", "numeric-text", "missing", "text", "beyond-int64", "boolean"],
)
async def test_find_by_id(shops: Model, id: Any, expected: Any) -> None:
    assert await shops.find_by_id(id) == expected


async def test_find_by_id_with_filter(shops: Model) -> None:
    assert await shops.find_by_id(3, {"fields": {"city": False}}) == {"name": "Zoo Coffee", "id": 3}
    assert await shops.find_by_id(2, {"where": {"city": "Paris"}}) is None


async def test_count(shops: Model) -> None:
    assert await shops.count() == 4
    assert await shops.count({"city": "Paris"}) == 2
    assert await shops.count({"or": [{"id": 1}, {"id": {"gt": 3}}]}) == 2


@pytest.mark.parametrize(
    ("id", "expected"), [(1, True), ("4", True), (5, False), ("x", False), (-1, False)]
)
async def test_exists(shops: Model, id: Any, expected: bool) -> None:
    assert await shops.exists(id) is expected


@pytest.mark.parametrize(
    "call",
    [
        lambda m: m.find({"where": {"nosuch": 1}}),
        lambda m: m.find({"where": {"name": {"like": 5}}}),
        lambda m: m.find({"limit": -1}),
        lambda m: m.find_one({"order": "name UP"}),
        lambda m: m.count({"id": "abc"}),
        lambda m: m.find_by_id(1, {"fields": ["nosuch"]}),
        lambda m: m.update_all({"nosuch": 1}, {"city": "X"}),
        lambda m: m.destroy_all({"name": {"regexp": "^(B"}}),
    ],
    ids=["where", "like", "limit", "order", "count", "find-by-id", "update-all", "destroy-all"],
)
async def test_invalid_filters_raise(shops: Model, call: Any) -> None:
    with pytest.raises(InvalidFilter) as exc:
        await call(shops)
    assert exc.value.status == 400 and exc.value.code == "INVALID_FILTER"
    assert await shops.count() == 4


# ---- create ------------------------------------------------------------------------------------


async def test_create_one(app: LoopBackApp) -> None:
    model = app.models["CoffeeShop"]
    assert await model.create({"name": "A", "city": "B"}) == {"name": "A", "city": "B", "id": 1}
    assert await model.create([]) == []


async def test_create_validates(app: LoopBackApp) -> None:
    model = app.models["CoffeeShop"]
    with pytest.raises(ValidationFailed) as exc:
        await model.create({"id": 7, "name": 1, "foo": 2})
    assert codes(exc) == {
        "id": ["absence"],
        "name": ["type"],
        "foo": ["unknown-property"],
        "city": ["presence"],
    }
    assert exc.value.status == 422
    assert await model.count() == 0


async def test_create_list_is_atomic(shops: Model) -> None:
    with pytest.raises(ItemsFailed) as exc:
        await shops.create([{"name": "OK", "city": "X"}, {"name": "No city"}])
    first, second = exc.value.errors
    assert first is None and isinstance(second, ValidationFailed)
    assert exc.value.status == 422
    assert await shops.count() == 4


async def test_create_list_items_must_be_objects(shops: Model) -> None:
    err = await failure(shops.create([{"name": "OK", "city": "X"}, "no"]), BadRequest)
    assert err.message == "Some of array items are not an object."
    assert await shops.count() == 4


async def test_create_rejects_a_non_object(app: LoopBackApp) -> None:
    err = await failure(app.models["CoffeeShop"].create("text"), BadRequest)  # type: ignore[call-overload]
    assert err.message == "The request body must be a JSON object. Value is not an object."


async def test_create_review_converts_values(app: LoopBackApp) -> None:
    reviews = app.models["Review"]
    created = await reviews.create({"date": "2020-01-01T10:00:00+02:00", "comments": "c"})
    assert created == {
        "date": "2020-01-01T08:00:00.000Z",
        "rating": None,
        "comments": "c",
        "id": 1,
        "coffeeShopId": None,
        "publisherId": None,
    }
    assert await reviews.find_by_id(1) == created


# ---- upserts and updates -----------------------------------------------------------------------


async def test_patch_or_create(shops: Model) -> None:
    assert await shops.patch_or_create({"id": 1, "city": "Lyon"}) == {**SHOPS[0], "city": "Lyon"}
    # LB3's aliases: upsert and updateOrCreate
    assert await shops.upsert({"id": 1, "city": "Oslo"}) == {**SHOPS[0], "city": "Oslo"}
    assert await shops.update_or_create({"id": 1, "city": "Lyon"}) == {**SHOPS[0], "city": "Lyon"}
    assert await shops.patch_or_create({"name": "New", "city": "X"}) == {
        "name": "New",
        "city": "X",
        "id": 5,
    }
    err = await failure(shops.patch_or_create({"id": 99, "name": "N", "city": "C"}), NotFound)
    assert err.message == "Could not update attributes. Object with id 99 does not exist!"
    with pytest.raises(ValidationFailed):
        await shops.patch_or_create({"name": "No city"})
    assert await shops.count() == 5


async def test_replace_or_create(shops: Model) -> None:
    assert await shops.replace_or_create({"id": "2", "name": "R", "city": "S"}) == {
        "name": "R",
        "city": "S",
        "id": 2,
    }
    assert (await shops.replace_or_create({"name": "New", "city": "X"}))["id"] == 5
    err = await failure(shops.replace_or_create({"id": 99, "name": "N", "city": "C"}), NotFound)
    assert err.message == "Could not replace. Object with id 99 does not exist!"
    with pytest.raises(ValidationFailed) as exc:
        await shops.replace_or_create({"id": 2, "name": "Partial"})
    assert codes(exc) == {"city": ["presence"]}


async def test_upsert_with_where(shops: Model) -> None:
    updated = await shops.upsert_with_where({"name": "Angel"}, {"name": "Angel", "city": "Cork"})
    assert updated == {"name": "Angel", "city": "Cork", "id": 4}
    created = await shops.upsert_with_where({"name": "Nobody"}, {"name": "Nobody", "city": "N"})
    assert created == {"name": "Nobody", "city": "N", "id": 5}
    err = await failure(
        shops.upsert_with_where({"city": "Paris"}, {"name": "P", "city": "Paris"}), BadRequest
    )
    assert err.message == MULTIPLE
    err = await failure(shops.upsert_with_where(None, {"name": "P", "city": "Paris"}), BadRequest)
    assert err.message == MULTIPLE
    with pytest.raises(ValidationFailed) as exc:
        await shops.upsert_with_where({"name": "Angel"}, {"city": "Partial"})
    assert codes(exc) == {"name": ["presence"]}


async def test_update_all(shops: Model) -> None:
    assert await shops.update_all({"city": "Paris"}, {"city": "Lyon"}) == 2
    assert await shops.update_all({"city": "Paris"}, {"city": "Lyon"}) == 0
    assert await shops.update_all(None, {"name": "Same"}) == 4
    assert await shops.update_all({"id": 1}, {}) == 1
    assert await shops.update_all({"id": 1}, {"id": None, "city": "Kept id"}) == 1
    assert await shops.find({"fields": ["city", "id"]}) == [
        {"city": "Kept id", "id": 1},
        {"city": "Rome", "id": 2},
        {"city": "Lyon", "id": 3},
        {"city": "London", "id": 4},
    ]
    with pytest.raises(ValidationFailed) as exc:
        await shops.update_all({"id": 1}, {"name": 5, "foo": 1})
    assert codes(exc) == {"name": ["type"], "foo": ["unknown-property"]}


async def test_replace_by_id(shops: Model) -> None:
    assert await shops.replace_by_id(2, {"name": "R", "city": "S"}) == {
        "name": "R",
        "city": "S",
        "id": 2,
    }
    err = await failure(shops.replace_by_id(99, {"name": "R", "city": "S"}), NotFound)
    assert err.message == "Could not replace. Object with id 99 does not exist!"
    bad = await failure(shops.replace_by_id(2, {"id": 3, "name": "R", "city": "S"}), BadRequest)
    assert bad.message == "id property (id) cannot be updated from 2 to 3"
    with pytest.raises(ValidationFailed):
        await shops.replace_by_id(2, {"name": "R"})


async def test_patch_attributes(shops: Model) -> None:
    assert await shops.patch_attributes(3, {"city": "Nice"}) == {**SHOPS[2], "city": "Nice"}
    assert await shops.patch_attributes("3", {}) == {**SHOPS[2], "city": "Nice"}
    err = await failure(shops.patch_attributes(99, {"city": "X"}), ModelNotFound)
    assert err.message == "could not find a model with id 99"
    assert err.code == "MODEL_NOT_FOUND"
    bad = await failure(shops.patch_attributes(3, {"id": 4}), BadRequest)
    assert bad.message == "id cannot be updated from 3 to 4 when forceId is set to true"
    with pytest.raises(ValidationFailed) as invalid:
        await shops.patch_attributes(3, {"name": ""})
    assert codes(invalid) == {"name": ["presence"]}


# ---- deletes -----------------------------------------------------------------------------------


async def test_destroy_by_id(shops: Model) -> None:
    assert await shops.destroy_by_id(1) == 1
    assert await shops.destroy_by_id(1) == 0
    assert await shops.destroy_by_id("abc") == 0
    assert await shops.find_by_id(1) is None
    assert await shops.count() == 3


async def test_destroy_all(shops: Model) -> None:
    assert await shops.destroy_all({"city": "Paris"}) == 2
    assert await shops.find() == [SHOPS[1], SHOPS[3]]
    assert await shops.destroy_all() == 2
    assert await shops.count() == 0


# ---- users -------------------------------------------------------------------------------------


async def test_user_rules_apply_to_the_python_api(app: LoopBackApp) -> None:
    reviewers = app.models["Reviewer"]
    alice = await reviewers.create({"email": "a@example.com", "password": "secret"})
    assert "password" not in alice
    with pytest.raises(ValidationFailed) as exc:
        await reviewers.create({"email": "a@example.com", "password": "x"})
    assert codes(exc) == {"email": ["uniqueness"]}
    table = reviewers.table
    async with app.db.read() as session:
        stored = await session.scalar(sa.select(table.column("password")))
    assert stored != "secret" and stored.startswith("$argon2id$")


# ---- models outside the Coffee Shop app --------------------------------------------------------


@pytest.fixture
async def standalone(backend: str, databases: TestDatabases) -> AsyncIterator[Callable[..., Model]]:
    """Builds a model on its own table in the backend's database, dropped afterwards."""
    built: list[tuple[Database, sa.MetaData]] = []

    def build(props: list[PropertyMeta], **settings: Any) -> Model:
        meta = ModelMeta(
            name="Thing",
            properties={p.name: p for p in props},
            force_id=True,
            settings=settings,
        )
        db = open_database(databases.url(backend) if backend != "sqlite" else "sqlite://")
        metadata = sa.MetaData()
        table = build_table(meta, metadata, db.backend)
        db.create_all(metadata)
        built.append((db, metadata))
        return Model(meta, table, db)

    yield build
    for db, metadata in built:
        await db.close()
        if db.backend != "sqlite":
            with sync_engine(db.url) as engine:
                metadata.drop_all(engine)


@pytest.fixture
def renamed(standalone: Callable[..., Model], backend: str) -> Model:
    """A model whose properties live in columns of other names (LB3's `columnName` setting, for all
    connectors or for one)."""
    return standalone(
        [
            PropertyMeta("name", "string", required=True, settings={"columnName": "shop_name"}),
            PropertyMeta(
                "city", "string", settings={settings_key(backend): {"columnName": "town"}}
            ),
            PropertyMeta("id", "number", id=1, generated=True, settings={"columnName": "shop_id"}),
        ],
        **{settings_key(backend): {"table": "renamed_shops"}},
    )


async def test_column_names_are_read_back_as_properties(renamed: Model) -> None:
    created = await renamed.create([{"name": "A", "city": "X"}, {"name": "B", "city": "Y"}])
    assert created == [{"name": "A", "city": "X", "id": 1}, {"name": "B", "city": "Y", "id": 2}]
    assert await renamed.find({"order": "name DESC"}) == created[::-1]
    assert await renamed.find_by_id(2) == created[1]
    assert await renamed.find_by_id(2, {"fields": ["city"]}) == {"city": "Y"}
    assert await renamed.patch_attributes(1, {"city": "Z"}) == {"name": "A", "city": "Z", "id": 1}
    assert await renamed.replace_by_id(2, {"name": "C"}) == {"name": "C", "city": None, "id": 2}
    result = await renamed.datasource.execute(
        "SELECT shop_id, shop_name, town FROM renamed_shops WHERE shop_id >= :low ORDER BY shop_id",
        {"low": 1},
    )
    assert result.rows == [
        {"shop_id": 1, "shop_name": "A", "town": "Z"},
        {"shop_id": 2, "shop_name": "C", "town": None},
    ]


async def test_defaults(standalone: Callable[..., Model]) -> None:
    model = standalone(
        [
            PropertyMeta("name", "string", default="unnamed"),
            PropertyMeta("stars", "number", default=3),
            PropertyMeta("note", "string", default=None),
            PropertyMeta("created", "date", default="$now"),
            PropertyMeta("stamped", "date", default_fn="now"),
            PropertyMeta("uid", "string", default_fn="uuidv4"),
            PropertyMeta("id", "number", id=1, generated=True),
        ]
    )
    before = datetime.now(UTC).replace(tzinfo=None, microsecond=0)
    created = await model.create({})
    assert created["name"] == "unnamed" and created["stars"] == 3 and created["note"] is None
    assert len(created["uid"]) == 36
    for prop in ("created", "stamped"):
        stamp = datetime.fromisoformat(created[prop].replace("Z", "+00:00")).replace(tzinfo=None)
        assert before <= stamp <= datetime.now(UTC).replace(tzinfo=None)
        assert created[prop].endswith("Z") and len(created[prop]) == 24
        # a stored default reads back and finds its row, millisecond for millisecond
        assert await model.count({prop: created[prop]}) == 1
    assert await model.find_by_id(1) == created
    given = await model.create({"name": "given", "created": "2020-01-01"})
    assert given["name"] == "given" and given["created"] == "2020-01-01T00:00:00.000Z"


# ---- values the column cannot hold ---------------------------------------------------------------


async def test_a_number_in_an_integer_column_is_never_rounded(
    standalone: Callable[..., Model], backend: str
) -> None:
    """LB3's `dataType: "integer"` on a number: PostgreSQL would round 50.5 to 51 on its own."""
    model = standalone(
        [
            PropertyMeta(
                "stars", "number", settings={settings_key(backend): {"dataType": "integer"}}
            ),
            PropertyMeta("id", "number", id=1, generated=True),
        ]
    )
    assert await model.create({"stars": 50}) == {"stars": 50, "id": 1}
    assert await model.create({"stars": 7.0}) == {"stars": 7, "id": 2}
    for value in (50.5, 2**31, -(2**31) - 1):
        with pytest.raises(ValidationFailed) as exc:
            await model.create({"stars": value})
        assert codes(exc) == {"stars": ["type"]}
    assert await model.find() == [{"stars": 50, "id": 1}, {"stars": 7, "id": 2}]


async def test_a_value_the_column_cannot_hold_is_422_not_500(
    standalone: Callable[..., Model], backend: str
) -> None:
    model = standalone(
        [
            PropertyMeta(
                "price", "number", settings={settings_key(backend): {"dataType": "numeric(5,2)"}}
            ),
            PropertyMeta(
                "code", "string", settings={settings_key(backend): {"dataType": "varchar(5)"}}
            ),
            PropertyMeta("id", "number", id=1, generated=True),
        ]
    )
    assert await model.create({"price": 123.45, "code": "abcde"}) == {
        "price": 123.45,
        "code": "abcde",
        "id": 1,
    }
    for bad in ({"price": 12345.5}, {"code": "abcdef"}):
        if backend == "sqlite":  # SQLite stores any value in any column
            assert (await model.create(bad)).items() >= bad.items()
            continue
        with pytest.raises(Unprocessable) as exc:
            await model.create(bad)
        assert (exc.value.status, exc.value.code) == (422, "DATA_ERROR")
        assert "INSERT" not in exc.value.message
    assert await model.count({"id": 1}) == 1


async def test_a_taken_unique_value_is_409(standalone: Callable[..., Model]) -> None:
    model = standalone(
        [
            PropertyMeta("code", "string", index={"unique": True}),
            PropertyMeta("id", "number", id=1, generated=True),
        ]
    )
    await model.create({"code": "A"})
    with pytest.raises(Conflict) as exc:
        await model.create({"code": "A"})
    assert (exc.value.status, exc.value.code) == (409, "UNIQUE_VIOLATION")
    with pytest.raises(ItemsFailed) as bulk:  # the whole array, atomically; item 1 is the 409
        await model.create([{"code": "B"}, {"code": "A"}])
    assert bulk.value.status == 409 and isinstance(bulk.value.errors[1], Conflict)
    assert await model.find({"fields": ["code"]}) == [{"code": "A"}]


# ---- transactions and native SQL ---------------------------------------------------------------


async def test_a_transaction_commits_together(app: LoopBackApp) -> None:
    shops, reviews = app.models["CoffeeShop"], app.models["Review"]
    async with shops.datasource.transaction():
        shop = await shops.create({"name": "Bel Cafe", "city": "Paris"})
        await reviews.create(
            {"coffeeShopId": shop["id"], "rating": 5, "comments": "good", "date": "2026-01-01"}
        )
        assert await shops.count() == 1  # reads inside see the transaction's own writes
    assert (await shops.count(), await reviews.count()) == (1, 1)


async def test_a_transaction_rolls_back_together(app: LoopBackApp) -> None:
    shops, reviews = app.models["CoffeeShop"], app.models["Review"]
    await shops.create({"name": "Before", "city": "Rome"})
    with pytest.raises(RuntimeError, match="boom"):
        async with shops.datasource.transaction():
            await shops.create({"name": "Bel Cafe", "city": "Paris"})
            await shops.update_all({"city": "Rome"}, {"city": "Milan"})
            await reviews.create(
                {"coffeeShopId": 1, "rating": 5, "comments": "good", "date": "2026-01-01"}
            )
            raise RuntimeError("boom")
    assert await shops.find({"fields": ["name", "city"]}) == [{"name": "Before", "city": "Rome"}]
    assert await reviews.count() == 0


async def test_a_failed_statement_rolls_back_the_transaction(app: LoopBackApp) -> None:
    shops = app.models["CoffeeShop"]
    with pytest.raises(ValidationFailed):
        async with shops.datasource.transaction():
            await shops.create({"name": "Kept?", "city": "Paris"})
            await shops.create({"name": "no city"})
    assert await shops.count() == 0


async def test_other_requests_wait_for_a_transaction_or_do_not_see_it(app: LoopBackApp) -> None:
    """Concurrent work never sees uncommitted rows (SQLite: it waits; servers: isolation)."""
    shops = app.models["CoffeeShop"]
    seen: list[int] = []

    async def outside() -> None:
        seen.append(await shops.count())

    async with shops.datasource.transaction():
        await shops.create({"name": "Pending", "city": "Paris"})
        task = asyncio.create_task(outside(), context=contextvars.Context())
        await asyncio.sleep(0.05)
    await task
    assert seen in ([0], [1])  # 0: read before the commit (servers); 1: waited for it (SQLite)
    assert await shops.count() == 1


async def test_native_sql_binds_values(app: LoopBackApp) -> None:
    shops = app.models["CoffeeShop"]
    await shops.create([{"name": "Bel Cafe", "city": "Paris"}, {"name": "O'Neil", "city": "Rome"}])
    quoted = shops.table.table.name  # coffeeshop on PostgreSQL, CoffeeShop elsewhere
    result = await shops.datasource.execute(
        f"SELECT count(*) AS n FROM {quoted} WHERE {shops.table.column('name').name} = :name",
        {"name": "O'Neil"},
    )
    assert result.rows == [{"n": 1}]
    updated = await shops.datasource.execute(
        f"UPDATE {quoted} SET {shops.table.column('city').name} = :city", {"city": "Oslo"}
    )
    assert updated.count == 2
    assert {s["city"] for s in await shops.find()} == {"Oslo"}
    with pytest.raises(TypeError):
        await shops.datasource.execute("SELECT 1", [1])  # type: ignore[arg-type]


# ---- reading through relations ------------------------------------------------------------------


async def test_related_reads(app: LoopBackApp) -> None:
    shops, reviews = app.models["CoffeeShop"], app.models["Review"]
    await shops.create(SEED)
    day = {"comments": "x", "date": "2026-01-01"}
    await reviews.create(
        [{"coffeeShopId": 1, "rating": 5, **day}, {"coffeeShopId": 1, "rating": 2, **day},
         {"coffeeShopId": 2, "rating": 4, **day}]
    )  # fmt: skip
    mine = shops.related(1, "reviews")
    assert [r["id"] for r in await mine.find()] == [1, 2]
    assert [r["rating"] for r in await mine.find({"order": "rating ASC"})] == [2, 5]
    assert await mine.count() == 2
    assert await mine.count({"rating": {"gt": 3}}) == 1
    assert (await mine.find_by_id(2))["rating"] == 2
    with pytest.raises(NotFound, match="No instance with id 3 found for Review"):
        await mine.find_by_id(3)
    assert await reviews.related(3, "coffeeShop").get() == SHOPS[1]
    with pytest.raises(ModelNotFound, match="could not find a model with id 99"):
        await shops.related(99, "reviews").find()


async def test_unknown_or_unserved_relations_are_named(app: LoopBackApp) -> None:
    with pytest.raises(RelationError, match="CoffeeShop has no relation 'nope'"):
        app.models["CoffeeShop"].related(1, "nope")


async def test_related_writes(app: LoopBackApp) -> None:
    shops, reviews = app.models["CoffeeShop"], app.models["Review"]
    await shops.create(SEED)
    mine = shops.related(1, "reviews")
    day = {"comments": "x", "date": "2026-01-01"}
    created = await mine.create({**day, "rating": 5, "coffeeShopId": 2})
    assert created["coffeeShopId"] == 1
    assert [r["coffeeShopId"] for r in await mine.create([{**day}, {**day}])] == [1, 1]
    assert (await mine.update_by_id(1, {"rating": 2, "coffeeShopId": 3}))["coffeeShopId"] == 1
    await mine.destroy_by_id(2)
    with pytest.raises(NotFound):
        await mine.destroy_by_id(2)
    assert await mine.destroy_all() == 2
    assert await reviews.count() == 0
