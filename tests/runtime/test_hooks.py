"""Operation hooks (`Model.observe`): which ctx fields each hook gets on each operation (LB3 3.28's
own table, recorded from the real server), what a hook can change, rollback when one raises, and
contexts that never leak between concurrent calls. Python API and HTTP, on every backend."""

from __future__ import annotations

import asyncio
from collections.abc import Awaitable, Callable, Iterator
from typing import Any

import httpx
import pytest

from runtime.app import LoopBackApp
from runtime.context import Context
from runtime.errors import ItemsFailed, LoopBackError
from runtime.hooks import HOOK_NAMES, HookContext
from runtime.model import Model

REVIEW = {"date": "2024-01-02T00:00:00.000Z", "comments": "fine", "rating": 3}

# What LB3 3.28 logs with loopback-connector-postgresql (loopback@3 from npm, a probe app with an
# observer per hook printing Object.keys(ctx) per operation), in LB3's spelling. The memory
# connector logs the same but for the upserts, which it runs atomically (before save: `data` +
# `where` without `currentInstance`); the SQL connectors run them as find + patch/replace/create,
# as we do, and that is the table here. (An upsert with a new id is a create, as without one;
# Review's forceId refuses it, so the table has the latter.)
LB3_TABLE = """
## create
  before save: hookState,instance,isNewInstance,model,options
  persist: currentInstance,data,hookState,isNewInstance,model,options
  loaded: data,hookState,isNewInstance,model,options
  after save: hookState,instance,isNewInstance,model,options
## find
  access: hookState,model,options,query
  loaded: data,hookState,isNewInstance,model,options
  loaded: data,hookState,isNewInstance,model,options
## findOne
  access: hookState,model,options,query
  loaded: data,hookState,isNewInstance,model,options
## findById
  access: hookState,model,options,query
  loaded: data,hookState,isNewInstance,model,options
## count
  access: hookState,model,options,query
## exists
  access: hookState,model,options,query
## patchOrCreate existing
  access: hookState,model,options,query
  before save: currentInstance,data,hookState,model,options,where
  persist: currentInstance,data,hookState,isNewInstance,model,options,where
  loaded: data,hookState,isNewInstance,model,options
  after save: hookState,instance,isNewInstance,model,options
## replaceOrCreate existing
  access: hookState,model,options,query
  before save: hookState,instance,isNewInstance,model,options
  persist: currentInstance,data,hookState,isNewInstance,model,options,where
  loaded: data,hookState,isNewInstance,model,options
  after save: hookState,instance,isNewInstance,model,options
## upsertWithWhere existing
  access: hookState,model,options,query
  before save: currentInstance,data,hookState,model,options,where
  persist: currentInstance,data,hookState,isNewInstance,model,options,where
  loaded: data,hookState,isNewInstance,model,options
  after save: hookState,instance,isNewInstance,model,options
## upsertWithWhere new
  access: hookState,model,options,query
  before save: hookState,instance,isNewInstance,model,options
  persist: currentInstance,data,hookState,isNewInstance,model,options
  loaded: data,hookState,isNewInstance,model,options
  after save: hookState,instance,isNewInstance,model,options
## patchOrCreate no id
  before save: hookState,instance,isNewInstance,model,options
  persist: currentInstance,data,hookState,isNewInstance,model,options
  loaded: data,hookState,isNewInstance,model,options
  after save: hookState,instance,isNewInstance,model,options
## replaceOrCreate no id
  before save: hookState,instance,isNewInstance,model,options
  persist: currentInstance,data,hookState,isNewInstance,model,options
  loaded: data,hookState,isNewInstance,model,options
  after save: hookState,instance,isNewInstance,model,options
## replaceById
  before save: hookState,instance,isNewInstance,model,options
  persist: currentInstance,data,hookState,isNewInstance,model,options,where
  loaded: data,hookState,isNewInstance,model,options
  after save: hookState,instance,isNewInstance,model,options
## patchAttributes
  before save: currentInstance,data,hookState,model,options,where
  persist: currentInstance,data,hookState,isNewInstance,model,options,where
  loaded: data,hookState,isNewInstance,model,options
  after save: hookState,instance,isNewInstance,model,options
## updateAll
  access: hookState,model,options,query
  before save: data,hookState,model,options,where
  persist: data,hookState,model,options,where
  after save: data,hookState,info,model,options,where
## destroyById
  access: hookState,model,options,query
  before delete: hookState,model,options,where
  after delete: hookState,info,model,options,where
## destroyAll
  access: hookState,model,options,query
  before delete: hookState,model,options,where
  after delete: hookState,info,model,options,where
## relation create
  before save: hookState,instance,isNewInstance,model,options
  persist: currentInstance,data,hookState,isNewInstance,model,options
  loaded: data,hookState,isNewInstance,model,options
  after save: hookState,instance,isNewInstance,model,options
## relation count
  access: hookState,model,options,query
## relation findById
  access: hookState,model,options,query
  loaded: data,hookState,isNewInstance,model,options
## relation updateById
  access: hookState,model,options,query
  loaded: data,hookState,isNewInstance,model,options
  before save: currentInstance,data,hookState,model,options,where
  persist: currentInstance,data,hookState,isNewInstance,model,options,where
  loaded: data,hookState,isNewInstance,model,options
  after save: hookState,instance,isNewInstance,model,options
## relation destroyById
  access: hookState,model,options,query
  loaded: data,hookState,isNewInstance,model,options
  access: hookState,model,options,query
  before delete: hookState,instance,model,options,where
  after delete: hookState,info,instance,model,options,where
## relation destroyAll
  access: hookState,model,options,query
  before delete: hookState,model,options,where
  after delete: hookState,info,model,options,where
## include
  access: hookState,model,options,query
"""
SNAKE = {
    "hookState": "hook_state",
    "isNewInstance": "is_new_instance",
    "currentInstance": "current_instance",
}


