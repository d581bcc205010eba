"""POST /CoffeeShops and /Reviews (create) against LB3 3.28's observed answers.

Deliberate differences tested as ours: unknown properties and JSON type mismatches are 422 (LB3
stores extras and coerces `123` to `"123"`, `"abc"` to null); dates must be ISO strings (LB3 also
takes epoch milliseconds); unset properties come back as null; an array with one invalid item
stores nothing (LB3 stores the valid ones and answers 500).
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from .conftest import SHOPS
from .support import blank, error, ok, validation_error

REVIEW = {"date": "2020-01-01", "rating": 4, "comments": "c"}


def review_out(id: int, **changes: Any) -> dict[str, Any]:
    out = {"date": "2020-01-01T00:00:00.000Z", "rating": 4, "comments": "c", "id": id}
    return out | {"coffeeShopId": None, "publisherId": None} | changes


async def test_create_object(client: httpx.AsyncClient) -> None:
    response = await client.post("/CoffeeShops", json={"name": "Created One", "city": "Berlin"})
    assert ok(response) == {"name": "Created One", "city": "Berlin", "id": 1}
    assert ok(await client.get("/CoffeeShops/1")) == {
        "name": "Created One",
        "city": "Berlin",
        "id": 1,
    }


async def test_create_array(seeded: httpx.AsyncClient) -> None:
    body = [{"name": "Arr A", "city": "Oslo"}, {"name": "Arr B", "city": "Oslo"}]
    expected = [{**body[0], "id": 5}, {**body[1], "id": 6}]
    assert ok(await seeded.post("/CoffeeShops", json=body)) == expected
    assert ok(await seeded.get("/CoffeeShops")) == [*SHOPS, *expected]


async def test_create_empty_array(seeded: httpx.AsyncClient) -> None:
    assert ok(await seeded.post("/CoffeeShops", json=[])) == []
    assert ok(await seeded.get("/CoffeeShops/count")) == {"count": 4}


async def test_ids_continue_after_a_delete(seeded: httpx.AsyncClient) -> None:
    assert ok(await seeded.delete("/CoffeeShops/2")) == {"count": 1}
    created = await seeded.post("/CoffeeShops", json={"name": "New", "city": "X"})
    assert ok(created) == {"name": "New", "city": "X", "id": 5}


async def test_key_order_is_declaration_order_then_id(client: httpx.AsyncClient) -> None:
    response = await client.post("/CoffeeShops", json={"city": "Paris", "name": "Reversed"})
    assert list(ok(response)) == ["name", "city", "id"]


async def test_null_id_is_no_id(seeded: httpx.AsyncClient) -> None:
    response = await seeded.post("/CoffeeShops", json={"id": None, "name": "N", "city": "C"})
    assert ok(response) == {"name": "N", "city": "C", "id": 5}


async def test_content_type_with_charset(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/CoffeeShops",
        content=b'{"name":"CS","city":"U"}',
        headers={"content-type": "application/json; charset=utf-8"},
    )
    assert ok(response) == {"name": "CS", "city": "U", "id": 1}


async def test_unicode_round_trip(client: httpx.AsyncClient) -> None:
    shop = {"name": "Café ☕ 東京", "city": "Zürich"}
    assert ok(await client.post("/CoffeeShops", json=shop)) == {**shop, "id": 1}
    assert ok(await client.get("/CoffeeShops?filter[where][city]=Zürich")) == [{**shop, "id": 1}]


INVALID = [
    ("missing-name", {"city": "Paris"}, [blank("name")]),
    ("missing-both", {}, [blank("name"), blank("city")]),
    ("name-null", {"name": None, "city": "Paris"}, [blank("name", "null")]),
    ("name-empty-string", {"name": "", "city": "Paris"}, [blank("name", '""')]),
    ("id-given", {"id": 100, "name": "With Id", "city": "Nice"}, [("id", "absence", "can't be set", "100")]),
    ("id-given-as-text", {"id": "abc", "name": "Str Id", "city": "Nice"}, [("id", "absence", "can't be set", '"abc"')]),
    # deliberate: LB3 coerces 123 -> "123", true -> "true", {} -> "[object Object]", ["a"] -> "a"
    ("name-number", {"name": 123, "city": "Paris"}, [("name", "type", "is not a string", "123")]),
    ("name-boolean", {"name": True, "city": "Paris"}, [("name", "type", "is not a string", "true")]),
    ("name-object", {"name": {"a": 1}, "city": "Paris"}, [("name", "type", "is not a string", '{"a":1}')]),
    ("name-array", {"name": ["a"], "city": "Paris"}, [("name", "type", "is not a string", '["a"]')]),
    ("name-nul-character", {"name": "a\x00b", "city": "Paris"}, [("name", "type", "contains a NUL character", '"a\\u0000b"')]),
    # deliberate: LB3 stores unknown properties (a strict LB3 model answers this, unknown last)
    ("unknown-property", {"name": "Foo", "city": "Paris", "foo": "bar"}, [("foo", "unknown-property", "is not defined in the model", "undefined")]),
    ("every-problem-at-once", {"foo": 1}, [blank("name"), blank("city"), ("foo", "unknown-property", "is not defined in the model", "undefined")]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("body", "problems"), [c[1:] for c in INVALID], ids=[c[0] for c in INVALID]
)
async def test_create_validation(
    seeded: httpx.AsyncClient, body: dict[str, Any], problems: list[Any]
) -> None:
    response = await seeded.post("/CoffeeShops", json=body)
    assert error(response, 422)
    assert response.json() == validation_error("CoffeeShop", *problems)
    assert ok(await seeded.get("/CoffeeShops/count")) == {"count": 4}


EMPTY = [
    ("no-body-no-content-type", {}),
    ("empty-body-json-content-type", {"content": b"", "headers": {"content-type": "application/json"}}),
    # blank text of another type is no body either (LB3 parses JSON only); blank JSON is a 400
    ("whitespace-only-text", {"content": b"  \n", "headers": {"content-type": "text/plain"}}),
]  # fmt: skip


@pytest.mark.parametrize(
    "path", ["/CoffeeShops", "/CoffeeShops/update", "/CoffeeShops/upsertWithWhere"]
)
async def test_a_json_null_body_is_refused(client: httpx.AsyncClient, path: str) -> None:
    """LB3 reads `null` as {}; the schema says an object, so we answer 400 (docs/lb3-differences.md)."""
    response = await client.post(
        path, content=b"null", headers={"content-type": "application/json"}
    )
    assert response.status_code == 400
    assert response.json() == {
        "error": {
            "statusCode": 400,
            "name": "Error",
            "message": "The request body must be a JSON object. Value is not an object.",
        }
    }


@pytest.mark.parametrize("kwargs", [c[1] for c in EMPTY], ids=[c[0] for c in EMPTY])
async def test_create_without_body_is_an_empty_object(
    client: httpx.AsyncClient, kwargs: dict[str, Any]
) -> None:
    response = await client.post("/CoffeeShops", **kwargs)
    assert response.json() == validation_error("CoffeeShop", blank("name"), blank("city"))


async def test_bulk_create_is_atomic(seeded: httpx.AsyncClient) -> None:
    """Deliberate: LB3 stores the valid items and answers 500 (docs/lb3-differences.md); the body
    is LB3's, one entry per item up to the last invalid one."""
    body = [{"name": "Atomic OK", "city": "Oslo"}, {"city": "Oslo"}]
    response = await seeded.post("/CoffeeShops", json=body)
    err = error(response, 422)
    assert err["name"] == "ValidationError"
    assert err["message"] == "Failed with multiple errors, see `details` for more information."
    assert err["details"] == [None, validation_error("CoffeeShop", blank("name"))["error"]]
    assert ok(await seeded.get("/CoffeeShops?filter[where][name]=Atomic%20OK")) == []
    assert ok(await seeded.get("/CoffeeShops/count")) == {"count": 4}


