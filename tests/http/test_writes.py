"""The write operations other than create, against LB3 3.28's observed answers ("pass 2" probes):
patchOrCreate, replaceOrCreate, upsertWithWhere, updateAll, replaceById, patchAttributes, deleteById.

Deliberate differences tested as ours: updateAll validates (types, blanks, unknown properties);
updateAll and upsertWithWhere without a where act as where={} (LB3: 500); unknown properties are
422 everywhere (LB3 stores them).
"""

from __future__ import annotations

from typing import Any

import httpx
import pytest

from .conftest import SHOPS
from .support import blank, error, lb3_error, not_found, ok, validation_error

UNKNOWN_FOO = ("foo", "unknown-property", "is not defined in the model", "undefined")


async def shops(client: httpx.AsyncClient) -> list[dict[str, Any]]:
    return list(ok(await client.get("/CoffeeShops")))


def with_row(row: dict[str, Any]) -> list[dict[str, Any]]:
    """The seeded shops with one of them replaced by `row`."""
    return [row if s["id"] == row["id"] else s for s in SHOPS]


# ---- patchOrCreate: PATCH /CoffeeShops ---------------------------------------------------------

PATCH_OR_CREATE = [
    ("existing-id-partial-body-merges", {"id": 1, "city": "Marseille"}, 200, {"name": "Bel Cafe", "city": "Marseille", "id": 1}),
    ("id-as-numeric-text", {"id": "3", "city": "StrId"}, 200, {"name": "Zoo Coffee", "city": "StrId", "id": 3}),
    ("no-id-creates", {"name": "NoId", "city": "Y"}, 200, {"name": "NoId", "city": "Y", "id": 5}),
    ("null-id-creates", {"id": None, "name": "NoId", "city": "Y"}, 200, {"name": "NoId", "city": "Y", "id": 5}),
    ("missing-id-does-not-create", {"id": 500, "name": "Upserted", "city": "X"}, 404, lb3_error(404, "Could not update attributes. Object with id 500 does not exist!")),
    ("no-id-missing-required", {"name": "NoCity"}, 422, validation_error("CoffeeShop", blank("city"))),
    ("empty-body", {}, 422, validation_error("CoffeeShop", blank("name"), blank("city"))),
    ("existing-id-name-null", {"id": 2, "name": None}, 422, validation_error("CoffeeShop", blank("name", "null"))),
    ("existing-id-name-number", {"id": 2, "name": 123}, 422, validation_error("CoffeeShop", ("name", "type", "is not a string", "123"))),
    ("existing-id-unknown-property", {"id": 2, "foo": "bar"}, 422, validation_error("CoffeeShop", UNKNOWN_FOO)),
    ("id-not-numeric", {"id": "abc", "name": "n", "city": "c"}, 422, validation_error("CoffeeShop", ("id", "type", "is not a valid id", '"abc"'))),
]  # fmt: skip


@pytest.mark.parametrize(
    ("body", "status", "expected"), [c[1:] for c in PATCH_OR_CREATE], ids=[c[0] for c in PATCH_OR_CREATE]
)  # fmt: skip
async def test_patch_or_create(
    seeded: httpx.AsyncClient, body: dict[str, Any], status: int, expected: Any
) -> None:
    response = await seeded.patch("/CoffeeShops", json=body)
    if status == 200:
        assert ok(response) == expected
        assert ok(await seeded.get(f"/CoffeeShops/{expected['id']}")) == expected
    else:
        assert error(response, status)
        assert response.json() == expected
        assert await shops(seeded) == SHOPS


# ---- replaceOrCreate: PUT /CoffeeShops and POST /CoffeeShops/replaceOrCreate -------------------

