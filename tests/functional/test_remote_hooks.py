"""Remote hooks (LB3's beforeRemote / afterRemote / afterRemoteError) on the Coffee Shop app: LB3's
patterns, what the hook sees (ctx.args bound before the method, ctx.req, ctx.method, ctx.instance,
ctx.result), changing arguments and results, raising, sync and async hooks, and no context leaking
between concurrent requests."""

from __future__ import annotations

import asyncio
from typing import Any

import httpx
import pytest

from runtime.app import LoopBackApp
from runtime.context import Context
from runtime.operations import matches
from tests.http.support import error, lb3_error, ok

SEED = [{"name": "Bel Cafe", "city": "Paris"}, {"name": "Three Bees", "city": "Rome"}]


@pytest.mark.parametrize(
    ("pattern", "method", "expected"),
    [
        ("create", "create", True),
        ("create", "prototype.create", False),
        ("*", "find", True),
        ("*", "prototype.patchAttributes", False),
        ("prototype.*", "prototype.patchAttributes", True),
        ("prototype.*", "prototype.__get__reviews", True),
        ("prototype.*", "find", False),
        ("prototype.__get__reviews", "prototype.__get__reviews", True),
        ("prototype.__get__*", "prototype.__get__reviews", True),
        ("prototype.__get__*", "prototype.__count__reviews", False),
        ("**", "prototype.__get__reviews", True),
        ("**", "status", True),
        ("find*", "findById", True),
        ("find*", "prototype.findById", False),
    ],
)
def test_patterns_match_as_in_lb3(pattern: str, method: str, expected: bool) -> None:
    assert matches(pattern, method) is expected


async def test_a_before_hook_reads_and_changes_the_bound_filter(
    app: LoopBackApp, client: httpx.AsyncClient
) -> None:
    shops = app.models["CoffeeShop"]
    seen: list[Any] = []

    def only_rome(ctx: Context) -> None:
        seen.append((ctx.method.name, ctx.method.string_name, ctx.args["filter"]))
        assert ctx.req is not None and ctx.req.scope["method"] == "GET"
        ctx.args["filter"] = {**(ctx.args["filter"] or {}), "where": {"city": "Rome"}}

    ok(await client.post("/CoffeeShops", json=SEED))
    shops.before_remote("find", only_rome)
    body = ok(await client.get("/CoffeeShops", params={"filter": '{"order": "name ASC"}'}))
    assert [s["name"] for s in body] == ["Three Bees"]
    assert seen == [("find", "CoffeeShop.find", {"order": "name ASC"})]
    ok(await client.get("/CoffeeShops/count"))  # another method: the hook does not run
    assert len(seen) == 1


async def test_after_hook_replaces_the_result_and_async_hooks_are_awaited(
    app: LoopBackApp, client: httpx.AsyncClient
) -> None:
    shops = app.models["CoffeeShop"]

    async def wrap(ctx: Context) -> None:
        await asyncio.sleep(0)
        ctx.result = {"wrapped": ctx.result}

    shops.after_remote("findById", wrap)
    ok(await client.post("/CoffeeShops", json=SEED[0]))
    assert ok(await client.get("/CoffeeShops/1")) == {
        "wrapped": {"name": "Bel Cafe", "city": "Paris", "id": 1}
    }


async def test_raising_stops_the_call_with_its_error(
    app: LoopBackApp, client: httpx.AsyncClient
) -> None:
    shops = app.models["CoffeeShop"]

    class Closed(Exception):
        status_code = 403
        code = "CLOSED"

    def refuse(ctx: Context) -> None:
        raise Closed("the shop is closed")

    errors: list[tuple[str, str]] = []
    shops.before_remote("create", refuse)
    shops.after_remote_error("**", lambda ctx: errors.append((ctx.method.name, str(ctx.error))))
    response = await client.post("/CoffeeShops", json=SEED[0])
    error(response, 403)
    assert response.json() == lb3_error(403, "the shop is closed", code="CLOSED")
    assert errors == [("create", "the shop is closed")]
    assert ok(await client.get("/CoffeeShops/count")) == {"count": 0}  # nothing was stored
    error(await client.get("/CoffeeShops/9"), 404)  # the method's own errors reach the hook
    assert errors[-1] == ("findById", 'Unknown "CoffeeShop" id "9".')


