"""Reading through relations over REST: GET /M/{id}/rel (belongsTo, hasOne, hasMany), and hasMany's
/rel/count and /rel/{fk}, against LB3 3.28's answers (tests/oracle/lb3-3.28/relations.md sections 2.1,
2.2 and 2.5) where LB3 is sound, and our documented choice where it is not."""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from runtime.app import LoopBackApp

from .support import error, ok

REVIEWS: list[dict[str, Any]] = [
    {"coffeeShopId": 1, "rating": 5, "comments": "great", "date": "2026-01-01"},
    {"coffeeShopId": 1, "rating": 3, "comments": "fine", "date": "2026-01-02"},
    {"coffeeShopId": 2, "rating": 4, "comments": "good", "date": "2026-01-03"},
    {"rating": 1, "comments": "no shop", "date": "2026-01-04"},
]


@pytest.fixture
async def reviewed(seeded: httpx.AsyncClient) -> httpx.AsyncClient:
    """Shops 1..4; reviews 1, 2 of shop 1, review 3 of shop 2, review 4 of no shop."""
    assert len(ok(await seeded.post("/Reviews", json=REVIEWS))) == 4
    return seeded


def review(id: int) -> dict[str, Any]:
    data = REVIEWS[id - 1]
    return {
        "date": f"{data['date']}T00:00:00.000Z",
        "rating": data["rating"],
        "comments": data["comments"],
        "id": id,
        "coffeeShopId": data.get("coffeeShopId"),
        "publisherId": None,
    }


async def test_has_many_lists_the_children(reviewed: httpx.AsyncClient) -> None:
    assert ok(await reviewed.get("/CoffeeShops/1/reviews")) == [review(1), review(2)]
    assert ok(await reviewed.get("/CoffeeShops/2/reviews")) == [review(3)]
    assert ok(await reviewed.get("/CoffeeShops/3/reviews")) == []


async def test_has_many_filter_is_anded_with_the_relation(reviewed: httpx.AsyncClient) -> None:
    where = {"filter": '{"where":{"rating":{"gt":3}}}'}
    assert ok(await reviewed.get("/CoffeeShops/1/reviews", params=where)) == [review(1)]
    bracket = "/CoffeeShops/1/reviews?filter[order]=rating%20ASC&filter[fields][rating]=true"
    assert ok(await reviewed.get(bracket)) == [{"rating": 3}, {"rating": 5}]
    # no filter reaches another parent's rows: the relation's key is ANDed, as in LB3
    other = {"filter": '{"where":{"coffeeShopId":2}}'}
    assert ok(await reviewed.get("/CoffeeShops/1/reviews", params=other)) == []
    either = {"filter": '{"where":{"or":[{"coffeeShopId":2},{"id":3}]}}'}
    assert ok(await reviewed.get("/CoffeeShops/1/reviews", params=either)) == []


async def test_has_many_count(reviewed: httpx.AsyncClient) -> None:
    assert ok(await reviewed.get("/CoffeeShops/1/reviews/count")) == {"count": 2}
    assert ok(await reviewed.get("/CoffeeShops/1/reviews/count?where[rating]=3")) == {"count": 1}
    assert ok(await reviewed.get("/CoffeeShops/4/reviews/count")) == {"count": 0}


async def test_has_many_find_by_id(reviewed: httpx.AsyncClient) -> None:
    assert ok(await reviewed.get("/CoffeeShops/1/reviews/2")) == review(2)
    for fk in ("3", "4", "999", "abc"):  # another parent's child, an orphan, missing, malformed
        err = error(await reviewed.get(f"/CoffeeShops/1/reviews/{fk}"), 404)
        assert err == {
            "statusCode": 404,
            "name": "Error",
            "message": f"No instance with id {fk} found for Review",
        }


@pytest.mark.parametrize("path", ["/CoffeeShops/{id}/reviews", "/CoffeeShops/{id}/reviews/count", "/CoffeeShops/{id}/reviews/1", "/Reviews/{id}/coffeeShop"])  # fmt: skip
async def test_an_unknown_parent_is_404(reviewed: httpx.AsyncClient, path: str) -> None:
    for parent in ("999", "abc"):
        err = error(await reviewed.get(path.format(id=parent)), 404)
        assert (err["message"], err["code"]) == (
            f"could not find a model with id {parent}",
            "MODEL_NOT_FOUND",
        )