REPLACE_OR_CREATE = [
    ("existing-id-full-body", {"id": 2, "name": "Extra2", "city": "E2"}, 200, {"name": "Extra2", "city": "E2", "id": 2}),
    ("id-as-numeric-text", {"id": "2", "name": "Extra2", "city": "E2"}, 200, {"name": "Extra2", "city": "E2", "id": 2}),
    ("no-id-creates", {"name": "PutNoId", "city": "C"}, 200, {"name": "PutNoId", "city": "C", "id": 5}),
    ("null-id-creates", {"id": None, "name": "PutNoId", "city": "C"}, 200, {"name": "PutNoId", "city": "C", "id": 5}),
    ("missing-id-does-not-create", {"id": 600, "name": "New600", "city": "C"}, 404, lb3_error(404, "Could not replace. Object with id 600 does not exist!")),
    ("existing-id-partial-body", {"id": 2, "name": "Extra3"}, 422, validation_error("CoffeeShop", blank("city"))),
    ("no-id-partial-body", {"name": "PutNoId"}, 422, validation_error("CoffeeShop", blank("city"))),
    ("unknown-property", {"id": 2, "name": "N", "city": "C", "foo": "bar"}, 422, validation_error("CoffeeShop", UNKNOWN_FOO)),
]  # fmt: skip


@pytest.mark.parametrize("path", ["PUT /CoffeeShops", "POST /CoffeeShops/replaceOrCreate"])
@pytest.mark.parametrize(
    ("body", "status", "expected"), [c[1:] for c in REPLACE_OR_CREATE], ids=[c[0] for c in REPLACE_OR_CREATE]
)  # fmt: skip
async def test_replace_or_create(
    seeded: httpx.AsyncClient, path: str, body: dict[str, Any], status: int, expected: Any
) -> None:
    verb, url = path.split()
    response = await seeded.request(verb, url, json=body)
    if status == 200:
        assert ok(response) == expected
        assert ok(await seeded.get(f"/CoffeeShops/{expected['id']}")) == expected
    else:
        assert error(response, status)
        assert response.json() == expected
        assert await shops(seeded) == SHOPS


# ---- upsertWithWhere: POST /CoffeeShops/upsertWithWhere ----------------------------------------

TWINS = [{"name": "Twin", "city": "A"}, {"name": "Twin", "city": "B"}]
MULTIPLE = lb3_error(
    400, "There are multiple instances found.Upsert Operation will not be performed!"
)

UPSERT = [
    ("one-match-full-body", "where=%7B%22name%22%3A%22Angel%22%7D", {"name": "Angel", "city": "Dublin"}, 200, {"name": "Angel", "city": "Dublin", "id": 4}),
    ("one-match-renamed", "where=%7B%22name%22%3A%22Angel%22%7D", {"name": "Angel2", "city": "Cork"}, 200, {"name": "Angel2", "city": "Cork", "id": 4}),
    ("bracket-where", "where[name]=Bel%20Cafe", {"name": "Bel Cafe", "city": "Cork"}, 200, {"name": "Bel Cafe", "city": "Cork", "id": 1}),
    ("no-match-creates-from-body", "where=%7B%22name%22%3A%22Nobody%22%7D", {"name": "Nobody", "city": "Nowhere"}, 200, {"name": "Nobody", "city": "Nowhere", "id": 7}),
    ("one-match-partial-body", "where=%7B%22name%22%3A%22Angel%22%7D", {"city": "Dublin"}, 422, validation_error("CoffeeShop", blank("name"))),
    ("no-match-where-values-not-merged", "where=%7B%22name%22%3A%22Nobody2%22%7D", {"city": "Nowhere"}, 422, validation_error("CoffeeShop", blank("name"))),
    ("two-matches", "where=%7B%22name%22%3A%22Twin%22%7D", {"name": "Twin", "city": "C"}, 400, MULTIPLE),
    ("empty-where-many-rows", "where=%7B%7D", {"name": "EmptyWhere", "city": "W"}, 400, MULTIPLE),
    ("no-where-is-empty-where", "", {"name": "NoWhere", "city": "W"}, 400, MULTIPLE),
    ("where-notjson", "where=notjson", {"name": "x", "city": "Cork"}, 400, lb3_error(400, "The where parameter is not valid JSON: 'notjson'")),
    ("where-unknown-property", "where[nosuch]=1", {"name": "x", "city": "Cork"}, 400, lb3_error(400, 'Unknown property "nosuch" of model CoffeeShop', code="INVALID_FILTER")),
    ("id-in-body", "where[name]=Angel", {"id": 4, "name": "Angel", "city": "C"}, 422, validation_error("CoffeeShop", ("id", "absence", "can't be set", "4"))),
    ("unknown-property", "where[name]=Angel", {"name": "Angel", "city": "C", "foo": "bar"}, 422, validation_error("CoffeeShop", UNKNOWN_FOO)),
]  # fmt: skip


