"""runtime.filter.querystring: LB3's `filter={json}` and bracket query strings, decoded as `qs` does."""

from __future__ import annotations

from typing import Any

import pytest

from runtime.errors import BadRequest
from runtime.filter.querystring import (
    MAX_BRACKET_DEPTH,
    bracket_param,
    json_param,
    object_param,
    split_query,
)

SPLIT = [
    ("bytes", b"a=1&b=2", [("a", "1"), ("b", "2")]),
    ("text", "a=1", [("a", "1")]),
    ("percent-decoded", b"filter=%7B%22a%22%3A1%7D", [("filter", '{"a":1}')]),
    ("plus-is-space", b"q=a+b", [("q", "a b")]),
    ("blank-kept", b"filter=&x", [("filter", ""), ("x", "")]),
    ("repeated-keys-kept-in-order", b"a=1&a=2", [("a", "1"), ("a", "2")]),
    ("literal-brackets", b"filter[where][city]=Paris", [("filter[where][city]", "Paris")]),
    ("invalid-utf8-replaced", b"q=%ff", [("q", "\ufffd")]),
    ("empty", b"", []),
]


@pytest.mark.parametrize(("raw", "pairs"), [c[1:] for c in SPLIT], ids=[c[0] for c in SPLIT])
def test_split_query(raw: bytes | str, pairs: list[tuple[str, str]]) -> None:
    assert split_query(raw) == pairs


BRACKETS = [
    ("flat", "filter[limit]=1", {"limit": "1"}),
    ("nested", "filter[where][city]=Paris", {"where": {"city": "Paris"}}),
    ("siblings-merge", "filter[where][city]=Paris&filter[limit]=2", {"where": {"city": "Paris"}, "limit": "2"}),
    ("indexes-become-a-list", "filter[where][or][0][city]=A&filter[where][or][1][city]=B", {"where": {"or": [{"city": "A"}, {"city": "B"}]}}),
    ("indexes-out-of-order", "filter[x][1]=b&filter[x][0]=a", {"x": ["a", "b"]}),
    ("sparse-indexes-stay-an-object", "filter[x][5]=a", {"x": {"5": "a"}}),
    ("gap-stays-an-object", "filter[x][0]=a&filter[x][2]=c", {"x": {"0": "a", "2": "c"}}),
    ("empty-brackets-append", "filter[x][]=a&filter[x][]=b", {"x": ["a", "b"]}),
    ("mixed-keys-stay-an-object", "filter[x][0]=a&filter[x][k]=b", {"x": {"0": "a", "k": "b"}}),
    ("other-parameters-ignored", "where[id]=1&filter[limit]=1&x=2", {"limit": "1"}),
    ("values-stay-text", "filter[where][id][inq][0]=1", {"where": {"id": {"inq": ["1"]}}}),
    ("empty-value", "filter[where][name]=", {"where": {"name": ""}}),
    ("repeated-key-collects-a-list", "filter[limit]=1&filter[limit]=2", {"limit": ["1", "2"]}),
    ("repeated-inq-in-order", "filter[where][city][inq]=Graz&filter[where][city][inq]=Salzburg&filter[where][city][inq]=Wien", {"where": {"city": {"inq": ["Graz", "Salzburg", "Wien"]}}}),
    ("repeated-order-and-fields", "filter[order]=a&filter[order]=b%20DESC&filter[fields]=a", {"order": ["a", "b DESC"], "fields": "a"}),
    ("repeated-inside-indexed", "filter[where][or][0][id][inq]=1&filter[where][or][0][id][inq]=2", {"where": {"or": [{"id": {"inq": ["1", "2"]}}]}}),
]  # fmt: skip


@pytest.mark.parametrize(
    ("query", "expected"), [c[1:] for c in BRACKETS], ids=[c[0] for c in BRACKETS]
)
def test_bracket_param(query: str, expected: Any) -> None:
    assert bracket_param(split_query(query), "filter") == expected