def lb3_table() -> dict[str, list[tuple[str, str]]]:
    """Operation -> [(hook, its ctx keys in our spelling)], in LB3's order."""
    table: dict[str, list[tuple[str, str]]] = {}
    current: list[tuple[str, str]] = []
    for line in LB3_TABLE.strip().splitlines():
        if line.startswith("## "):
            current = table.setdefault(line[3:], [])
            continue
        hook, _, keys = line.strip().partition(": ")
        ours = sorted(SNAKE.get(k, k) for k in keys.split(","))
        current.append((hook, ",".join(ours)))
    return table


Call = Callable[[Model, Model], Awaitable[Any]]
OPERATIONS: dict[str, Call] = {
    "create": lambda r, _s: r.create(REVIEW),
    "find": lambda r, _s: r.find({"where": {"rating": 3}}),
    "findOne": lambda r, _s: r.find_one(),
    "findById": lambda r, _s: r.find_by_id(1),
    "count": lambda r, _s: r.count(),
    "exists": lambda r, _s: r.exists(1),
    "patchOrCreate existing": lambda r, _s: r.patch_or_create({"id": 1, "rating": 4}),
    "patchOrCreate no id": lambda r, _s: r.patch_or_create(REVIEW),
    "replaceOrCreate existing": lambda r, _s: r.replace_or_create({**REVIEW, "id": 1}),
    "replaceOrCreate no id": lambda r, _s: r.replace_or_create(REVIEW),
    "upsertWithWhere existing": lambda r, _s: r.upsert_with_where({"id": 1}, REVIEW),
    "upsertWithWhere new": lambda r, _s: r.upsert_with_where({"rating": 99}, REVIEW),
    "replaceById": lambda r, _s: r.replace_by_id(1, REVIEW),
    "patchAttributes": lambda r, _s: r.patch_attributes(1, {"rating": 1}),
    "updateAll": lambda r, _s: r.update_all({"rating": 3}, {"rating": 4}),
    "destroyById": lambda r, _s: r.destroy_by_id(2),
    "destroyAll": lambda r, _s: r.destroy_all({"rating": 5}),
    "relation create": lambda _r, s: s.related(1, "reviews").create(REVIEW),
    "relation count": lambda _r, s: s.related(1, "reviews").count(),
    "relation findById": lambda _r, s: s.related(1, "reviews").find_by_id(1),
    "relation updateById": lambda _r, s: s.related(1, "reviews").update_by_id(1, {"rating": 2}),
    "relation destroyById": lambda _r, s: s.related(1, "reviews").destroy_by_id(1),
    "relation destroyAll": lambda _r, s: s.related(1, "reviews").destroy_all(),
    "include": lambda _r, s: s.find({"include": "reviews"}),
}


@pytest.fixture
async def store(app: LoopBackApp) -> tuple[Model, Model]:
    """Review and CoffeeShop: shop 1 with reviews 1, 2 (rating 3) and 3 (rating 5)."""
    shops, reviews = app.models["CoffeeShop"], app.models["Review"]
    await shops.create({"name": "Bel Cafe", "city": "Paris"})
    for rating in (3, 3, 5):
        await reviews.create({**REVIEW, "rating": rating, "coffeeShopId": 1})
    return reviews, shops