@pytest.mark.parametrize(
    ("query", "body", "status", "expected"), [c[1:] for c in UPSERT], ids=[c[0] for c in UPSERT]
)
async def test_upsert_with_where(
    seeded: httpx.AsyncClient, query: str, body: Any, status: int, expected: Any
) -> None:
    ok(await seeded.post("/CoffeeShops", json=TWINS))  # ids 5 and 6
    before = await shops(seeded)
    response = await seeded.post(f"/CoffeeShops/upsertWithWhere?{query}", json=body)
    if status == 200:
        assert ok(response) == expected
        assert ok(await seeded.get(f"/CoffeeShops/{expected['id']}")) == expected
        assert len(await shops(seeded)) == len(before) + (expected["id"] > len(before))
    else:
        assert error(response, status)
        assert response.json() == expected
        assert await shops(seeded) == before


async def test_upsert_with_where_on_a_single_row_table(client: httpx.AsyncClient) -> None:
    ok(await client.post("/CoffeeShops", json={"name": "Only", "city": "One"}))
    response = await client.post(
        "/CoffeeShops/upsertWithWhere", json={"name": "Only", "city": "Two"}
    )
    assert ok(response) == {"name": "Only", "city": "Two", "id": 1}


# ---- updateAll: POST /CoffeeShops/update -------------------------------------------------------

UPDATE_ALL = [
    ("where-json", "where=%7B%22city%22%3A%22Paris%22%7D", {"city": "Lyon"}, 2, [1, 3]),
    ("where-matches-none", "where=%7B%22city%22%3A%22Atlantis%22%7D", {"city": "Q"}, 0, []),
    ("where-bracket", "where[id]=4", {"city": "Bracket"}, 1, [4]),
    ("where-operator", "where[id][lt]=3", {"city": "Low"}, 2, [1, 2]),
    ("empty-where-updates-all", "where=%7B%7D", {"city": "Everywhere"}, 4, [1, 2, 3, 4]),
    ("no-where-updates-all", "", {"city": "Everywhere"}, 4, [1, 2, 3, 4]),
    ("empty-body-counts-matches", "where=%7B%22id%22%3A1%7D", {}, 1, []),
    ("null-id-in-body-is-no-id", "where=%7B%22id%22%3A4%7D", {"id": None, "city": "IdChange"}, 1, [4]),
]  # fmt: skip


@pytest.mark.parametrize(
    ("query", "body", "count", "changed"), [c[1:] for c in UPDATE_ALL], ids=[c[0] for c in UPDATE_ALL]
)  # fmt: skip
async def test_update_all(
    seeded: httpx.AsyncClient, query: str, body: dict[str, Any], count: int, changed: list[int]
) -> None:
    response = await seeded.post(f"/CoffeeShops/update?{query}", json=body)
    assert ok(response) == {"count": count}
    values = {k: v for k, v in body.items() if k != "id"}
    assert await shops(seeded) == [s | values if s["id"] in changed else s for s in SHOPS]


