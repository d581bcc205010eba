"""The store example's remote methods and remote hooks (specs/store/models/*.py), over HTTP on every
configured backend and through the Python API: Product.search (static, after_remote re-sorts),
Product.prototype.restock (several returns, an error with its own status), Order.prototype.cancel
(a form argument, errorStatus 409) and the before_remote hook that prices a new order."""

from __future__ import annotations

from collections.abc import AsyncIterator
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from generated.store import create_app
from runtime.app import LoopBackApp
from tests.databases import TestDatabases
from tests.functional.library import app_on, backend
from tests.http.conftest import empty
from tests.http.support import error, ok

__all__ = ["backend"]  # the fixtures this module uses

PRODUCTS = [
    {"name": "Green tea", "price": 4.5, "stock": 3},
    {"name": "Black tea", "price": 3.0},
    {"name": "Coffee", "price": 2.0},
    {"name": "Tea pot", "price": 30.0},
]


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
        ok(await http.post("/Products", json=PRODUCTS))
        yield http


async def test_search_is_filtered_and_resorted_by_the_after_hook(client: httpx.AsyncClient) -> None:
    found = ok(await client.get("/Products/search", params={"q": "tea"}))
    # the method orders by name; the after_remote hook leaves the cheapest first
    assert [p["name"] for p in found] == ["Black tea", "Green tea", "Tea pot"]
    found = ok(await client.get("/Products/search", params={"q": "tea", "maxPrice": "5"}))
    assert [p["name"] for p in found] == ["Black tea", "Green tea"]
    error(await client.get("/Products/search"), 400)
    error(await client.get("/Products/search", params={"q": "t", "maxPrice": "cheap"}), 400)


async def test_restock_returns_several_values(client: httpx.AsyncClient) -> None:
    assert ok(await client.post("/Products/1/restock", params={"units": "2"})) == {
        "stock": 5,
        "restocked": True,
    }
    assert ok(await client.get("/Products/1"))["stock"] == 5
    assert ok(await client.post("/Products/1/restock", params={"units": "-5"}))["stock"] == 0
    err = error(await client.post("/Products/1/restock", params={"units": "-1"}), 409)
    assert err == {"statusCode": 409, "name": "Error", "message": "only 0 in stock"}
    error(await client.post("/Products/1/restock", params={"units": "1.5"}), 400)
    error(await client.post("/Products/99/restock", params={"units": "1"}), 404)


async def test_create_is_priced_by_the_before_hook_and_cancel_works_once(
    client: httpx.AsyncClient,
) -> None:
    order = ok(await client.post("/Orders", json={"productId": 1, "quantity": 2}))
    assert order["total"] == 9.0 and order["status"] == "open"
    shouted = ok(
        await client.post("/Orders", json={"productId": 1, "quantity": 1, "status": "OPEN"})
    )
    assert shouted["status"] == "open"  # the before-remote hook changed ctx.args["data"]
    given = ok(await client.post("/Orders", json={"productId": 1, "quantity": 2, "total": 1}))
    assert given["total"] == 9.0  # the before-save hook prices every save, whatever was sent
    cancelled = ok(await client.post(f"/Orders/{order['id']}/cancel", json={"reason": "late"}))
    assert cancelled["updatedAt"] >= order["updatedAt"]  # TimeStamp: the cancel is a save
    assert cancelled == {**order, "status": "cancelled: late", "updatedAt": cancelled["updatedAt"]}
    wrong = await client.post(f"/Orders/{given['id']}/cancel", json={"reason": [1]})
    assert error(wrong, 400)["message"] == "Value is not a string."  # a JSON field is not converted
    plain = ok(await client.post(f"/Orders/{given['id']}/cancel", json={"reason": None}))
    assert plain["status"] == "cancelled"
    again = await client.post(f"/Orders/{given['id']}/cancel")
    assert error(again, 409)["message"] == f"order {given['id']} is already cancelled"


async def test_the_remote_methods_through_the_python_api(
    store: tuple[LoopBackApp, sa.Engine], client: httpx.AsyncClient
) -> None:
    products = store[0].models["Product"]
    search: Any = vars(products)["search"]  # assigned by the model module, as in LB3
    found: list[dict[str, Any]] = await search("pot", None, ctx=None)
    assert [p["name"] for p in found] == ["Tea pot"]
    product = await products.find_by_id(2)
    assert await products.prototype.restock(product, 4, ctx=None) == (4, True)
