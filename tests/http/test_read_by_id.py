"""findById, findOne, exists (GET /{id}/exists and HEAD /{id}) against LB3 3.28's observed answers."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from .conftest import SHOPS
from .support import JSON, error, lb3_error, not_found, ok

FIND_BY_ID = [
    ("existing", "/CoffeeShops/1", 200, SHOPS[0]),
    ("last", "/CoffeeShops/4", 200, SHOPS[3]),
    ("missing", "/CoffeeShops/9999", 404, not_found("CoffeeShop", 9999)),
    ("zero", "/CoffeeShops/0", 404, not_found("CoffeeShop", 0)),
    ("negative", "/CoffeeShops/-1", 404, not_found("CoffeeShop", -1)),
    ("int64-max", f"/CoffeeShops/{2**63 - 1}", 404, not_found("CoffeeShop", 2**63 - 1)),
    ("beyond-int64", "/CoffeeShops/99999999999999999999999", 404, not_found("CoffeeShop", "99999999999999999999999")),
    ("fields", '/CoffeeShops/1?filter={"fields":["name"]}', 200, {"name": "Bel Cafe"}),
    ("fields-exclude", '/CoffeeShops/2?filter={"fields":{"city":false}}', 200, {"name": "Three Bees", "id": 2}),
    ("fields-bracket", "/CoffeeShops/3?filter[fields][city]=true", 200, {"city": "Paris"}),
    ("where-that-matches", '/CoffeeShops/3?filter={"where":{"city":"Paris"}}', 200, SHOPS[2]),
    ("where-that-does-not-match", '/CoffeeShops/2?filter={"where":{"city":"Paris"}}', 404, not_found("CoffeeShop", 2)),
    ("filter-notjson", "/CoffeeShops/1?filter=notjson", 400, lb3_error(400, "The filter parameter is not valid JSON: 'notjson'")),
    ("filter-unknown-field", '/CoffeeShops/1?filter={"fields":["nosuch"]}', 400, lb3_error(
        400, 'Unknown property "nosuch" in fields of model CoffeeShop', code="INVALID_FILTER"
    )),
]  # fmt: skip


@pytest.mark.parametrize(
    ("path", "status", "body"), [c[1:] for c in FIND_BY_ID], ids=[c[0] for c in FIND_BY_ID]
)
async def test_find_by_id(seeded: httpx.AsyncClient, path: str, status: int, body: Any) -> None:
    response = await seeded.get(path)
    if status == 200:
        assert ok(response) == body
    else:
        assert error(response, status)
        assert response.json() == body


NON_NUMERIC = ["abc", "1.5", "1e3", "nosuchmethod", "%20"]


@pytest.mark.parametrize("raw", NON_NUMERIC, ids=NON_NUMERIC)
@pytest.mark.parametrize("verb", ["GET", "PUT", "PATCH", "DELETE", "HEAD"])
async def test_non_numeric_id_is_404_never_500(
    seeded: httpx.AsyncClient, verb: str, raw: str
) -> None:
    """LB3 answers MODEL_NOT_FOUND (and 200 for DELETE); here the route itself takes integer ids
    only, so these are 404s with LB3's envelope, never a 500."""
    kwargs: dict[str, Any] = (
        {"json": {"name": "N", "city": "C"}} if verb in ("PUT", "PATCH") else {}
    )
    response = await seeded.request(verb, f"/CoffeeShops/{raw}", **kwargs)
    assert response.status_code == 404
    assert response.headers["content-type"] == JSON
    if verb != "HEAD":
        assert error(response, 404)["name"] == "Error"


FIND_ONE = [
    ("match", {"where": {"city": "Paris"}}, SHOPS[0]),
    ("ordered", {"where": {"city": "Paris"}, "order": "name DESC"}, SHOPS[2]),
    ("skip", {"skip": 2}, SHOPS[2]),
    ("fields", {"where": {"id": 4}, "fields": ["city"]}, {"city": "London"}),
    ("no-filter", None, SHOPS[0]),
    ("limit-is-at-most-one", {"limit": 3, "order": "id DESC"}, SHOPS[3]),
]


@pytest.mark.parametrize(("flt", "body"), [c[1:] for c in FIND_ONE], ids=[c[0] for c in FIND_ONE])
async def test_find_one(seeded: httpx.AsyncClient, flt: Any, body: Any) -> None:
    params = {"filter": json.dumps(flt)} if flt is not None else {}
    assert ok(await seeded.get("/CoffeeShops/findOne", params=params)) == body


async def test_find_one_bracket_form(seeded: httpx.AsyncClient) -> None:
    response = await seeded.get("/CoffeeShops/findOne?filter[where][city]=London")
    assert ok(response) == SHOPS[3]


async def test_find_one_no_match_is_404(seeded: httpx.AsyncClient) -> None:
    response = await seeded.get("/CoffeeShops/findOne?filter[where][city]=Nowhere")
    assert error(response, 404)
    assert response.json() == not_found("CoffeeShop", "undefined")


async def test_find_one_on_empty_table_is_404(client: httpx.AsyncClient) -> None:
    response = await client.get("/CoffeeShops/findOne")
    assert response.json() == not_found("CoffeeShop", "undefined")


async def test_find_one_invalid_filter(seeded: httpx.AsyncClient) -> None:
    response = await seeded.get("/CoffeeShops/findOne?filter[where][name][regexp]=(B")
    assert error(response, 400)["code"] == "INVALID_FILTER"


async def test_find_one_like_in_bracket_form(seeded: httpx.AsyncClient) -> None:
    response = await seeded.get("/CoffeeShops/findOne?filter[where][name][like]=Z%25")
    assert ok(response)["name"] == "Zoo Coffee"


EXISTS = [("existing", 1, True), ("missing", 9999, False)]
IMPOSSIBLE_IDS = ["0", "-1", str(2**63), "99999999999999999999999"]


@pytest.mark.parametrize(("id", "exists"), [c[1:] for c in EXISTS], ids=[c[0] for c in EXISTS])
async def test_exists(seeded: httpx.AsyncClient, id: Any, exists: bool) -> None:
    assert ok(await seeded.get(f"/CoffeeShops/{id}/exists")) == {"exists": exists}


@pytest.mark.parametrize("id", IMPOSSIBLE_IDS)
async def test_exists_of_an_id_no_instance_can_have(seeded: httpx.AsyncClient, id: str) -> None:
    """Deliberate: the schema documents ids as positive int64, so these are 404 on every id
    operation (LB3 answers {"exists": false})."""
    response = await seeded.get(f"/CoffeeShops/{id}/exists")
    assert error(response, 404)
    assert response.json() == not_found("CoffeeShop", id)


@pytest.mark.parametrize(
    ("id", "status"),
    [("1", 200), ("4", 200), ("9999", 404)] + [(i, 404) for i in IMPOSSIBLE_IDS],
)
async def test_head(seeded: httpx.AsyncClient, id: str, status: int) -> None:
    """LB3: 200 or 404, an empty body, Content-Type application/json."""
    response = await seeded.head(f"/CoffeeShops/{id}")
    assert response.status_code == status
    assert response.headers["content-type"] == JSON
    assert response.content == b""


async def test_exists_after_delete(seeded: httpx.AsyncClient) -> None:
    assert ok(await seeded.delete("/CoffeeShops/2")) == {"count": 1}
    assert ok(await seeded.get("/CoffeeShops/2/exists")) == {"exists": False}
    assert (await seeded.head("/CoffeeShops/2")).status_code == 404