async def test_update_all_twice_counts_only_matches(seeded: httpx.AsyncClient) -> None:
    url = "/CoffeeShops/update?where[city]=Paris"
    assert ok(await seeded.post(url, json={"city": "Lyon"})) == {"count": 2}
    assert ok(await seeded.post(url, json={"city": "Lyon"})) == {"count": 0}


UPDATE_ALL_ERRORS = [
    # deliberate: LB3 validates nothing in updateAll and stores all of these
    ("name-null", {"name": None}, 422, validation_error("CoffeeShop", blank("name", "null"))),
    ("name-number", {"name": 123}, 422, validation_error("CoffeeShop", ("name", "type", "is not a string", "123"))),
    ("unknown-property", {"foo": "bar"}, 422, validation_error("CoffeeShop", UNKNOWN_FOO)),
    ("array-body", [{"city": "Q"}], 400, lb3_error(400, "The request body must be a JSON object. Value is not an object.")),
    ("number-body", 5, 400, lb3_error(400, "The request body must be a JSON object. Value is not an object.")),
]  # fmt: skip


@pytest.mark.parametrize(
    ("body", "status", "expected"), [c[1:] for c in UPDATE_ALL_ERRORS], ids=[c[0] for c in UPDATE_ALL_ERRORS]
)  # fmt: skip
async def test_update_all_errors(
    seeded: httpx.AsyncClient, body: Any, status: int, expected: Any
) -> None:
    response = await seeded.post("/CoffeeShops/update?where[id]=1", json=body)
    assert error(response, status)
    assert response.json() == expected
    assert await shops(seeded) == SHOPS


async def test_update_all_where_errors(seeded: httpx.AsyncClient) -> None:
    notjson = await seeded.post("/CoffeeShops/update?where=notjson", json={"city": "Q"})
    assert notjson.json() == lb3_error(400, "The where parameter is not valid JSON: 'notjson'")
    badop = await seeded.post('/CoffeeShops/update?where={"id":{"like":"1"}}', json={"city": "Q"})
    assert error(badop, 400)["code"] == "INVALID_FILTER"
    assert await shops(seeded) == SHOPS


# ---- replaceById: PUT /CoffeeShops/{id} and POST /CoffeeShops/{id}/replace --------------------

REPLACE_BY_ID = [
    ("full-body", 2, {"name": "Nine2", "city": "C2"}, 200, {"name": "Nine2", "city": "C2", "id": 2}),
    ("same-id-in-body", 2, {"id": 2, "name": "N", "city": "C"}, 200, {"name": "N", "city": "C", "id": 2}),
    ("same-id-as-text", 2, {"id": "2", "name": "N", "city": "C"}, 200, {"name": "N", "city": "C", "id": 2}),
    ("partial-body", 2, {"name": "Nine2"}, 422, validation_error("CoffeeShop", blank("city"))),
    ("partial-body-other-property", 2, {"city": "C3"}, 422, validation_error("CoffeeShop", blank("name"))),
    ("missing-id", 9999, {"name": "Ghost", "city": "G"}, 404, lb3_error(404, "Could not replace. Object with id 9999 does not exist!")),
    ("missing-id-partial-body-validates-first", 9999, {"name": "Ghost"}, 422, validation_error("CoffeeShop", blank("city"))),
    ("beyond-int64", "99999999999999999999", {"name": "N", "city": "C"}, 404, not_found("CoffeeShop", "99999999999999999999")),
    ("zero", 0, {"name": "N", "city": "C"}, 404, not_found("CoffeeShop", 0)),
    ("other-id-in-body", 2, {"id": 901, "name": "N", "city": "C"}, 400, lb3_error(400, "id property (id) cannot be updated from 2 to 901")),
    ("other-id-checked-before-validation", 2, {"id": 901, "name": 5}, 400, lb3_error(400, "id property (id) cannot be updated from 2 to 901")),
    ("other-id-checked-before-existence", 9999, {"id": 901, "name": "N", "city": "C"}, 400, lb3_error(400, "id property (id) cannot be updated from 9999 to 901")),
    ("unknown-property", 2, {"name": "N", "city": "C", "foo": "bar"}, 422, validation_error("CoffeeShop", UNKNOWN_FOO)),
    ("name-number", 2, {"name": 123, "city": "C"}, 422, validation_error("CoffeeShop", ("name", "type", "is not a string", "123"))),
    ("array-body", 2, [{"name": "N", "city": "C"}], 400, lb3_error(400, "The request body must be a JSON object. Value is not an object.")),
]  # fmt: skip


