"""The measured requests, built once and pre-encoded as raw HTTP/1.1 bytes.

Each scenario is a pool of distinct requests that the load generator cycles through, so the client
spends no time formatting, encoding or serialising JSON while it measures.
"""

from __future__ import annotations

import json
import random
import urllib.parse
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from .dataset import CITIES, Dataset

POOL = 2_000  # distinct requests per scenario; the load generator cycles through them
INCLUDE_PARENTS = 100  # CoffeeShops per include2 answer
INCLUDE_ROWS = 50  # Reviews per include answer


@dataclass(frozen=True)
class Call:
    method: str
    path: str  # below the REST root, with its query string
    body: Any = None


@dataclass(frozen=True)
class Scenario:
    key: str
    title: str
    build: Callable[[random.Random, Dataset], list[Call]]


def _json(value: Any) -> str:
    return urllib.parse.quote(json.dumps(value, separators=(",", ":")), safe="")


def _find_by_id(rng: random.Random, ds: Dataset) -> list[Call]:
    return [Call("GET", f"/CoffeeShops/{rng.randint(1, ds.shops)}") for _ in range(POOL)]


def _find(rng: random.Random, _ds: Dataset) -> list[Call]:
    def one(city: str) -> Call:
        filt = {"where": {"city": city}, "order": "name DESC", "limit": 10}
        return Call("GET", f"/CoffeeShops?filter={_json(filt)}")

    return [one(rng.choice(CITIES)) for _ in range(POOL)]


def _count(rng: random.Random, _ds: Dataset) -> list[Call]:
    return [
        Call("GET", f"/CoffeeShops/count?where={_json({'city': rng.choice(CITIES)})}")
        for _ in range(POOL)
    ]


def _include2(rng: random.Random, _ds: Dataset) -> list[Call]:
    """Two include levels over 100 parents: shops of a city, their reviews, each review's reviewer.
    ~500 shops a city, ~2 reviews a shop: about 200 reviews and the 10 reviewers per answer."""

    def one(city: str) -> Call:
        filt = {
            "where": {"city": city},
            "order": "name DESC",
            "limit": INCLUDE_PARENTS,
            "include": {"relation": "reviews", "scope": {"include": "reviewer"}},
        }
        return Call("GET", f"/CoffeeShops?filter={_json(filt)}")

    return [one(rng.choice(CITIES)) for _ in range(POOL)]


def _include(rng: random.Random, ds: Dataset) -> list[Call]:
    """A belongsTo include over 50 rows: 50 reviews from a random id on (the primary key's index,
    so the database's share stays small), each with its reviewer (one of the 10)."""

    def one(after: int) -> Call:
        filt = {"where": {"id": {"gt": after}}, "order": "id ASC", "limit": INCLUDE_ROWS}
        return Call("GET", f"/Reviews?filter={_json(filt | {'include': 'reviewer'})}")

    return [one(rng.randint(0, max(0, ds.reviews - INCLUDE_ROWS))) for _ in range(POOL)]


def _create(rng: random.Random, _ds: Dataset) -> list[Call]:
    return [
        Call("POST", "/CoffeeShops", {"name": f"Bench Shop {i}", "city": rng.choice(CITIES)})
        for i in range(POOL)
    ]


# create runs last: the rows it adds would otherwise make later read scenarios scan tables of
# different sizes on the two servers (each creates as many rows as its own throughput allows)
SCENARIOS: tuple[Scenario, ...] = (
    Scenario("findById", "GET /CoffeeShops/{id}", _find_by_id),
    Scenario("find", 'GET /CoffeeShops?filter={where:{city},order:"name DESC",limit:10}', _find),
    Scenario("count", "GET /CoffeeShops/count?where={city}", _count),
    Scenario(
        "include2",
        'GET /CoffeeShops?filter={where:{city},order:"name DESC",limit:100,'
        'include:{relation:"reviews",scope:{include:"reviewer"}}}',
        _include2,
    ),
    Scenario(
        "include",
        'GET /Reviews?filter={where:{id:{gt}},order:"id ASC",limit:50,include:"reviewer"}',
        _include,
    ),
    Scenario("create", "POST /CoffeeShops", _create),
)


def calls(scenario: Scenario, dataset: Dataset) -> list[Call]:
    """The same pool for every server in a run: seeded by the data set seed and the scenario."""
    return scenario.build(random.Random(f"{dataset.seed}:{scenario.key}"), dataset)


def encode(
    call: Call, host: str, port: int, root: str = "/api", headers: dict[str, str] | None = None
) -> bytes:
    head = f"{call.method} {root}{call.path} HTTP/1.1\r\nHost: {host}:{port}\r\nAccept: application/json\r\n"
    head += "".join(f"{name}: {value}\r\n" for name, value in (headers or {}).items())
    if call.body is None:
        return f"{head}\r\n".encode()
    body = json.dumps(call.body, separators=(",", ":")).encode()
    head += f"Content-Type: application/json\r\nContent-Length: {len(body)}\r\n\r\n"
    return head.encode() + body
