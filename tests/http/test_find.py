"""GET /CoffeeShops (find) and GET /CoffeeShops/count against LB3 3.28's observed answers.

Every case runs on the four seeded shops (ids 1..4: Bel Cafe/Paris, Three Bees/Rome, Zoo Coffee/Paris,
Angel/London). Expected rows are written as ids; the rows themselves are the seeded ones.
"""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from runtime.app import LoopBackApp
from runtime.filter.parse import MAX_WHERE_DEPTH

from .conftest import SHOPS
from .support import error, lb3_error, ok


def rows(*ids: int) -> list[dict[str, Any]]:
    return [SHOPS[i - 1] for i in ids]


async def find(client: httpx.AsyncClient, flt: Any) -> httpx.Response:
    return await client.get("/CoffeeShops", params={"filter": json.dumps(flt)})


ALL = (1, 2, 3, 4)

WHERE = [
    ("equality", {"city": "Paris"}, (1, 3)),
    ("equality-two-props", {"city": "Paris", "name": "Zoo Coffee"}, (3,)),
    ("eq-operator", {"city": {"eq": "Rome"}}, (2,)),
    ("empty-where", {}, ALL),
    ("null-matches-nothing-when-all-set", {"city": None}, ()),
    ("neq-null-matches-all-set", {"city": {"neq": None}}, ALL),
    ("neq", {"city": {"neq": "Paris"}}, (2, 4)),
    ("ordering-with-null-matches-nothing", {"id": {"lte": None}}, ()),
    ("gt-string", {"name": {"gt": "M"}}, (2, 3)),
    ("gte", {"id": {"gte": 3}}, (3, 4)),
    ("lt", {"id": {"lt": 2}}, (1,)),
    ("lte", {"id": {"lte": 2}}, (1, 2)),
    ("gte-and-lt-on-one-property", {"id": {"gte": 2, "lt": 4}}, (2, 3)),
    ("inq", {"id": {"inq": [1, 3]}}, (1, 3)),
    ("inq-empty", {"id": {"inq": []}}, ()),
    ("nin", {"id": {"nin": [1, 3]}}, (2, 4)),
    ("between", {"id": {"between": [2, 3]}}, (2, 3)),
    ("between-strings", {"name": {"between": ["B", "U"]}}, (1, 2)),
    ("or", {"or": [{"city": "Paris"}, {"city": "Rome"}]}, (1, 2, 3)),
    ("and", {"and": [{"city": "Paris"}, {"name": "Bel Cafe"}]}, (1,)),
    ("empty-or-matches-nothing", {"or": []}, ()),
    ("empty-and-matches-all", {"and": []}, ALL),
    ("or-with-an-empty-alternative-matches-all", {"or": [{"city": "Rome"}, {}]}, ALL),
    ("id-past-2^53-is-a-valid-bigint", {"id": 2**60}, ()),
    ("id-int64-min", {"id": {"gt": -(2**63)}}, ALL),
    (
        "nested-and-or",
        {"and": [{"or": [{"city": "Paris"}, {"city": "London"}]}, {"id": {"gt": 1}}]},
        (3, 4),
    ),
    ("or-beside-a-property", {"city": "Paris", "or": [{"id": 1}, {"id": 2}]}, (1,)),
    ("numeric-string-id-is-coerced", {"id": "2"}, (2,)),
]


@pytest.mark.parametrize(("where", "ids"), [c[1:] for c in WHERE], ids=[c[0] for c in WHERE])
async def test_find_where(seeded: httpx.AsyncClient, where: Any, ids: tuple[int, ...]) -> None:
    assert ok(await find(seeded, {"where": where})) == rows(*ids)


ORDER = [
    ("string-desc", "name DESC", (3, 2, 1, 4)),
    ("string-no-direction-is-asc", "name", (4, 1, 2, 3)),
    ("lowercase-direction", "name desc", (3, 2, 1, 4)),
    ("comma-list", "city ASC, name DESC", (4, 3, 1, 2)),
    ("array", ["city ASC", "name DESC"], (4, 3, 1, 2)),
    ("ties-broken-by-id", "city", (4, 1, 3, 2)),
    ("ties-broken-by-id-when-desc", "city DESC", (2, 1, 3, 4)),
    ("id-desc", "id DESC", (4, 3, 2, 1)),
    ("empty-string-is-no-order", "", ALL),
]