@pytest.fixture
def observing(app: LoopBackApp) -> Iterator[Callable[[str, str, Any], None]]:
    """`observing(model, hook, fn)`: an observer for this test only (the app is shared)."""
    added: list[tuple[Model, str, Any]] = []

    def add(model: str, hook: str, fn: Any) -> None:
        app.models[model].observe(hook, fn)
        added.append((app.models[model], hook, fn))

    yield add
    for model, hook, fn in added:
        model.remove_observer(hook, fn)
    assert not any(m.hooks.observed() for m in app.models.values())


@pytest.fixture
def seen(observing: Callable[[str, str, Any], None]) -> list[tuple[str, str]]:
    """Every hook of Review, recording (hook, its ctx fields)."""
    log: list[tuple[str, str]] = []
    for name in HOOK_NAMES:

        def record(ctx: HookContext, name: str = name) -> None:
            log.append((name, ",".join(sorted(ctx.fields()))))

        observing("Review", name, record)
    return log


@pytest.mark.parametrize("operation", list(OPERATIONS))
async def test_ctx_fields_match_lb3(
    store: tuple[Model, Model], seen: list[tuple[str, str]], operation: str
) -> None:
    reviews, shops = store
    await OPERATIONS[operation](reviews, shops)
    assert seen == lb3_table()[operation]


async def test_create_array_fires_every_hook_per_item(
    store: tuple[Model, Model], seen: list[tuple[str, str]]
) -> None:
    reviews, _ = store
    await reviews.create([REVIEW, REVIEW])
    # every item's before save (and validation) first, as LB3 runs them, then each item stored
    stored = ["persist", "loaded", "after save"]
    assert [hook for hook, _ in seen] == ["before save"] * 2 + stored * 2


# ---- what hooks change -------------------------------------------------------------------------


async def test_before_save_changes_what_is_stored(
    store: tuple[Model, Model], observing: Callable[[str, str, Any], None]
) -> None:
    reviews, _ = store

    async def shout(ctx: HookContext) -> None:  # async, as LB3 apps' promise hooks
        target = ctx.instance if ctx.instance is not None else ctx.data
        assert target is not None
        if isinstance(target.get("comments"), str):
            target["comments"] = target["comments"].upper()
        target["rating"] = 5

    observing("Review", "before save", shout)
    created = await reviews.create({**REVIEW, "comments": "nice"})
    assert (created["comments"], created["rating"]) == ("NICE", 5)
    patched = await reviews.patch_attributes(1, {"comments": "meh"})
    assert (patched["comments"], patched["rating"]) == ("MEH", 5)
    assert await reviews.update_all({"id": 2}, {"comments": "so so"}) == 1
    stored = await reviews.find_by_id(2)
    assert stored is not None and (stored["comments"], stored["rating"]) == ("SO SO", 5)


async def test_before_save_may_fill_a_required_property(
    store: tuple[Model, Model], observing: Callable[[str, str, Any], None]
) -> None:
    """LB3 validates after `before save`: a hook may supply what the body lacks."""
    reviews, _ = store

    def comment(ctx: HookContext) -> None:
        assert ctx.instance is not None
        ctx.instance.setdefault("comments", "no comment")

    observing("Review", "before save", comment)
    created = await reviews.create({"date": REVIEW["date"]})
    assert created["comments"] == "no comment"


async def test_loaded_and_access_shape_reads(
    store: tuple[Model, Model], observing: Callable[[str, str, Any], None]
) -> None:
    reviews, shops = store

    def only_good(ctx: HookContext) -> None:
        assert ctx.query is not None
        ctx.query.where = {"rating": {"gte": 4}}

    def stars(ctx: HookContext) -> None:
        assert ctx.data is not None
        ctx.data["stars"] = "*" * int(ctx.data.get("rating") or 0)

    observing("Review", "access", only_good)
    observing("Review", "loaded", stars)
    found = await reviews.find({"where": {"rating": {"gt": 0}}})
    assert [(r["id"], r["stars"]) for r in found] == [(3, "*****")]
    assert await reviews.count() == 1
    assert await reviews.find_by_id(1) is None
    assert not await reviews.exists(1)
    assert [r["id"] for r in await shops.related(1, "reviews").find()] == [3]
    included = await shops.find({"include": "reviews"})
    assert [r["id"] for r in included[0]["reviews"]] == [3]
    # a where on the related model's properties sees only what its access hook lets through
    assert await shops.count({"reviews.rating": 3}) == 0
    assert await shops.count({"reviews.rating": 5}) == 1
    # bulk writes touch only what a read would see
    assert await reviews.update_all({}, {"comments": "x"}) == 1
    assert await reviews.destroy_all() == 1


