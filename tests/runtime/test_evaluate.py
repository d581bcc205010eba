"""runtime.filter.evaluate: parsed filters applied to plain dicts (embedsMany items). Pure."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from runtime.filter.ast import And, Condition, Filter, InSelect, Or, OrderBy, Where
from runtime.filter.evaluate import apply, count, matches, sort
from runtime.filter.parse import FilterParser
from runtime.registry import ModelMeta, PropertyMeta


def model() -> ModelMeta:
    props = [
        PropertyMeta("text", "string"),
        PropertyMeta("rank", "number"),
        PropertyMeta("done", "boolean"),
        PropertyMeta("due", "date"),
        PropertyMeta("id", "number", id=1, generated=True),
        PropertyMeta("tags", "array", item_type="string"),
        PropertyMeta("info", "object"),
        PropertyMeta("spot", "geopoint"),
    ]
    return ModelMeta(name="Note", properties={p.name: p for p in props})


PARSER = FilterParser(model())
DATES = ("due",)
ITEMS: list[dict[str, Any]] = [
    {
        "text": "b",
        "rank": 2,
        "done": True,
        "due": "2024-03-01T00:00:00.000Z",
        "id": 1,
        "tags": ["x", "y"],
        "info": {"by": "Ann", "n": 1},
        "spot": {"lat": 48.85, "lng": 2.35},
    },
    {
        "text": "a",
        "rank": 10,
        "done": False,
        "due": "2024-01-15T12:00:00.000Z",
        "id": 2,
        "tags": [],
        "info": {"by": "bob", "n": "1"},
        "spot": {"lat": 51.5, "lng": -0.12},
    },
    {
        "text": "c",
        "rank": None,
        "done": None,
        "due": None,
        "id": 3,
        "tags": None,
        "info": None,
        "spot": None,
    },
    {"text": "B", "id": 4},  # rank, done, due missing altogether
    {"text": "a", "rank": 2.5, "done": False, "due": "2023-12-31T23:59:59.999Z", "id": 5},
]


def ids(items: list[dict[str, Any]]) -> list[int]:
    return [item["id"] for item in items]


WHERE: list[tuple[str, dict[str, Any], list[int]]] = [
    ("everything", {}, [1, 2, 3, 4, 5]),
    ("eq-string", {"text": "a"}, [2, 5]),
    ("eq-is-case-sensitive", {"text": "b"}, [1]),
    ("eq-number", {"rank": 2}, [1]),
    ("eq-float", {"rank": 2.5}, [5]),
    ("eq-number-from-text", {"rank": "10"}, [2]),
    ("eq-boolean", {"done": True}, [1]),
    ("eq-false-is-not-null", {"done": False}, [2, 5]),
    ("eq-null-matches-null-and-missing", {"rank": None}, [3, 4]),
    ("neq-null", {"rank": {"neq": None}}, [1, 2, 5]),
    ("neq-matches-null-and-missing", {"rank": {"neq": 2}}, [2, 3, 4, 5]),
    ("gt", {"rank": {"gt": 2}}, [2, 5]),
    ("gte", {"rank": {"gte": 2.5}}, [2, 5]),
    ("lt-skips-nulls", {"rank": {"lt": 100}}, [1, 2, 5]),
    ("lte", {"rank": {"lte": 2}}, [1]),
    ("string-order-is-code-point", {"text": {"lt": "a"}}, [4]),
    ("gt-string", {"text": {"gt": "a"}}, [1, 3]),
    ("gt-null-matches-nothing", {"rank": {"gt": None}}, []),
    ("inq", {"id": {"inq": [1, 3, 99]}}, [1, 3]),
    ("inq-ignores-null-values", {"rank": {"inq": [2, 10]}}, [1, 2]),
    ("nin-matches-null", {"rank": {"nin": [2, 10]}}, [3, 4, 5]),
    ("between-inclusive", {"rank": {"between": [2, 2.5]}}, [1, 5]),
    ("between-strings", {"text": {"between": ["a", "b"]}}, [1, 2, 5]),
    ("date-eq", {"due": "2024-01-15T12:00:00Z"}, [2]),
    ("date-eq-with-offset", {"due": "2024-01-15T13:00:00+01:00"}, [2]),
    ("date-gt", {"due": {"gt": "2024-01-01"}}, [1, 2]),
    ("date-lt-skips-nulls", {"due": {"lt": "2030-01-01"}}, [1, 2, 5]),
    ("date-between", {"due": {"between": ["2023-12-31", "2024-02-01"]}}, [2, 5]),
    ("and-of-properties", {"text": "a", "rank": {"gt": 3}}, [2]),
    ("two-operators", {"rank": {"gt": 2, "lt": 10}}, [5]),
    ("or", {"or": [{"id": 1}, {"text": "B"}]}, [1, 4]),
    ("nested", {"and": [{"or": [{"text": "a"}, {"text": "b"}]}, {"done": False}]}, [2, 5]),
    ("empty-or-matches-nothing", {"or": []}, []),
    # the rest of the language, as the SQL builder gives it
    ("like-case-sensitive", {"text": {"like": "b%"}}, [1]),
    ("ilike", {"text": {"ilike": "b"}}, [1, 4]),
    ("nlike-skips-missing", {"text": {"nlike": "a"}}, [1, 3, 4]),
    ("nilike", {"text": {"nilike": "B"}}, [2, 3, 5]),
    ("like-escape", {"text": {"like": "\\%"}}, []),
    ("regexp", {"text": {"regexp": "^[ab]$"}}, [1, 2, 5]),
    ("regexp-i", {"text": {"regexp": "/^b/i"}}, [1, 4]),
    ("exists", {"rank": {"exists": True}}, [1, 2, 5]),
    ("exists-false", {"rank": {"exists": False}}, [3, 4]),
    ("array-contains", {"tags": "x"}, [1]),
    ("array-inq", {"tags": {"inq": ["y", "z"]}}, [1]),
    ("array-nin", {"tags": {"nin": ["x"]}}, [2, 3, 4, 5]),
    ("path", {"info.by": "Ann"}, [1]),
    ("path-kind", {"info.n": 1}, [1]),
    ("path-ilike", {"info.by": {"ilike": "b%"}}, [2]),
    ("path-null", {"info.by": None}, [3, 4, 5]),
    ("near", {"spot": {"near": [51.5, -0.1]}}, [1, 2]),
    ("near-max", {"spot": {"near": [51.5, -0.1], "maxDistance": 10, "unit": "kilometers"}}, [2]),
]


@pytest.mark.parametrize(("raw", "expected"), [w[1:] for w in WHERE], ids=[w[0] for w in WHERE])
def test_where(raw: dict[str, Any], expected: list[int]) -> None:
    where = PARSER.parse_where(raw)
    assert ids([i for i in ITEMS if matches(where, i, dates=DATES)]) == expected
    assert count(where, ITEMS, dates=DATES) == len(expected)


MISMATCHES: list[tuple[str, Where, dict[str, Any], bool]] = [
    ("number-is-not-string", Condition("text", "eq", 5), {"text": "5"}, False),
    ("string-is-not-number", Condition("rank", "eq", "5"), {"rank": 5}, False),
    ("true-is-not-1", Condition("rank", "eq", 1), {"rank": True}, False),
    ("1-is-not-true", Condition("done", "eq", True), {"done": 1}, False),
    ("int-equals-float", Condition("rank", "eq", 2), {"rank": 2.0}, True),
    ("neq-of-another-kind", Condition("rank", "neq", 5), {"rank": "5"}, True),
    ("gt-of-another-kind", Condition("rank", "gt", 1), {"rank": "5"}, False),
    ("bad-date-text", Condition("due", "eq", datetime(2024, 1, 1)), {"due": "soon"}, False),
    (
        "date-without-dates-hint",
        Condition("due", "eq", datetime(2024, 1, 1)),
        {"due": "2024-01-01T00:00:00.000Z"},
        True,
    ),
    ("object-equality", Condition("meta", "eq", {"a": 1}), {"meta": {"a": 1}}, True),
    ("object-has-no-order", Condition("meta", "gt", {"a": 1}), {"meta": {"a": 2}}, False),
    ("and-empty", And(()), {}, True),
    ("or-empty", Or(()), {}, False),
]


@pytest.mark.parametrize(
    ("where", "item", "expected"), [m[1:] for m in MISMATCHES], ids=[m[0] for m in MISMATCHES]
)
def test_values_compare_only_with_their_own_kind(
    where: Where, item: dict[str, Any], expected: bool
) -> None:
    assert matches(where, item) is expected


def test_near_orders_by_distance() -> None:
    flt = PARSER.parse({"where": {"spot": {"near": "51.5,-0.1"}}, "order": "id DESC"})
    assert ids(apply(flt, ITEMS)) == [2, 1]
    assert ids(apply(PARSER.parse({"order": "info.by DESC"}), ITEMS)) == [3, 4, 5, 2, 1]


def test_unknown_operator_and_sub_select_are_refused() -> None:
    with pytest.raises(ValueError, match='"match" operator'):
        matches(Condition("text", "match", "a"), {"text": "a"})
    with pytest.raises(TypeError, match="InSelect"):
        matches(InSelect("id", object(), "id", None), {"id": 1})


ORDERS: list[tuple[str, Any, list[int]]] = [
    ("none-keeps-given-order", None, [1, 2, 3, 4, 5]),
    ("string-asc-code-point", "text ASC", [4, 2, 5, 1, 3]),
    ("string-desc", "text DESC", [3, 1, 2, 5, 4]),  # equal texts keep their given order
    ("number-asc-nulls-last", "rank", [1, 5, 2, 3, 4]),
    ("number-desc-nulls-first", "rank DESC", [3, 4, 2, 5, 1]),
    ("boolean", "done ASC", [2, 5, 1, 3, 4]),
    ("date-asc", "due ASC", [5, 2, 1, 3, 4]),
    ("date-desc", "due DESC", [3, 4, 1, 2, 5]),
    ("two-keys", ["text ASC", "rank DESC"], [4, 2, 5, 1, 3]),
    ("two-keys-other-way", "text ASC,rank ASC", [4, 5, 2, 1, 3]),
    ("id-desc", "id DESC", [5, 4, 3, 2, 1]),
]


@pytest.mark.parametrize(("raw", "expected"), [o[1:] for o in ORDERS], ids=[o[0] for o in ORDERS])
def test_order(raw: Any, expected: list[int]) -> None:
    flt = PARSER.parse({"order": raw} if raw is not None else {})
    assert ids(apply(flt, ITEMS, dates=DATES)) == expected


def test_dates_are_ordered_as_datetimes_not_text() -> None:
    items = [{"id": 1, "due": "2024-01-01T10:00:00.000+05:00"}, {"id": 2, "due": "2024-01-01T06:00:00Z"}]  # fmt: skip
    by_text = sort(items, (OrderBy("due"),))
    by_date = sort(items, (OrderBy("due"),), dates=("due",))
    assert (ids(by_text), ids(by_date)) == ([2, 1], [1, 2])


def test_mixed_kinds_sort_without_raising() -> None:
    items: list[dict[str, Any]] = [
        {"id": 1, "v": "x"},
        {"id": 2, "v": 3},
        {"id": 3, "v": {"a": 1}},
        {"id": 4, "v": True},
    ]
    assert ids(sort(items, (OrderBy("v"),))) == [4, 2, 1, 3]


PAGES: list[tuple[str, dict[str, Any], list[int]]] = [
    ("limit", {"limit": 2}, [1, 2]),
    ("limit-zero-is-no-limit", {"limit": 0}, [1, 2, 3, 4, 5]),
    ("skip", {"skip": 3}, [4, 5]),
    ("offset", {"offset": 1, "limit": 2}, [2, 3]),
    ("skip-past-the-end", {"skip": 9}, []),
    ("order-then-page", {"order": "rank DESC", "skip": 1, "limit": 2}, [4, 2]),
    (
        "where-then-order-then-page",
        {"where": {"done": {"neq": True}}, "order": "id DESC", "limit": 2},
        [5, 4],
    ),
]


@pytest.mark.parametrize(("raw", "expected"), [p[1:] for p in PAGES], ids=[p[0] for p in PAGES])
def test_pages(raw: dict[str, Any], expected: list[int]) -> None:
    assert ids(apply(PARSER.parse(raw), ITEMS, dates=DATES)) == expected


def test_fields_project_each_item_in_the_filters_order() -> None:
    page = apply(PARSER.parse({"fields": ["id", "text"], "where": {"id": {"lt": 3}}}), ITEMS)
    assert page == [{"text": "b", "id": 1}, {"text": "a", "id": 2}]
    assert [list(item) for item in page] == [["text", "id"], ["text", "id"]]
    excluded = apply(PARSER.parse({"fields": {"due": False, "done": False}}), ITEMS[3:4])
    assert excluded == [{"text": "B", "id": 4}]  # absent properties are not invented


def test_apply_copies_and_leaves_the_items_alone() -> None:
    items = [{"id": 2}, {"id": 1}]
    out = apply(Filter(order=(OrderBy("id"),)), items)
    out[0]["id"] = 99
    assert items == [{"id": 2}, {"id": 1}]