@pytest.mark.parametrize(("order", "ids"), [c[1:] for c in ORDER], ids=[c[0] for c in ORDER])
async def test_find_order(seeded: httpx.AsyncClient, order: Any, ids: tuple[int, ...]) -> None:
    assert ok(await find(seeded, {"order": order})) == rows(*ids)


PAGING = [
    ("limit", {"limit": 1}, (1,)),
    ("limit-as-string", {"limit": "2"}, (1, 2)),
    ("limit-zero-is-no-limit", {"limit": 0}, ALL),
    ("limit-beyond-rows", {"limit": 100}, ALL),
    ("skip", {"skip": 1}, (2, 3, 4)),
    ("offset-is-skip", {"offset": 1}, (2, 3, 4)),
    ("skip-past-the-end", {"skip": 10}, ()),
    ("skip-and-limit", {"skip": 1, "limit": 2}, (2, 3)),
    ("ordered-page", {"order": "city", "skip": 1, "limit": 2}, (1, 3)),
    ("ordered-desc-page", {"order": "name DESC", "limit": 2}, (3, 2)),
    ("where-and-page", {"where": {"city": "Paris"}, "skip": 1}, (3,)),
    ("largest-skip", {"skip": 2**53 - 1, "limit": 0}, ()),  # past a 32-bit bind on every backend
    ("largest-skip-and-limit", {"skip": 2**53 - 1, "limit": 1000}, ()),
]


@pytest.mark.parametrize(("flt", "ids"), [c[1:] for c in PAGING], ids=[c[0] for c in PAGING])
async def test_find_limit_skip_offset(
    seeded: httpx.AsyncClient, flt: Any, ids: tuple[int, ...]
) -> None:
    assert ok(await find(seeded, flt)) == rows(*ids)


NAMES = [{"name": s["name"]} for s in SHOPS]

FIELDS = [
    ("array", ["name"], NAMES),
    ("single-string", "name", NAMES),
    ("object-true-includes-only", {"name": True}, NAMES),
    ("object-false-excludes", {"name": False}, [{"city": s["city"], "id": s["id"]} for s in SHOPS]),
    ("declaration-order-kept", ["id", "name"], [{"name": s["name"], "id": s["id"]} for s in SHOPS]),
    ("id-only", ["id"], [{"id": s["id"]} for s in SHOPS]),
    ("empty-array-is-every-field", [], SHOPS),
    ("empty-object-is-every-field", {}, SHOPS),
    ("all-excluded-gives-empty-objects", {"name": False, "city": False, "id": False}, [{}] * 4),
]


@pytest.mark.parametrize(
    ("fields", "expected"), [c[1:] for c in FIELDS], ids=[c[0] for c in FIELDS]
)
async def test_find_fields(seeded: httpx.AsyncClient, fields: Any, expected: Any) -> None:
    assert ok(await find(seeded, {"fields": fields})) == expected


async def test_fields_with_where_and_order(seeded: httpx.AsyncClient) -> None:
    flt = {"fields": ["name"], "where": {"city": "Paris"}, "order": "name DESC"}
    assert ok(await find(seeded, flt)) == [{"name": "Zoo Coffee"}, {"name": "Bel Cafe"}]