@pytest.mark.parametrize("verb", ["PUT", "POST"], ids=["PUT-id", "POST-id-replace"])
@pytest.mark.parametrize(
    ("id", "body", "status", "expected"), [c[1:] for c in REPLACE_BY_ID], ids=[c[0] for c in REPLACE_BY_ID]
)  # fmt: skip
async def test_replace_by_id(
    seeded: httpx.AsyncClient, verb: str, id: Any, body: Any, status: int, expected: Any
) -> None:
    url = f"/CoffeeShops/{id}" if verb == "PUT" else f"/CoffeeShops/{id}/replace"
    response = await seeded.request(verb, url, json=body)
    if status == 200:
        assert ok(response) == expected
        assert await shops(seeded) == with_row(expected)
    else:
        assert error(response, status)
        assert response.json() == expected
        assert await shops(seeded) == SHOPS


# ---- patchAttributes: PATCH /CoffeeShops/{id} --------------------------------------------------

PATCH_ATTRIBUTES = [
    ("one-property", 1, {"city": "X"}, 200, {"name": "Bel Cafe", "city": "X", "id": 1}),
    ("same-id-in-body", 1, {"id": 1, "city": "Y"}, 200, {"name": "Bel Cafe", "city": "Y", "id": 1}),
    ("same-id-as-text", 1, {"id": "1", "city": "Y"}, 200, {"name": "Bel Cafe", "city": "Y", "id": 1}),
    ("empty-body", 1, {}, 200, SHOPS[0]),
    ("name-null", 1, {"name": None}, 422, validation_error("CoffeeShop", blank("name", "null"))),
    ("name-empty", 1, {"name": ""}, 422, validation_error("CoffeeShop", blank("name", '""'))),
    ("name-number", 1, {"name": 123}, 422, validation_error("CoffeeShop", ("name", "type", "is not a string", "123"))),
    ("unknown-property", 1, {"bar": 1}, 422, validation_error("CoffeeShop", ("bar", "unknown-property", "is not defined in the model", "undefined"))),
    ("missing-id", 9999, {"city": "X"}, 404, lb3_error(404, "could not find a model with id 9999", code="MODEL_NOT_FOUND")),
    ("missing-id-is-found-missing-first", 9999, {"id": 1, "name": 5, "foo": 1}, 404, lb3_error(404, "could not find a model with id 9999", code="MODEL_NOT_FOUND")),
    ("null-id-in-body-is-no-id", 1, {"id": None, "city": "Y"}, 200, {"name": "Bel Cafe", "city": "Y", "id": 1}),
    ("beyond-int64", "99999999999999999999", {}, 404, lb3_error(404, "could not find a model with id 99999999999999999999", code="MODEL_NOT_FOUND")),
    ("negative", -1, {}, 404, lb3_error(404, "could not find a model with id -1", code="MODEL_NOT_FOUND")),
    ("other-id-in-body", 1, {"id": 2, "city": "Y"}, 400, lb3_error(400, "id cannot be updated from 1 to 2 when forceId is set to true")),
    ("other-id-checked-before-validation", 1, {"id": "2", "name": 5}, 400, lb3_error(400, "id cannot be updated from 1 to 2 when forceId is set to true")),
    ("array-body", 1, [{"city": "Q"}], 400, lb3_error(400, "The request body must be a JSON object. Value is not an object.")),
]  # fmt: skip