async def test_bulk_create_reports_each_invalid_item(client: httpx.AsyncClient) -> None:
    response = await client.post(
        "/CoffeeShops", json=[{"city": "A"}, {"name": 5}, {"name": "B", "city": "C"}]
    )
    details = error(response, 422)["details"]  # fmt: skip
    assert [d["details"]["codes"] for d in details] == [
        {"name": ["presence"]},
        {"name": ["type"], "city": ["presence"]},
    ]
    assert ok(await client.get("/CoffeeShops")) == []


@pytest.mark.parametrize(
    "body", [[{"name": "ok1", "city": "c"}, 5], [[{"name": "nn", "city": "c"}]]], ids=["number", "nested-array"]
)  # fmt: skip
async def test_array_items_must_be_objects(client: httpx.AsyncClient, body: Any) -> None:
    response = await client.post("/CoffeeShops", json=body)
    assert error(response, 400)["message"] == "Some of array items are not an object."
    assert ok(await client.get("/CoffeeShops")) == []


REVIEWS = [
    ("date-only-is-utc-midnight", {}, {}),
    ("naive-date-time-is-utc", {"date": "2020-01-01T10:00:00"}, {"date": "2020-01-01T10:00:00.000Z"}),
    ("offset-is-converted", {"date": "2020-01-01T10:00:00+02:00"}, {"date": "2020-01-01T08:00:00.000Z"}),
    ("z-suffix", {"date": "2020-01-01T10:00:00Z"}, {"date": "2020-01-01T10:00:00.000Z"}),
    ("milliseconds-kept", {"date": "2020-01-01T10:00:00.123Z"}, {"date": "2020-01-01T10:00:00.123Z"}),
    ("microseconds-cut-to-milliseconds", {"date": "2020-01-01T10:00:00.123456Z"}, {"date": "2020-01-01T10:00:00.123Z"}),
    ("year-before-1000-is-padded", {"date": "0072-07-22T00:00:00Z"}, {"date": "0072-07-22T00:00:00.000Z"}),
    ("year-1", {"date": "0001-01-01"}, {"date": "0001-01-01T00:00:00.000Z"}),
    ("year-9999", {"date": "9999-12-31T23:59:59.999Z"}, {"date": "9999-12-31T23:59:59.999Z"}),
    ("rating-fraction", {"rating": 4.5}, {"rating": 4.5}),
    ("rating-whole-float-prints-as-integer", {"rating": 3.0}, {"rating": 3}),
    ("rating-null", {"rating": None}, {"rating": None}),
    ("rating-unset-is-null", {"rating": ...}, {"rating": None}),
    ("foreign-key", {"coffeeShopId": 1}, {"coffeeShopId": 1}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("changes", "expected"), [c[1:] for c in REVIEWS], ids=[c[0] for c in REVIEWS]
)
async def test_create_review(
    client: httpx.AsyncClient, changes: dict[str, Any], expected: dict[str, Any]
) -> None:
    body = {k: v for k, v in (REVIEW | changes).items() if v is not ...}
    created = ok(await client.post("/Reviews", json=body))
    assert created == review_out(1, **expected)
    assert ok(await client.get("/Reviews/1")) == created


INVALID_REVIEWS = [
    ("date-not-a-date", {"date": "not a date"}, [("date", "date", "is not a valid date", '"not a date"')]),
    ("date-empty", {"date": ""}, [("date", "date", "is not a valid date", '""')]),
    ("date-null", {"date": None}, [blank("date", "null")]),
    ("date-impossible-day", {"date": "2020-02-30"}, [("date", "date", "is not a valid date", '"2020-02-30"')]),
    ("date-offset-before-year-1", {"date": "0001-01-01T00:00:00+01:00"}, [("date", "date", "is not a valid date", '"0001-01-01T00:00:00+01:00"')]),
    ("date-offset-after-year-9999", {"date": "9999-12-31T23:00:00-05:00"}, [("date", "date", "is not a valid date", '"9999-12-31T23:00:00-05:00"')]),
    # deliberate: LB3 reads a number as epoch milliseconds
    ("date-number", {"date": 12345}, [("date", "date", "is not a valid date", "12345")]),
    # deliberate: LB3 turns "abc" and "4 stars" into null ("4" is 4 here too)
    ("rating-text", {"rating": "abc"}, [("rating", "type", "is not a number", '"abc"')]),
    ("rating-not-numeric-text", {"rating": "4 stars"}, [("rating", "type", "is not a number", '"4 stars"')]),
    ("rating-boolean", {"rating": True}, [("rating", "type", "is not a number", "true")]),
    ("missing-date-and-comments", {"date": ..., "comments": ...}, [blank("date"), blank("comments")]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("changes", "problems"), [c[1:] for c in INVALID_REVIEWS], ids=[c[0] for c in INVALID_REVIEWS]
)
async def test_create_review_validation(
    client: httpx.AsyncClient, changes: dict[str, Any], problems: list[Any]
) -> None:
    body = {k: v for k, v in (REVIEW | changes).items() if v is not ...}
    response = await client.post("/Reviews", json=body)
    assert error(response, 422)
    assert response.json() == validation_error("Review", *problems)
    assert ok(await client.get("/Reviews")) == []


async def test_dates_compare_in_where(client: httpx.AsyncClient) -> None:
    dates = ["2020-01-01", "2020-06-01T12:00:00Z", "2021-01-01T00:00:00.001Z"]
    ok(await client.post("/Reviews", json=[{**REVIEW, "date": d} for d in dates]))
    after = await client.get(
        '/Reviews?filter={"where":{"date":{"gt":"2020-03-01"}},"fields":["id"]}'
    )
    assert ok(after) == [{"id": 2}, {"id": 3}]
    exact = await client.get("/Reviews?filter[where][date]=2021-01-01T00:00:00.001Z")
    assert [r["id"] for r in ok(exact)] == [3]


async def test_a_number_past_2_53_is_read_as_javascript_reads_it(client: httpx.AsyncClient) -> None:
    """A number property is a double, as in LB3: 2**60 + 1 is stored as the double nearest to it."""
    body = {"date": "2020-01-01", "comments": "c", "rating": 2**60 + 1}
    created = ok(await client.post("/Reviews", json=body))
    assert created["rating"] == float(2**60)


async def test_a_foreign_key_to_an_integer_id_is_an_int64(client: httpx.AsyncClient) -> None:
    body = {"date": "2020-01-01", "comments": "c", "coffeeShopId": 2**62 + 1}
    assert ok(await client.post("/Reviews", json=body))["coffeeShopId"] == 2**62 + 1
    fractional = await client.post("/Reviews", json={**body, "coffeeShopId": 1.5})
    assert fractional.status_code == 422
    assert fractional.json()["error"]["details"]["codes"] == {"coffeeShopId": ["type"]}
