"""Fuzz the `filter` and `where` parameters with filters generated from the typed filter schemas of
the generated documents (specgen/openapi/filter_schemas.py), against the in-process apps on SQLite.

The schemas are the contract of what the runtime answers 200 for, so every generated (schema-valid)
filter must get 200, except where it goes over a limit no schema can state (include depth, where
depth): then a 400 in LB3's error shape that names the limit. Whatever the input: never a 5xx, never
a hidden property in an answer.

Filters come from schemathesis' hypothesis strategies for the operations, with each parameter's
schema swapped for the whole language its `x-lb-filter`/`x-lb-where` extension names (they read OpenAPI 3.0:
`nullable`, recursive `$ref`s, JSON-encoded `content` query parameters), sent with httpx through
the ASGI transport; each example is one request on a small seeded database.
"""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from typing import Any

import httpx
import pytest
import schemathesis
import yaml
from hypothesis import HealthCheck, Phase, given, settings
from hypothesis import strategies as st
from schemathesis.config import SchemathesisConfig

from generated.coffee_shop import create_app as create_coffee_shop
from generated.library import create_app as create_library
from runtime.app import LoopBackApp
from tests.conftest import ROOT

MAX_INCLUDE_DEPTH = 4  # the runtime's default FilterLimits
MAX_WHERE_DEPTH = 32
HIDDEN = {"internalCode", "secret", "password"}  # hidden properties of the two example apps
EXAMPLES = 120
FUZZ = settings(
    max_examples=EXAMPLES,
    deadline=None,
    database=None,
    derandomize=True,  # the same examples every run: a red run is reproducible
    # no shrinking: a failing include-heavy example takes minutes to shrink; the first one is shown
    phases=[Phase.explicit, Phase.generate],
    suppress_health_check=list(HealthCheck),
)
# NUL cannot be stored in PostgreSQL text: the runtime answers 400 for it everywhere (docs/databases.md)
CONFIG = SchemathesisConfig.from_dict({"generation": {"allow-x00": False}})


def whole_language(document: dict[str, Any]) -> dict[str, Any]:
    """The document with each `filter`/`where` parameter's schema swapped for the whole language
    its `x-lb-filter`/`x-lb-where` names (the parameters state a simpler part, for schemathesis)."""
    for item in document["paths"].values():
        for operation in item.values():
            for param in operation.get("parameters", []) if isinstance(operation, dict) else []:
                whole = param.get(f"x-lb-{param.get('name')}")
                if whole is not None:  # the JSON text the string parameter holds, typed
                    param.pop("schema", None)
                    param["content"] = {"application/json": {"schema": whole}}
    return document


def _strategy(app: str, path: str, param: str) -> st.SearchStrategy[str]:
    """The JSON text of `param` in the generated cases of `GET path` (cases without it dropped)."""
    with (ROOT / "generated" / app / "openapi.yaml").open(encoding="utf-8") as f:
        raw = yaml.safe_load(f)
    document = schemathesis.openapi.from_dict(whole_language(raw), config=CONFIG)
    cases = document[path]["GET"].as_strategy()

    def text(case: Any) -> str:
        value = (case.query or {}).get(param)
        return value if isinstance(value, str) else ""

    return cases.map(text).filter(bool)


def include_depth(include: Any) -> int:
    """Levels of an LB3 include value (`"a"` is 1, `{"a": "b"}` 2, a scope's include adds one)."""
    if include is None or include == [] or include == {}:
        return 0
    if isinstance(include, str):
        return 1
    if isinstance(include, list):
        return max(include_depth(i) for i in include)
    if isinstance(include, dict):
        if "relation" in include:
            scope = include.get("scope") or {}
            return 1 + include_depth(scope.get("include"))
        return max(1 + include_depth(v) for v in include.values())
    return 0


def where_depth(where: Any) -> int:
    """and/or levels and related-model paths (`"rel.prop"` keys count one level)."""
    if not isinstance(where, dict):
        return 0
    depth = 0
    for key, value in where.items():
        if key in ("and", "or") and isinstance(value, list):
            depth = max(depth, 1 + max((where_depth(v) for v in value), default=0))
    return depth


def _filter_depths(raw: Any) -> tuple[int, int]:
    if not isinstance(raw, dict):
        return 0, 0
    return include_depth(raw.get("include")), where_depth(raw.get("where"))


def _hidden_keys(body: Any) -> set[str]:
    if isinstance(body, dict):
        found = HIDDEN & set(body)
        for value in body.values():
            found |= _hidden_keys(value)
        return found
    if isinstance(body, list):
        return set().union(*(_hidden_keys(v) for v in body)) if body else set()
    return set()


async def check(client: httpx.AsyncClient, path: str, param: str, text: str) -> None:
    """The contract of one request (see the module docstring)."""
    response = await client.get(path, params={param: text})
    shown = f"GET {path}?{param}={text}\n-> {response.status_code} {response.text[:2000]}"
    assert response.status_code < 500, shown
    assert response.status_code in (200, 400), shown
    body = response.json()
    if response.status_code == 400:
        error = body.get("error") if isinstance(body, dict) else None
        assert isinstance(error, dict), shown
        assert error.get("statusCode") == 400, shown
        assert isinstance(error.get("name"), str) and isinstance(error.get("message"), str), shown
        raw = json.loads(text)
        includes, wheres = _filter_depths(raw if param == "filter" else {"where": raw})
        message = error["message"].lower()
        if includes > MAX_INCLUDE_DEPTH:
            assert "include" in message, shown
        elif wheres > MAX_WHERE_DEPTH:
            assert "where" in message or "deep" in message, shown
        else:
            pytest.fail(f"a schema-valid filter was refused:\n{shown}")
        return
    assert not _hidden_keys(body), shown


