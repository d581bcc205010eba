"""Errors raised by routing, before any operation runs, in LB3's words (checked on LB3 3.28)."""

from __future__ import annotations

from typing import Any

import httpx
import orjson
import pytest

from tests.http.support import ok

NOT_FOUND = [
    ("outside-rest-root", "GET", "/nothing", "Cannot GET /nothing", None),
    ("unknown-model", "GET", "/api/Nope", "There is no method to handle GET /Nope", None),
    ("rest-root", "GET", "/api", "There is no method to handle GET /", None),
    ("rest-root-slash", "GET", "/api/", "There is no method to handle GET /", None),
    ("non-numeric-id", "GET", "/api/CoffeeShops/abc", 'Unknown "CoffeeShop" id "abc".', "MODEL_NOT_FOUND"),
    ("fractional-id", "DELETE", "/api/CoffeeShops/1.5", 'Unknown "CoffeeShop" id "1.5".', "MODEL_NOT_FOUND"),
    ("non-numeric-id-exists", "GET", "/api/Reviews/x/exists", 'Unknown "Review" id "x".', "MODEL_NOT_FOUND"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("method", "url", "message", "code"), [c[1:] for c in NOT_FOUND], ids=[c[0] for c in NOT_FOUND]
)
async def test_not_found_words(
    client: httpx.AsyncClient, method: str, url: str, message: str, code: str | None
) -> None:
    response = await client.request(method, f"http://test{url}")
    assert response.status_code == 404
    assert response.headers["content-type"] == "application/json; charset=utf-8"
    expected = {"statusCode": 404, "name": "Error", "message": message}
    if code:
        expected["code"] = code
    assert response.json() == {"error": expected}


async def test_trailing_slash_is_the_same_resource_not_a_redirect(
    client: httpx.AsyncClient,
) -> None:
    await client.post("/CoffeeShops", json={"name": "A", "city": "B"})
    response = await client.get("/CoffeeShops/")
    assert response.status_code == 200
    assert response.json() == ok(await client.get("/CoffeeShops"))


@pytest.mark.parametrize(
    ("method", "url", "allow"),
    [
        ("POST", "/CoffeeShops/count", "GET, HEAD"),
        ("POST", "/CoffeeShops/7", "DELETE, GET, HEAD, PATCH, PUT"),
        ("DELETE", "/CoffeeShops", "GET, HEAD, PATCH, POST, PUT"),
        ("OPTIONS", "/Reviews/findOne", "GET, HEAD"),
    ],
)
async def test_allow_lists_the_documented_verbs_of_the_path(
    client: httpx.AsyncClient, method: str, url: str, allow: str
) -> None:
    response = await client.request(method, url)
    assert response.status_code == 405
    assert response.headers["allow"] == allow
    assert response.json()["error"]["code"] == "METHOD_NOT_ALLOWED"


def test_connexion_problems_leave_in_lb3_shape(app: Any) -> None:
    from connexion.exceptions import ProblemException

    problem = ProblemException(status=400, title="Bad Request", detail="'x' is not valid")
    response = app._problem(None, problem)
    assert response.status_code == 400
    assert orjson.loads(response.body) == {
        "error": {"statusCode": 400, "name": "Error", "message": "'x' is not valid"}
    }
    assert response.content_type == "application/json; charset=utf-8"
