"""Direct dispatch (the fast path) and connexion's routing answer every request the same way."""

from __future__ import annotations

from collections.abc import AsyncIterator

import httpx
import pytest

from generated.coffee_shop import create_app

REQUESTS = [
    ("POST", "/api/CoffeeShops", {"name": "A", "city": "B"}),
    ("GET", "/api/CoffeeShops/1", None),
    ("GET", "/api/CoffeeShops/", None),
    ("HEAD", "/api/CoffeeShops/1", None),
    ("HEAD", "/api/CoffeeShops/9", None),
    ("HEAD", "/api/CoffeeShops/count", None),
    ("GET", "/api/CoffeeShops/count", None),
    ("PATCH", "/api/CoffeeShops/count", {"city": "C"}),
    ("GET", "/api/CoffeeShops/abc", None),
    ("GET", "/api/CoffeeShops/1/exists", None),
    ("POST", "/api/CoffeeShops/1/replace", {"name": "A", "city": "D"}),
    ("DELETE", "/api/CoffeeShops", None),
    ("GET", "/api/Nope", None),
    ("DELETE", "/api/CoffeeShops/1", None),
]


@pytest.fixture
async def both() -> AsyncIterator[tuple[httpx.AsyncClient, httpx.AsyncClient]]:
    fast, slow = (
        create_app(db_url="sqlite://"),
        create_app(db_url="sqlite://", direct_dispatch=False),
    )
    async with (
        httpx.AsyncClient(transport=httpx.ASGITransport(app=fast), base_url="http://t") as a,
        httpx.AsyncClient(transport=httpx.ASGITransport(app=slow), base_url="http://t") as b,
    ):
        yield a, b
    fast.db.dispose()
    slow.db.dispose()


async def test_direct_dispatch_answers_as_connexion_routing_does(
    both: tuple[httpx.AsyncClient, httpx.AsyncClient],
) -> None:
    fast, slow = both
    for method, url, body in REQUESTS:
        a = await fast.request(method, url, json=body)
        b = await slow.request(method, url, json=body)
        assert (a.status_code, a.headers.get("allow"), a.content) == (
            b.status_code,
            b.headers.get("allow"),
            b.content,
        ), f"{method} {url}"


def test_templates_are_tried_in_document_order_whatever_their_first_segment() -> None:
    """Dispatch buckets templates by their first segment below the root; one with a parameter
    there still competes with the named ones, in document order, as a linear scan would."""
    from runtime.routes import Dispatch

    paths = {
        "/Things/{id}/parts": {"get": {"operationId": "parts"}},
        "/{kind}/{id}": {"get": {"operationId": "any"}},
        "/Things/{id}": {"get": {"operationId": "thing"}, "delete": {"operationId": "drop"}},
        "/Others/{id}": {"get": {"operationId": "other"}},
        "/Things/count": {"get": {"operationId": "count"}},
    }
    document = {"servers": [{"url": "/api"}], "paths": paths}
    dispatch = Dispatch(document, {op: op for item in paths.values() for op in
                                   (o["operationId"] for o in item.values())})  # fmt: skip
    assert dispatch.find("GET", "/api/Things/1") == ("any", {"kind": "Things", "id": "1"})
    assert dispatch.find("DELETE", "/api/things/1") == ("drop", {"id": "1"})
    assert dispatch.find("GET", "/api/THINGS/7/Parts") == ("parts", {"id": "7"})
    assert dispatch.find("HEAD", "/api/Others/2") == ("any", {"kind": "Others", "id": "2"})
    assert dispatch.find("GET", "/api/Things/count") == ("count", {})
    assert dispatch.find("DELETE", "/api/Things/count") is None  # a 405, not the id "count"
    assert dispatch.find("DELETE", "/api/Others/2") is None
    assert dispatch.find("GET", "/api/Things/1/parts/3") is None
    assert dispatch.find("GET", "/api/Things//parts") is None
    assert dispatch.find("GET", "/other/Things/1") is None