@pytest.mark.parametrize(
    "query", ["filter=%7B%7D", "filters[limit]=1", "x[filter][limit]=1", "filter[limit", ""]
)
def test_bracket_param_absent(query: str) -> None:
    assert bracket_param(split_query(query), "filter") is None


def test_bracket_value_conflicting_with_a_nested_one() -> None:
    pairs = split_query("filter[where]=x&filter[where][city]=Paris")
    with pytest.raises(BadRequest) as exc:
        bracket_param(pairs, "filter")
    assert exc.value.message == "Parameter filter[where][city] conflicts with another value"


def test_repeated_key_conflicting_with_a_nested_one() -> None:
    pairs = split_query("filter[where][city][x]=a&filter[where][city]=b")
    with pytest.raises(BadRequest) as exc:
        bracket_param(pairs, "filter")
    assert exc.value.message == "Parameter filter[where][city] conflicts with another value"


def test_bracket_depth_limit() -> None:
    ok = "filter" + "[a]" * (MAX_BRACKET_DEPTH - 1) + "=1"
    assert bracket_param(split_query(ok), "filter") is not None
    deep = "filter" + "[a]" * MAX_BRACKET_DEPTH + "=1"
    with pytest.raises(BadRequest) as exc:
        bracket_param(split_query(deep), "filter")
    assert (
        exc.value.message == f"Parameter filter is nested more than {MAX_BRACKET_DEPTH} levels deep"
    )


JSON_PARAMS = [
    ("object", "filter=%7B%22limit%22%3A1%7D", (True, {"limit": 1})),
    ("array", "filter=%5B%5D", (True, [])),
    ("number", "filter=5", (True, 5)),
    ("null", "filter=null", (True, None)),
    ("empty-is-absent", "filter=", (False, None)),
    ("blank-is-absent", "filter=%20%20", (False, None)),
    ("absent", "where=%7B%7D", (False, None)),
    ("first-wins", "filter=1&filter=2", (True, 1)),
]


@pytest.mark.parametrize(
    ("query", "expected"), [c[1:] for c in JSON_PARAMS], ids=[c[0] for c in JSON_PARAMS]
)
def test_json_param(query: str, expected: tuple[bool, Any]) -> None:
    assert json_param(split_query(query), "filter") == expected


def test_json_param_not_json() -> None:
    with pytest.raises(BadRequest) as exc:
        json_param(split_query("filter=notjson"), "filter")
    assert exc.value.message == "The filter parameter is not valid JSON: 'notjson'"
    assert exc.value.status == 400


OBJECTS = [
    ("json", "where=%7B%22city%22%3A%22Paris%22%7D", {"city": "Paris"}),
    ("brackets", "where[city]=Paris", {"city": "Paris"}),
    ("json-wins-over-brackets", "where[city]=Rome&where=%7B%22city%22%3A%22Paris%22%7D", {"city": "Paris"}),
    ("empty-json-falls-back-to-brackets", "where=&where[city]=Rome", {"city": "Rome"}),
    ("absent", "filter[limit]=1", None),
    ("empty", "where=", None),
]  # fmt: skip


@pytest.mark.parametrize(
    ("query", "expected"), [c[1:] for c in OBJECTS], ids=[c[0] for c in OBJECTS]
)
def test_object_param(query: str, expected: Any) -> None:
    assert object_param(split_query(query), "where") == expected


@pytest.mark.parametrize("raw", ["%5B%5D", "5", "%22str%22", "null", "true"])
def test_object_param_must_be_an_object(raw: str) -> None:
    with pytest.raises(BadRequest) as exc:
        object_param(split_query(f"where={raw}"), "where")
    assert exc.value.message == "The where parameter must be a JSON object. Value is not an object."


def test_object_param_bracket_list_is_not_an_object() -> None:
    with pytest.raises(BadRequest) as exc:
        object_param(split_query("where[0]=a"), "where")
    assert exc.value.message.endswith("Value is not an object.")