async def test_hook_state_is_shared_by_one_operation(
    store: tuple[Model, Model], observing: Callable[[str, str, Any], None]
) -> None:
    reviews, _ = store
    states: list[Any] = []

    def before(ctx: HookContext) -> None:
        ctx.hook_state["seen"] = True

    def after(ctx: HookContext) -> None:
        states.append(dict(ctx.hook_state))

    observing("Review", "before save", before)
    observing("Review", "after save", after)
    await reviews.create(REVIEW)
    await reviews.patch_attributes(1, {"rating": 1})
    assert states == [{"seen": True}, {"seen": True}]


# ---- transactions ------------------------------------------------------------------------------


class Refused(LoopBackError):
    status = 403


@pytest.mark.parametrize("hook", ["before save", "persist", "after save"])
async def test_a_hook_that_raises_rolls_back_its_writes_and_the_operation(
    app: LoopBackApp,
    store: tuple[Model, Model],
    observing: Callable[[str, str, Any], None],
    hook: str,
) -> None:
    """The hook writes another model first (joining the transaction), then refuses: nothing of
    the operation, nor of the hook's own write, is stored."""
    reviews, shops = store
    sessions: list[Any] = []

    async def refuse(ctx: HookContext) -> None:
        sessions.append(ctx.context.session)
        await shops.create({"name": "Side effect", "city": "Oslo"}, ctx=ctx.context)
        raise Refused("no")

    observing("Review", hook, refuse)
    calls: list[Callable[[], Awaitable[Any]]] = [
        lambda: reviews.create(REVIEW),
        lambda: reviews.create([REVIEW, REVIEW]),
        lambda: reviews.patch_attributes(1, {"rating": 1}),
        lambda: reviews.replace_by_id(1, REVIEW),
        lambda: reviews.update_all({"rating": 3}, {"rating": 1}),
        lambda: reviews.patch_or_create({**REVIEW, "id": 1, "rating": 1}),
        lambda: shops.related(1, "reviews").create(REVIEW),
        lambda: shops.related(1, "reviews").update_by_id(2, {"rating": 1}),
    ]
    for call in calls:
        with pytest.raises(Refused):
            await call()
    assert all(s is not None for s in sessions) and len(sessions) == len(calls)
    assert await shops.count() == 1
    assert [(r["id"], r["rating"]) for r in await reviews.find()] == [(1, 3), (2, 3), (3, 5)]


async def test_a_delete_hook_that_raises_deletes_nothing(
    store: tuple[Model, Model], observing: Callable[[str, str, Any], None]
) -> None:
    reviews, shops = store

    def refuse(_ctx: HookContext) -> None:
        raise Refused("kept")

    observing("Review", "after delete", refuse)
    for call in (
        lambda: reviews.destroy_by_id(1),
        lambda: reviews.destroy_all(),
        lambda: shops.related(1, "reviews").destroy_all(),
        lambda: shops.related(1, "reviews").destroy_by_id(2),
    ):
        with pytest.raises(Refused):
            await call()
    assert await reviews.count() == 3


async def test_a_hook_reads_another_model_inside_the_transaction(
    store: tuple[Model, Model], observing: Callable[[str, str, Any], None]
) -> None:
    """What the operation wrote is visible to the hook's own reads (same session)."""
    reviews, _ = store
    counted: list[int] = []

    async def count(ctx: HookContext) -> None:
        counted.append(await ctx.model.count(ctx=ctx.context))

    observing("Review", "after save", count)
    await reviews.create([REVIEW, REVIEW])
    assert counted == [4, 5]


async def test_validation_errors_still_name_the_item(
    store: tuple[Model, Model], observing: Callable[[str, str, Any], None]
) -> None:
    reviews, _ = store
    observing("Review", "before save", lambda ctx: None)
    with pytest.raises(ItemsFailed) as exc:
        await reviews.create([REVIEW, {"date": REVIEW["date"]}])
    assert exc.value.details[0] is None and exc.value.details[1]["name"] == "ValidationError"
    assert await reviews.count() == 3


# ---- contexts ----------------------------------------------------------------------------------


async def test_options_reach_hooks_through_relations(
    store: tuple[Model, Model], observing: Callable[[str, str, Any], None]
) -> None:
    reviews, shops = store
    seen: list[tuple[str, Any]] = []
    for hook in ("access", "before save", "before delete"):
        observing(
            "Review", hook, lambda ctx, hook=hook: seen.append((hook, ctx.options.get("who")))
        )
    ctx = Context(options={"who": "ann"})
    await shops.related(1, "reviews", ctx=ctx).create(REVIEW)
    await shops.at(1, ctx=ctx).reviews.destroy_all()
    await shops.find({"include": "reviews"}, ctx=ctx)
    assert seen == [
        ("before save", "ann"),
        ("access", "ann"),
        ("before delete", "ann"),
        ("access", "ann"),
    ]
    seen.clear()
    await reviews.count()  # no ctx: a system context, its own options
    assert seen == [("access", None)]