BRACKETS = [
    ("where", "filter[where][city]=Paris", rows(1, 3)),
    ("or", "filter[where][or][0][city]=Paris&filter[where][or][1][city]=Rome", rows(1, 2, 3)),
    ("limit", "filter[limit]=1", rows(1)),
    ("id-text-is-coerced", "filter[where][id]=1", rows(1)),
    ("operator", "filter[where][id][gt]=2", rows(3, 4)),
    ("inq-indexed", "filter[where][id][inq][0]=1&filter[where][id][inq][1]=3", rows(1, 3)),
    ("inq-appended", "filter[where][id][inq][]=2&filter[where][id][inq][]=4", rows(2, 4)),
    ("between", "filter[where][id][between][0]=2&filter[where][id][between][1]=3", rows(2, 3)),
    ("order-skip-limit", "filter[order]=name%20DESC&filter[skip]=1&filter[limit]=2", rows(2, 1)),
    ("order-array", "filter[order][0]=city%20DESC&filter[order][1]=name", rows(2, 1, 3, 4)),
    ("fields-object", "filter[fields][name]=true", NAMES),
    (
        "fields-false",
        "filter[fields][name]=false&filter[fields][id]=false",
        [{"city": s["city"]} for s in SHOPS],
    ),
    ("fields-array", "filter[fields][0]=name", NAMES),
    ("spaces-encoded", "filter[where][name]=Bel%20Cafe", rows(1)),
    ("empty-json-filter-is-no-filter", "filter=", SHOPS),
    ("top-level-where-is-not-a-find-parameter", "where=%7B%22city%22%3A%22Paris%22%7D", SHOPS),
]


@pytest.mark.parametrize(
    ("query", "expected"), [c[1:] for c in BRACKETS], ids=[c[0] for c in BRACKETS]
)
async def test_find_bracket_form(seeded: httpx.AsyncClient, query: str, expected: Any) -> None:
    assert ok(await seeded.get(f"/CoffeeShops?{query}")) == expected


async def test_find_no_filter_returns_all_in_id_order(seeded: httpx.AsyncClient) -> None:
    assert ok(await seeded.get("/CoffeeShops")) == SHOPS


async def test_find_on_empty_table(client: httpx.AsyncClient) -> None:
    assert ok(await client.get("/CoffeeShops")) == []


async def test_json_form_wins_over_bracket_form(seeded: httpx.AsyncClient) -> None:
    query = "filter=%7B%22limit%22%3A1%7D&filter[limit]=3"
    assert ok(await seeded.get(f"/CoffeeShops?{query}")) == rows(1)


NOT_AN_OBJECT = "The filter parameter must be a JSON object. Value is not an object."
MALFORMED = [
    ("notjson", "notjson", "The filter parameter is not valid JSON: 'notjson'"),
    ("array", "[]", NOT_AN_OBJECT),
    ("number", "5", NOT_AN_OBJECT),
    ("string", '"str"', NOT_AN_OBJECT),
    ("null", "null", NOT_AN_OBJECT),
]


@pytest.mark.parametrize(
    ("raw", "message"), [c[1:] for c in MALFORMED], ids=[c[0] for c in MALFORMED]
)
async def test_filter_not_a_json_object(seeded: httpx.AsyncClient, raw: str, message: str) -> None:
    response = await seeded.get("/CoffeeShops", params={"filter": raw})
    assert error(response, 400)
    assert response.json() == lb3_error(400, message)


def invalid(message: str) -> dict[str, Any]:
    return lb3_error(400, message, code="INVALID_FILTER")