# --- the apps, seeded once per module (every request here is a read) ---


async def _post(client: httpx.AsyncClient, path: str, body: Any) -> Any:
    response = await client.post(path, json=body)
    assert response.status_code == 200, response.text
    return response.json()


async def _seed_library(client: httpx.AsyncClient) -> None:
    ada = await _post(
        client,
        "/Authors",
        {"name": "Ada", "email": "ada@example.com", "born": "1815-12-10T00:00:00.000Z",
         "location": {"lat": 51.5, "lng": -0.12}},
    )  # fmt: skip
    await _post(client, "/Authors", {"name": "Émile", "born": "1840-04-02T00:00:00.000Z"})
    await client.post(
        f"/Authors/{ada['id']}/address", json={"street": "1 Main St", "city": "London"}
    )
    books = [
        {"title": "Notes", "isbn": "1", "published": True, "pages": 120, "keywords": ["math"],
         "details": {"publisher": "Acme", "year": 1843}, "authorId": ada["id"],
         "internalCode": "X1"},
        {"title": "sketches", "published": False, "pages": 3.5, "keywords": [], "details": {}},
        {"title": "Ünïcode", "isbn": None, "keywords": ["sql", "math"]},
    ]  # fmt: skip
    created = [await _post(client, "/Books", b) for b in books]
    tag = await _post(client, "/Tags", {"name": "classic"})
    await client.put(f"/Books/{created[0]['id']}/tags/rel/{tag['id']}")
    patron = await _post(client, "/Patrons", {"name": "Pat", "secret": "s3cret"})
    await _post(client, "/Loans", {"due": "2024-01-01T00:00:00.000Z", "bookId": created[0]["id"],
                                   "patronId": patron["id"]})  # fmt: skip
    await _post(client, "/LibraryCards", {"number": "A-1", "patronId": patron["id"]})


async def _seed_coffee_shop(client: httpx.AsyncClient) -> None:
    shop = await _post(client, "/CoffeeShops", {"name": "Bel Cafe", "city": "Paris"})
    await _post(client, "/CoffeeShops", {"name": "Zoo", "city": "Rome"})
    await _post(
        client,
        f"/CoffeeShops/{shop['id']}/reviews",
        {"date": "2024-01-01T00:00:00.000Z", "rating": 4, "comments": "good"},
    )


@pytest.fixture(scope="module")
def library_app() -> Iterator[LoopBackApp]:
    application = create_library(db_url="sqlite://")
    yield application
    application.db.dispose()


@pytest.fixture(scope="module")
def coffee_app() -> Iterator[LoopBackApp]:
    application = create_coffee_shop(db_url="sqlite://")
    yield application
    application.db.dispose()


@pytest.fixture(scope="module")
async def library(library_app: LoopBackApp) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=library_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test/api") as client:
        await _seed_library(client)
        yield client


@pytest.fixture(scope="module")
async def coffee_shop(coffee_app: LoopBackApp) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=coffee_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test/api") as client:
        await _seed_coffee_shop(client)
        yield client


# --- the fuzz tests: one operation each ---


@FUZZ
@given(text=_strategy("library", "/Books", "filter"))
async def test_book_filter(library: httpx.AsyncClient, text: str) -> None:
    await check(library, "/Books", "filter", text)


@FUZZ
@given(text=_strategy("library", "/Authors", "filter"))
async def test_author_filter(library: httpx.AsyncClient, text: str) -> None:
    await check(library, "/Authors", "filter", text)


@FUZZ
@given(text=_strategy("library", "/Patrons", "filter"))
async def test_patron_filter(library: httpx.AsyncClient, text: str) -> None:
    await check(library, "/Patrons", "filter", text)


@FUZZ
@given(text=_strategy("library", "/Books/count", "where"))
async def test_book_count_where(library: httpx.AsyncClient, text: str) -> None:
    await check(library, "/Books/count", "where", text)


@FUZZ
@given(text=_strategy("coffee_shop", "/CoffeeShops", "filter"))
async def test_coffee_shop_filter(coffee_shop: httpx.AsyncClient, text: str) -> None:
    await check(coffee_shop, "/CoffeeShops", "filter", text)


# --- the helpers the contract leans on ---


@pytest.mark.parametrize(
    ("include", "depth"),
    [
        (None, 0),
        ("a", 1),
        (["a", {"b": "c"}], 2),
        ({"a": {"b": {"c": "d"}}}, 4),
        ({"relation": "a", "scope": {"include": {"relation": "b"}}}, 2),
        ({"relation": "a", "scope": None}, 1),
        ({"a": []}, 1),
    ],
)
def test_include_depth(include: Any, depth: int) -> None:
    assert include_depth(include) == depth


def test_where_depth() -> None:
    assert where_depth({"a": 1}) == 0
    assert where_depth({"or": [{"and": [{"a": 1}]}, {"b": 2}]}) == 2
