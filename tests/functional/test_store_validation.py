"""The store example app's Product validators (specs/store/models/product.py), served from the
generated package as `make serve` would, on every configured backend."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from generated.store import create_app
from tests.databases import ALL_BACKENDS, TestDatabases


@pytest.fixture(params=ALL_BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def store(backend: str, databases: TestDatabases) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(db_url=databases.fresh(backend))
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test/api") as client:
        yield client
    await app.db.close()


async def test_product_rules(store: httpx.AsyncClient) -> None:
    created = await store.post("/Products", json={"name": "Widget", "sku": "ABC-123", "price": 9.5})
    assert created.json() == {"name": "Widget", "sku": "ABC-123", "price": 9.5, "stock": 0, "id": 1}
    refused = await store.post(
        "/Products", json={"name": "ab", "sku": "ABC-123", "price": 1, "stock": 1.5}
    )
    assert refused.status_code == 422
    assert refused.json()["error"]["details"] == {
        "context": "Product",
        "codes": {"name": ["length.min"], "stock": ["numericality.int"], "sku": ["uniqueness"]},
        "messages": {
            "name": ["too short"],
            "stock": ["is not an integer"],
            "sku": ["is not unique"],
        },
    }
    bad_sku = await store.patch("/Products/1", json={"sku": "abc"})
    assert bad_sku.json()["error"]["details"]["codes"] == {"sku": ["format"]}
    blank_sku = await store.post("/Products", json={"name": "Gadget", "sku": "", "price": 1})
    assert blank_sku.status_code == 200  # allow_blank
    spec = (await store.get("/openapi.json")).json()
    sku = spec["components"]["schemas"]["NewProduct"]["properties"]["sku"]
    assert sku["pattern"] == r"^$|(?:^[A-Z]{3}-\d{3}$)"
