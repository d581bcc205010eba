"""A first end-to-end check that the fixture serves the generated app."""

from __future__ import annotations

import httpx


async def test_create_then_find_by_id(client: httpx.AsyncClient) -> None:
    created = await client.post("/CoffeeShops", json={"name": "Bean", "city": "Paris"})
    assert created.status_code == 200
    body = created.json()
    assert body == {"name": "Bean", "city": "Paris", "id": 1}
    fetched = await client.get(f"/CoffeeShops/{body['id']}")
    assert fetched.json() == body