async def test_prototype_hooks_see_the_instance(
    app: LoopBackApp, client: httpx.AsyncClient
) -> None:
    shops = app.models["CoffeeShop"]
    seen: list[tuple[str, Any, Any]] = []
    shops.before_remote("prototype.*", lambda ctx: seen.append(
        (ctx.method.name, ctx.instance, dict(ctx.args))))  # fmt: skip
    ok(await client.post("/CoffeeShops", json=SEED[0]))
    ok(await client.patch("/CoffeeShops/1", json={"city": "Lyon"}))
    ok(await client.get("/CoffeeShops/1/reviews"))
    assert seen == [
        ("prototype.patchAttributes", {"name": "Bel Cafe", "city": "Paris", "id": 1},
         {"id": "1", "data": {"city": "Lyon"}}),
        ("prototype.__get__reviews", {"name": "Bel Cafe", "city": "Lyon", "id": 1},
         {"id": "1", "filter": None}),
    ]  # fmt: skip
    error(await client.get("/CoffeeShops/7/reviews"), 404)  # no instance: no hook
    assert len(seen) == 2


async def test_hooks_are_matched_once_and_an_operation_without_hooks_has_none(
    app: LoopBackApp,
) -> None:
    shops = app.models["CoffeeShop"]
    ops = {op.name: op for op in shops.remote_hooks.operations}
    assert all(not (op.before or op.after or op.on_error) for op in ops.values())
    shops.before_remote("prototype.__get__*", lambda ctx: None)
    with_hooks = sorted(n for n, op in ops.items() if op.before)
    assert with_hooks == ["prototype.__get__reviewers", "prototype.__get__reviews"]
    assert not ops["find"].before


async def test_no_context_leaks_between_concurrent_requests(
    app: LoopBackApp, client: httpx.AsyncClient
) -> None:
    shops = app.models["CoffeeShop"]
    ok(await client.post("/CoffeeShops", json=[{"name": f"s{i}", "city": "c"} for i in range(20)]))
    seen: dict[int, tuple[Any, ...]] = {}

    async def before(ctx: Context) -> None:
        assert ctx.req is not None
        marker = int(ctx.req.header(b"x-marker") or -1)
        ctx.options["marker"] = marker
        await asyncio.sleep(0.001 * (marker % 5))  # interleave the requests
        seen[marker] = (ctx.args["id"], ctx.options["marker"])

    async def after(ctx: Context) -> None:
        await asyncio.sleep(0)
        assert ctx.req is not None
        marker = int(ctx.req.header(b"x-marker") or -1)
        assert ctx.options["marker"] == marker
        assert ctx.result["id"] == int(ctx.args["id"])
        ctx.result = {**ctx.result, "marker": marker}

    shops.before_remote("findById", before)
    shops.after_remote("findById", after)

    async def one(i: int) -> dict[str, Any]:
        response = await client.get(f"/CoffeeShops/{i % 20 + 1}", headers={"x-marker": str(i)})
        return dict(ok(response))

    results = await asyncio.gather(*(one(i) for i in range(100)))
    assert [(r["id"], r["marker"]) for r in results] == [(i % 20 + 1, i) for i in range(100)]
    assert seen == {i: (str(i % 20 + 1), i) for i in range(100)}


async def test_an_empty_answer_is_none_to_the_hooks_and_stays_204(
    app: LoopBackApp, client: httpx.AsyncClient
) -> None:
    shops = app.models["CoffeeShop"]
    seen: list[Any] = []
    shops.after_remote("prototype.__delete__reviews", lambda ctx: seen.append(ctx.result))
    ok(await client.post("/CoffeeShops", json=SEED[0]))
    response = await client.delete("/CoffeeShops/1/reviews")
    assert (response.status_code, response.content, seen) == (204, b"", [None])
