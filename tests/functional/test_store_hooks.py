"""The store example's operation hooks (specs/store/models/order.py) through REST and the Python API,
on every backend: a total computed from another model inside the save's transaction, stock taken in
`after save`, archived orders hidden by an `access` hook, and everything rolled back together."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest
import sqlalchemy as sa

from generated.store import create_app
from runtime.app import LoopBackApp
from runtime.context import Context
from runtime.errors import LoopBackError
from runtime.hooks import HookContext
from tests.databases import TestDatabases
from tests.functional.library import app_on, backend
from tests.http.conftest import empty
from tests.http.support import ok

__all__ = ["backend"]  # the library's per-module backend parameter


@pytest.fixture(scope="module")
async def store(
    backend: str, databases: TestDatabases
) -> AsyncIterator[tuple[LoopBackApp, sa.Engine]]:
    async with app_on(create_app, backend, databases) as served:
        yield served


@pytest.fixture
async def client(store: tuple[LoopBackApp, sa.Engine]) -> AsyncIterator[httpx.AsyncClient]:
    application, engine = store
    empty(application, engine)
    transport = httpx.ASGITransport(app=application)
    async with httpx.AsyncClient(transport=transport, base_url="http://test/api") as http:
        ok(await http.post("/Products", json={"name": "Mug", "price": 4.5, "stock": 10}))
        yield http


async def test_total_and_stock_over_rest(client: httpx.AsyncClient) -> None:
    order = ok(await client.post("/Orders", json={"productId": 1, "quantity": 3}))
    assert order["total"] == 13.5
    assert ok(await client.get("/Products/1"))["stock"] == 7
    # a patch of the quantity alone prices it from the stored product id
    patched = ok(await client.patch(f"/Orders/{order['id']}", json={"quantity": 2}))
    assert patched["total"] == 9
    # the relation endpoint runs the same pipeline
    through = ok(await client.post("/Products/1/orders", json={"quantity": 1}))
    assert (through["total"], through["productId"]) == (4.5, 1)
    assert ok(await client.get("/Products/1"))["stock"] == 6
    # updateAll: the hook sees data + where, no instance
    assert ok(await client.post("/Orders/update", json={"quantity": 4}))["count"] == 2


async def test_a_total_that_is_no_number_is_refused_not_priced(client: httpx.AsyncClient) -> None:
    """The hook prices a number it may replace, but leaves what is no number to validation: the
    schema says number, so `{}` is a 422 (schemathesis found it accepted and overwritten)."""
    for body in ({"productId": 1, "quantity": 1, "total": {}}, [{"quantity": 1, "total": "x"}]):
        answer = await client.post("/Products/1/orders", json=body)
        assert answer.status_code == 422, answer.text
    order = ok(await client.post("/Orders", json={"productId": 1, "quantity": 1, "total": 1}))
    assert order["total"] == 4.5
    refused = await client.patch(f"/Orders/{order['id']}", json={"total": {}})
    assert refused.status_code == 422, refused.text


async def test_archived_orders_are_hidden(
    client: httpx.AsyncClient, store: tuple[LoopBackApp, sa.Engine]
) -> None:
    app, _ = store
    ok(await client.post("/Orders", json=[{"productId": 1, "quantity": 1}] * 2))
    ok(await client.patch("/Orders/2", json={"status": "archived"}))
    assert [o["id"] for o in ok(await client.get("/Orders"))] == [1]
    assert (await client.get("/Orders/2")).status_code == 404
    assert ok(await client.get("/Orders/count"))["count"] == 1
    assert [o["id"] for o in ok(await client.get("/Products/1/orders"))] == [1]
    assert ok(await client.post("/Orders/update", json={"quantity": 9}))["count"] == 1
    orders = app.models["Order"]
    archived = Context(options={"archived": True})
    assert [o["quantity"] for o in await orders.find(ctx=archived)] == [9, 1]
    assert await orders.destroy_all() == 1
    assert await orders.count(ctx=archived) == 1


async def test_a_failing_hook_rolls_back_the_stock_and_the_order(
    client: httpx.AsyncClient, store: tuple[LoopBackApp, sa.Engine]
) -> None:
    app, _ = store
    orders = app.models["Order"]

    class Closed(LoopBackError):
        status = 409

    def closed(ctx: HookContext) -> None:
        raise Closed("the store is closed")

    orders.observe("after save", closed)  # runs after take_stock wrote the product
    try:
        response = await client.post("/Orders", json={"productId": 1, "quantity": 2})
    finally:
        orders.remove_observer("after save", closed)
    assert response.status_code == 409
    assert ok(await client.get("/Products/1"))["stock"] == 10
    assert ok(await client.get("/Orders/count"))["count"] == 0


async def test_numbers_too_large_for_a_total_store_none(client: httpx.AsyncClient) -> None:
    ok(await client.post("/Products", json={"name": "Gold", "price": 1e308, "stock": 0}))
    order = ok(await client.post("/Orders", json={"productId": 2, "quantity": 10}))
    assert order["total"] is None
    assert ok(await client.get("/Products/2"))["stock"] == -10