async def test_belongs_to_fetches_the_parent(reviewed: httpx.AsyncClient) -> None:
    assert ok(await reviewed.get("/Reviews/1/coffeeShop")) == {
        "name": "Bel Cafe",
        "city": "Paris",
        "id": 1,
    }
    assert ok(await reviewed.get("/Reviews/3/coffeeShop?refresh=true")) == {
        "name": "Three Bees",
        "city": "Rome",
        "id": 2,
    }


async def test_belongs_to_without_a_parent_is_404(reviewed: httpx.AsyncClient) -> None:
    """LB3 answers 200 `{}` for no foreign key and 200 `null` for a missing parent; we answer as its
    hasOne does when there is nothing (docs/lb3-differences.md)."""
    await reviewed.patch("/Reviews/2", json={"coffeeShopId": 999})
    for id in (4, 2):
        err = error(await reviewed.get(f"/Reviews/{id}/coffeeShop"), 404)
        assert (err["message"], err["code"]) == (
            'No "CoffeeShop" instance(s) found',
            "MODEL_NOT_FOUND",
        )


async def test_refresh_must_be_a_boolean(reviewed: httpx.AsyncClient) -> None:
    err = error(await reviewed.get("/Reviews/1/coffeeShop?refresh=abc"), 400)
    assert err["message"] == "Value is not a boolean."  # LB3's strong-remoting


async def test_hidden_properties_stay_hidden_through_relations(
    app: LoopBackApp, seeded: httpx.AsyncClient
) -> None:
    created = ok(await seeded.post("/Reviewers", json={"email": "a@example.com", "password": "secret", "coffeeShopId": 1}))  # fmt: skip
    listed = ok(await seeded.get("/CoffeeShops/1/reviewers"))
    assert listed == [created] and "password" not in listed[0]
    assert ok(await seeded.get(f"/CoffeeShops/1/reviewers/{created['id']}")) == created


async def test_relation_endpoints_are_in_the_document(reviewed: httpx.AsyncClient) -> None:
    response = await reviewed.get("/openapi.json")
    assert response.status_code == 200
    paths = response.json()["paths"]
    ops = {
        (verb, path): op["x-lb-operation"]["lb3OperationId"]  # LB3's name of the operation
        for path, item in paths.items()
        for verb, op in item.items()
        if "prototype.__" in op["x-lb-operation"]["lb3OperationId"]
    }
    many = {
        ("get", ""): "__get__",
        ("post", ""): "__create__",
        ("delete", ""): "__delete__",
        ("get", "/count"): "__count__",
        ("get", "/{fk}"): "__findById__",
        ("put", "/{fk}"): "__updateById__",
        ("delete", "/{fk}"): "__destroyById__",
    }
    expected = {
        (verb, f"/{plural}/{{id}}/{rel}{suffix}"): f"{model}.prototype.{method}{rel}"
        for model, plural, rel in [
            ("CoffeeShop", "CoffeeShops", "reviews"),
            ("CoffeeShop", "CoffeeShops", "reviewers"),
            ("Reviewer", "Reviewers", "reviews"),
        ]
        for (verb, suffix), method in many.items()
    }
    expected[("get", "/Reviews/{id}/coffeeShop")] = "Review.prototype.__get__coffeeShop"
    expected[("get", "/Reviews/{id}/reviewer")] = "Review.prototype.__get__reviewer"
    assert ops == expected


# ---- writing through hasMany --------------------------------------------------------------------

DAY = {"comments": "new", "date": "2026-02-01"}


async def test_has_many_create_sets_the_foreign_key(reviewed: httpx.AsyncClient) -> None:
    """LB3 overwrites a foreign key in the body with the parent's: a child is never created under
    another parent through this one (LB3 advisory 2018-01-31)."""
    created = ok(await reviewed.post("/CoffeeShops/3/reviews", json={**DAY, "rating": 2, "coffeeShopId": 1}))  # fmt: skip
    assert (created["id"], created["coffeeShopId"]) == (5, 3)
    both = ok(await reviewed.post("/CoffeeShops/3/reviews", json=[{**DAY, "rating": 1}, {**DAY, "rating": 4}]))  # fmt: skip
    assert [(r["id"], r["coffeeShopId"]) for r in both] == [(6, 3), (7, 3)]
    assert ok(await reviewed.get("/CoffeeShops/3/reviews/count")) == {"count": 3}