async def test_concurrent_calls_never_see_each_others_context(
    store: tuple[Model, Model], observing: Callable[[str, str, Any], None]
) -> None:
    reviews, _ = store
    records: list[tuple[str, Any, Any]] = []

    async def record(ctx: HookContext) -> None:
        await asyncio.sleep(0)  # let the other calls run in between
        body = ctx.instance if ctx.instance is not None else ctx.data
        mine = ctx.hook_state.setdefault("mine", ctx.options["n"])
        await asyncio.sleep(0)
        records.append((str(body.get("comments")) if body else "", ctx.options["n"], mine))

    for hook in ("before save", "persist", "after save"):
        observing("Review", hook, record)
    calls = [
        reviews.create({**REVIEW, "comments": f"c{n}"}, ctx=Context(options={"n": n}))
        for n in range(40)
    ]
    created = await asyncio.gather(*calls)
    assert sorted(r["comments"] for r in created) == sorted(f"c{n}" for n in range(40))
    assert len(records) == 120
    assert all(comment == f"c{n}" and mine == n for comment, n, mine in records)


async def test_concurrent_requests_keep_their_own_hook_state(
    client: httpx.AsyncClient,
    store: tuple[Model, Model],
    observing: Callable[[str, str, Any], None],
) -> None:
    """Over HTTP: each request's before save and after save share one hook_state, and only it."""
    mismatched: list[Any] = []

    async def before(ctx: HookContext) -> None:
        assert ctx.instance is not None
        ctx.hook_state["comments"] = ctx.instance["comments"]
        await asyncio.sleep(0)

    async def after(ctx: HookContext) -> None:
        await asyncio.sleep(0)
        assert ctx.instance is not None
        if ctx.hook_state.get("comments") != ctx.instance["comments"]:
            mismatched.append(ctx.instance["comments"])

    observing("Review", "before save", before)
    observing("Review", "after save", after)
    responses = await asyncio.gather(
        *(client.post("/Reviews", json={**REVIEW, "comments": f"r{n}"}) for n in range(30))
    )
    assert [r.status_code for r in responses] == [200] * 30
    assert mismatched == []


async def test_http_hook_errors_roll_back_and_render(
    client: httpx.AsyncClient,
    store: tuple[Model, Model],
    observing: Callable[[str, str, Any], None],
) -> None:
    def refuse(ctx: HookContext) -> None:
        if ctx.data is not None and ctx.data.get("rating") == 0:
            raise Refused("zero stars are not allowed")

    observing("Review", "persist", refuse)
    response = await client.patch("/Reviews/1", json={"rating": 0})
    assert response.status_code == 403
    assert response.json()["error"]["message"] == "zero stars are not allowed"
    response = await client.post("/Reviews/update?where=%7B%7D", json={"rating": 0})
    assert response.status_code == 403
    response = await client.post("/CoffeeShops/1/reviews", json={**REVIEW, "rating": 0})
    assert response.status_code == 403
    stored = (await client.get("/Reviews")).json()
    assert [(r["id"], r["rating"]) for r in stored] == [(1, 3), (2, 3), (3, 5)]


def test_models_without_observers_have_none(app: LoopBackApp) -> None:
    """No hooks registered: every model's table is empty (its reads and writes skip the hooks),
    but for a User-based model's built-in `persist` observer (its email, username and password
    rules)."""
    assert {name for name, model in app.models.items() if model.hooks} == {"Reviewer", "User"}
    reviewer = app.models["Reviewer"].hooks
    assert reviewer.has("persist") and not reviewer.observed()
    with pytest.raises(ValueError, match="unknown operation hook"):
        app.models["Review"].observe("before sav", lambda ctx: None)


async def test_a_write_block_is_joined_like_a_transaction(
    app: LoopBackApp, store: tuple[Model, Model]
) -> None:
    """Database.write() registers its session: calls inside it join it and roll back with it."""
    _, shops = store
    with pytest.raises(Refused):
        async with app.db.write() as session:
            await shops.create({"name": "Inside", "city": "Oslo"})
            assert await shops.count() == 2  # the same session sees its own insert
            assert shops.db._active.get() is session
            raise Refused("undo")
    assert await shops.count() == 1