@pytest.mark.parametrize(
    ("id", "body", "status", "expected"), [c[1:] for c in PATCH_ATTRIBUTES], ids=[c[0] for c in PATCH_ATTRIBUTES]
)  # fmt: skip
async def test_patch_attributes(
    seeded: httpx.AsyncClient, id: Any, body: Any, status: int, expected: Any
) -> None:
    response = await seeded.patch(f"/CoffeeShops/{id}", json=body)
    if status == 200:
        assert ok(response) == expected
        assert await shops(seeded) == with_row(expected)
    else:
        assert error(response, status)
        assert response.json() == expected
        assert await shops(seeded) == SHOPS


async def test_patch_review_keeps_unsent_properties(client: httpx.AsyncClient) -> None:
    review = {"date": "2020-01-01", "rating": 4, "comments": "c", "coffeeShopId": 1}
    ok(await client.post("/Reviews", json=review))
    patched = ok(await client.patch("/Reviews/1", json={"rating": None}))
    assert patched == {
        "date": "2020-01-01T00:00:00.000Z",
        "rating": None,
        "comments": "c",
        "id": 1,
        "coffeeShopId": 1,
        "publisherId": None,
    }
    assert ok(await client.get("/Reviews/1")) == patched


async def test_replace_review_clears_unsent_properties(client: httpx.AsyncClient) -> None:
    review = {"date": "2020-01-01", "rating": 4, "comments": "c", "coffeeShopId": 1}
    ok(await client.post("/Reviews", json=review))
    replaced = ok(await client.put("/Reviews/1", json={"date": "2021-01-01", "comments": "new"}))
    assert replaced == {
        "date": "2021-01-01T00:00:00.000Z",
        "rating": None,
        "comments": "new",
        "id": 1,
        "coffeeShopId": None,
        "publisherId": None,
    }
    assert ok(await client.get("/Reviews/1")) == replaced


# ---- deleteById: DELETE /CoffeeShops/{id} ------------------------------------------------------


async def test_delete_by_id(seeded: httpx.AsyncClient) -> None:
    assert ok(await seeded.delete("/CoffeeShops/1")) == {"count": 1}
    assert (await seeded.get("/CoffeeShops/1")).json() == not_found("CoffeeShop", 1)
    assert ok(await seeded.delete("/CoffeeShops/1")) == {"count": 0}
    assert await shops(seeded) == SHOPS[1:]


async def test_delete_missing_is_count_zero(seeded: httpx.AsyncClient) -> None:
    """LB3: a missing id is no 404."""
    assert ok(await seeded.delete("/CoffeeShops/9999")) == {"count": 0}
    assert await shops(seeded) == SHOPS


@pytest.mark.parametrize("id", ["0", "-1", "99999999999999999999"], ids=["zero", "negative", "beyond-int64"])  # fmt: skip
async def test_delete_of_an_id_no_instance_can_have(seeded: httpx.AsyncClient, id: str) -> None:
    """Deliberate: the schema documents ids as positive int64 (LB3 answers {"count": 0})."""
    response = await seeded.delete(f"/CoffeeShops/{id}")
    assert error(response, 404)
    assert response.json() == not_found("CoffeeShop", id)
    assert await shops(seeded) == SHOPS


@pytest.mark.parametrize("body_id", [99, "abc", 4])
async def test_update_all_refuses_an_id_in_the_body(
    client: httpx.AsyncClient, body_id: object
) -> None:
    """LB3 ignores it silently; its schema says the server owns ids (docs/lb3-differences.md)."""
    await client.post("/CoffeeShops", json={"name": "A", "city": "B"})
    response = await client.post(
        "/CoffeeShops/update", params={"where": '{"id": 1}'}, json={"id": body_id, "city": "C"}
    )
    assert response.status_code == 422
    assert response.json()["error"]["details"]["codes"] == {"id": ["absence"]}
    assert (await client.get("/CoffeeShops/1")).json()["city"] == "B"