async def test_has_many_create_is_validated_and_atomic(reviewed: httpx.AsyncClient) -> None:
    err = error(await reviewed.post("/CoffeeShops/3/reviews", json=[{**DAY, "rating": 1}, {"rating": 2}]), 422)  # fmt: skip
    assert err["details"][0] is None
    assert err["details"][1]["details"]["codes"] == {"date": ["presence"], "comments": ["presence"]}
    assert ok(await reviewed.get("/CoffeeShops/3/reviews/count")) == {"count": 0}
    err = error(await reviewed.post("/CoffeeShops/3/reviews", json="text"), 400)
    assert err["message"] == "The request body must be a JSON object. Value is not an object."
    err = error(await reviewed.post("/CoffeeShops/999/reviews", json=DAY), 404)
    assert err["code"] == "MODEL_NOT_FOUND"


async def test_has_many_update_by_id_merges_and_keeps_the_parent(
    reviewed: httpx.AsyncClient,
) -> None:
    updated = ok(await reviewed.put("/CoffeeShops/1/reviews/2", json={"rating": 4, "coffeeShopId": 2}))  # fmt: skip
    assert updated == {**review(2), "rating": 4}  # merged; still shop 1's (LB3: a 500)
    assert ok(await reviewed.get("/Reviews/2")) == updated
    err = error(await reviewed.put("/CoffeeShops/2/reviews/1", json={"rating": 1}), 404)
    assert err["message"] == "No instance with id 1 found for Review"
    err = error(await reviewed.put("/CoffeeShops/1/reviews/1", json={"id": 9}), 400)
    assert err["message"] == "id cannot be updated from 1 to 9 when forceId is set to true"
    err = error(await reviewed.put("/CoffeeShops/1/reviews/1", json={"rating": "high"}), 422)
    assert err["details"]["codes"] == {"rating": ["type"]}


async def test_has_many_destroy_by_id_and_delete_all(reviewed: httpx.AsyncClient) -> None:
    response = await reviewed.delete("/CoffeeShops/1/reviews/2")
    assert (response.status_code, response.content) == (204, b"")
    assert error(await reviewed.delete("/CoffeeShops/1/reviews/2"), 404)["message"] == (
        "No instance with id 2 found for Review"
    )
    error(await reviewed.delete("/CoffeeShops/1/reviews/3"), 404)  # shop 2's: not deleted
    assert ok(await reviewed.get("/Reviews/count")) == {"count": 3}
    response = await reviewed.delete("/CoffeeShops/1/reviews")
    assert (response.status_code, response.content) == (204, b"")
    assert ok(await reviewed.get("/Reviews")) == [review(3), review(4)]
    assert (await reviewed.delete("/CoffeeShops/1/reviews")).status_code == 204  # none left
    assert (
        error(await reviewed.delete("/CoffeeShops/999/reviews"), 404)["code"] == "MODEL_NOT_FOUND"
    )


async def test_a_user_created_through_a_relation_follows_user_rules(
    app: LoopBackApp, seeded: httpx.AsyncClient
) -> None:
    body = {"email": "b@example.com", "password": "secret", "emailVerified": True}
    created = ok(await seeded.post("/CoffeeShops/2/reviewers", json=body))
    assert (created["coffeeShopId"], created["emailVerified"]) == (2, False)
    assert "password" not in created
    err = error(await seeded.post("/CoffeeShops/1/reviewers", json=body), 422)
    assert err["details"]["codes"] == {"email": ["uniqueness"]}


async def test_a_foreign_key_in_the_body_must_still_be_valid(reviewed: httpx.AsyncClient) -> None:
    """It is replaced by the parent's key, but a value that is no key at all is refused, not hidden."""
    bad = [{**DAY, "coffeeShopId": 1}, {**DAY, "coffeeShopId": 2**63}]
    err = error(await reviewed.post("/CoffeeShops/3/reviews", json=bad), 422)
    assert err["details"][0] is None
    assert err["details"][1]["details"]["codes"] == {"coffeeShopId": ["type"]}
    err = error(await reviewed.put("/CoffeeShops/1/reviews/1", json={"coffeeShopId": "x"}), 422)
    assert err["details"]["codes"] == {"coffeeShopId": ["type"]}
    assert ok(await reviewed.get("/CoffeeShops/3/reviews/count")) == {"count": 0}