INVALID = [
    # LB3's own messages (it sends no code)
    ("limit-text", {"limit": "abc"}, 'The limit parameter "abc" is not valid'),
    ("limit-negative", {"limit": -1}, "The limit parameter -1 is not valid"),
    ("limit-fraction", {"limit": 1.5}, "The limit parameter 1.5 is not valid"),
    ("limit-boolean", {"limit": True}, "The limit parameter true is not valid"),
    ("limit-past-2^53", {"limit": 2**53}, "The limit parameter 9007199254740992 is not valid"),
    ("skip-text", {"skip": "abc"}, 'The offset/skip parameter "abc" is not valid'),
    ("offset-negative", {"offset": -5}, "The offset/skip parameter -5 is not valid"),
    ("skip-past-2^63", {"skip": 2**64 - 1}, f"The offset/skip parameter {2**64 - 1} is not valid"),
    ("order-direction", {"order": "name SIDEWAYS"}, 'The order "name SIDEWAYS" has invalid direction'),
    (
        "inq-not-array",
        {"where": {"name": {"inq": "notarray"}}},
        'The name property has invalid clause {"inq":"notarray"}: Value is not an array',
    ),
    # where LB3 answers [] or ignores the input, we say what is wrong
    ("where-unknown-property", {"where": {"nosuchprop": "x"}}, 'Unknown property "nosuchprop" of model CoffeeShop'),
    ("where-unknown-operator", {"where": {"name": {"badop": 1}}}, 'Unknown operator "badop" on property name'),
    ("order-unknown-property", {"order": "nosuch ASC"}, 'Unknown property "nosuch" of model CoffeeShop'),
    ("fields-unknown-property", {"fields": ["nosuch"]}, 'Unknown property "nosuch" in fields of model CoffeeShop'),
    ("fields-object-unknown", {"fields": {"nosuch": True}}, 'Unknown property "nosuch" in fields of model CoffeeShop'),
    ("where-id-not-a-number", {"where": {"id": "abc"}}, 'The id property has an invalid value "abc": is not a valid id'),
    ("where-number-for-string", {"where": {"name": 5}}, "The name property has an invalid value 5: is not a string"),
    ("where-id-below-int64", {"where": {"id": -1e19}}, "The id property has an invalid value -1e+19: is not a valid id"),
    ("where-boolean-for-string", {"where": {"name": True}}, "The name property has an invalid value true: is not a string"),
    ("where-not-object", {"where": 5}, "The where clause must be an object. Value is not an object."),
    ("or-not-array", {"where": {"or": {"city": "Paris"}}}, 'The "or" operator takes an array of where objects'),
    ("and-items-not-objects", {"where": {"and": [1]}}, 'The "and" operator takes an array of where objects'),
    ("between-one-value", {"where": {"id": {"between": [1]}}}, "The id property: between takes exactly two values"),
    ("list-without-inq", {"where": {"id": [1, 2]}}, "The id property has an invalid value: use inq for a list"),
    ("empty-condition", {"where": {"id": {}}}, "The id property has an empty condition"),
    ("order-not-string", {"order": 5}, "order must be a string or an array of strings"),
    ("fields-not-list-or-object", {"fields": 5}, "fields must be an array of property names or an object"),
    ("unknown-filter-key", {"foo": 1}, 'Unknown filter key "foo" (known: where, fields, order, limit, skip, offset, include)'),
    ("include-unknown-relation", {"include": "nope"}, 'Relation "nope" is not defined for CoffeeShop model'),
    # operators on the wrong kind of property
    ("like-number", {"where": {"name": {"like": 5}}}, 'The name property has invalid clause {"like":5}: Expected a string'),
    ("regexp-flags", {"where": {"name": {"regexp": "/^z/q"}}}, "Invalid regex flags: q"),
    ("near-not-geopoint", {"where": {"name": {"near": "1,2"}}}, "The name property: near applies to geopoint properties only"),
]  # fmt: skip


@pytest.mark.parametrize(("flt", "message"), [c[1:] for c in INVALID], ids=[c[0] for c in INVALID])
async def test_invalid_filter(seeded: httpx.AsyncClient, flt: Any, message: str) -> None:
    response = await find(seeded, flt)
    assert error(response, 400)
    assert response.json() == invalid(message)


async def test_where_nested_too_deep(seeded: httpx.AsyncClient) -> None:
    where: dict[str, Any] = {"id": 1}
    for _ in range(MAX_WHERE_DEPTH + 2):
        where = {"and": [where]}
    response = await find(seeded, {"where": where})
    assert error(response, 400)["message"] == (
        f"The where clause is nested more than {MAX_WHERE_DEPTH} levels deep "
        "(the limit is maxWhereDepth in config.json's filterLimits)"
    )


async def test_inq_too_long(seeded: httpx.AsyncClient) -> None:
    response = await find(seeded, {"where": {"id": {"inq": list(range(1, 1002))}}})
    assert response.json() == invalid(
        "The id property: inq takes at most 1000 values "
        "(the limit is maxInqSize in config.json's filterLimits)"
    )


