"""`include` and related-model where on the Coffee Shop (the request the benchmark's include2 scenario
sends), on every backend: reviews with their reviewer, no password and no access token anywhere."""

from __future__ import annotations

import json
from typing import Any

import httpx

from tests.http.support import error, ok


async def seed(client: httpx.AsyncClient) -> None:
    ok(await client.post("/Reviewers", json={"email": "a@example.com", "password": "secret"}))
    reviews = [
        {
            "date": "2024-01-01",
            "rating": 5,
            "comments": "great",
            "coffeeShopId": 1,
            "publisherId": 1,
        },
        {"date": "2024-01-02", "rating": 2, "comments": "meh", "coffeeShopId": 1},
        {
            "date": "2024-01-03",
            "rating": 4,
            "comments": "good",
            "coffeeShopId": 3,
            "publisherId": 1,
        },
    ]
    ok(await client.post("/Reviews", json=reviews))


async def get(client: httpx.AsyncClient, path: str, flt: dict[str, Any]) -> Any:
    return ok(await client.get(path, params={"filter": json.dumps(flt)}))


async def test_reviews_with_their_reviewer(seeded: httpx.AsyncClient) -> None:
    await seed(seeded)
    flt = {
        "where": {"city": "Paris"},
        "limit": 100,
        "include": {"relation": "reviews", "scope": {"include": "reviewer"}},
    }
    shops = await get(seeded, "/CoffeeShops", flt)
    assert [(s["name"], [r["comments"] for r in s["reviews"]]) for s in shops] == [
        ("Bel Cafe", ["great", "meh"]),
        ("Zoo Coffee", ["good"]),
    ]
    reviewer = shops[0]["reviews"][0]["reviewer"]
    assert reviewer["email"] == "a@example.com" and "password" not in reviewer
    assert "reviewer" not in shops[0]["reviews"][1]  # no publisherId: no key, as LB3


async def test_access_tokens_cannot_be_reached(seeded: httpx.AsyncClient) -> None:
    await seed(seeded)
    err = error(
        await seeded.get("/Reviewers", params={"filter": '{"include":"accessTokens"}'}), 400
    )
    assert "disableInclude" in err["message"]
    where = {"where": {"accessTokens.id": {"neq": None}}}
    err = error(await seeded.get("/Reviewers", params={"filter": json.dumps(where)}), 400)
    assert "disableInclude" in err["message"]


async def test_shops_by_their_reviews(seeded: httpx.AsyncClient) -> None:
    await seed(seeded)
    shops = await get(seeded, "/CoffeeShops", {"where": {"reviews.rating": {"gte": 4}}})
    assert [s["id"] for s in shops] == [1, 3]
    both = {"reviews.rating": {"gte": 4}, "reviews.comments": "meh"}  # one review must match both
    assert await get(seeded, "/CoffeeShops", {"where": both}) == []
    count = ok(await seeded.get("/CoffeeShops/count", params={"where": '{"reviews.rating": 2}'}))
    assert count == {"count": 1}
    err = error(
        await seeded.get("/Reviews", params={"filter": '{"where":{"reviewer.password":"x"}}'}), 400
    )
    assert "password" in err["message"]