async def test_bracket_form_errors(seeded: httpx.AsyncClient) -> None:
    limit = await seeded.get("/CoffeeShops?filter[limit]=abc")
    assert limit.json() == invalid('The limit parameter "abc" is not valid')
    unknown = await seeded.get("/CoffeeShops?filter[where][nosuch]=1")
    assert unknown.json() == invalid('Unknown property "nosuch" of model CoffeeShop')
    huge = await seeded.get("/CoffeeShops?filter[skip]=99999999999999999999999")
    assert error(huge, 400)["code"] == "INVALID_FILTER"
    clash = await seeded.get("/CoffeeShops?filter[where][city]=Paris&filter[where][city][neq]=x")
    assert clash.json() == lb3_error(
        400, "Parameter filter[where][city][neq] conflicts with another value"
    )


COUNTS = [
    ("all", "", 4),
    ("where-json", "where=%7B%22city%22%3A%22Paris%22%7D", 2),
    ("where-bracket", "where[city]=Paris", 2),
    ("where-bracket-or", "where[or][0][city]=Rome&where[or][1][city]=London", 2),
    ("where-operator", "where=%7B%22id%22%3A%7B%22gt%22%3A2%7D%7D", 2),
    ("where-matches-none", "where=%7B%22city%22%3A%22Nowhere%22%7D", 0),
    ("empty-where", "where=", 4),
    ("filter-is-not-a-count-parameter", "filter=%7B%22where%22%3A%7B%22city%22%3A%22Paris%22%7D%7D", 4),
]  # fmt: skip


@pytest.mark.parametrize(("query", "count"), [c[1:] for c in COUNTS], ids=[c[0] for c in COUNTS])
async def test_count(seeded: httpx.AsyncClient, query: str, count: int) -> None:
    assert ok(await seeded.get(f"/CoffeeShops/count?{query}")) == {"count": count}


COUNT_ERRORS = [
    ("notjson", "where=notjson", lb3_error(400, "The where parameter is not valid JSON: 'notjson'")),
    ("array", "where=%5B%5D", lb3_error(400, "The where parameter must be a JSON object. Value is not an object.")),
    ("unknown-property", "where[nosuch]=1", invalid('Unknown property "nosuch" of model CoffeeShop')),
    ("inq-not-array", "where=%7B%22name%22%3A%7B%22inq%22%3A%22notarray%22%7D%7D", invalid(
        'The name property has invalid clause {"inq":"notarray"}: Value is not an array'
    )),
]  # fmt: skip


@pytest.mark.parametrize(
    ("query", "expected"), [c[1:] for c in COUNT_ERRORS], ids=[c[0] for c in COUNT_ERRORS]
)
async def test_count_errors(seeded: httpx.AsyncClient, query: str, expected: Any) -> None:
    response = await seeded.get(f"/CoffeeShops/count?{query}")
    assert error(response, 400)
    assert response.json() == expected


async def test_inq_lists_of_every_length_share_one_statement(
    app: LoopBackApp, seeded: httpx.AsyncClient
) -> None:
    """An `inq` list of any length (find, count) answers its rows; on PostgreSQL the list is one
    array parameter (`= ANY($1)`), so one compiled statement serves every length and the read stays
    on the driver's prepared statements (runtime/db/direct.py)."""
    direct = getattr(app.db, "_direct", None)  # PostgreSQL's direct path
    shapes: list[int] = []
    for ids in ([2], [1, 3], [4, 2, 1], []):
        where = {"id": {"inq": ids}}
        assert ok(await find(seeded, {"where": where})) == rows(*sorted(ids))
        response = await seeded.get("/CoffeeShops/count", params={"where": json.dumps(where)})
        assert ok(response) == {"count": len(ids)}
        if direct is not None:
            shapes.append(len(direct._shapes))
    assert len(set(shapes)) <= 1  # no new statement for a new length
    one = await seeded.get(
        "/CoffeeShops/findOne", params={"filter": '{"where":{"id":{"inq":[3,4]}}}'}
    )
    assert ok(one) == SHOPS[2]
