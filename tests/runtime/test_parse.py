"""runtime.filter.parse: raw LB3 filters -> the typed Filter, checked against one model. Pure."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from runtime.errors import InvalidFilter
from runtime.filter.ast import And, Condition, Filter, Or, OrderBy, Where
from runtime.filter.parse import MAX_COUNT, MAX_INQ_SIZE, MAX_WHERE_DEPTH, FilterParser
from runtime.registry import ModelMeta, PropertyMeta


def model() -> ModelMeta:
    props = [
        PropertyMeta("name", "string", required=True),
        PropertyMeta("rating", "number"),
        PropertyMeta("open", "boolean"),
        PropertyMeta("created", "date"),
        PropertyMeta("tags", "array", item_type="string"),
        PropertyMeta("secret", "string", hidden=True),
        PropertyMeta("id", "number", id=1, generated=True),
    ]
    return ModelMeta(
        name="Shop",
        properties={p.name: p for p in props},
        force_id=True,
    )


PARSER = FilterParser(model())
VISIBLE = ("name", "rating", "open", "created", "tags", "id")


def cond(prop: str, op: str, value: Any) -> Condition:
    return Condition(prop, op, value)


WHERE: list[tuple[str, Any, Where | None]] = [
    ("none", None, None),
    ("empty", {}, None),
    ("equality", {"name": "A"}, cond("name", "eq", "A")),
    ("null", {"name": None}, cond("name", "eq", None)),
    ("eq-null-operator", {"name": {"eq": None}}, cond("name", "eq", None)),
    ("neq-null", {"name": {"neq": None}}, cond("name", "neq", None)),
    ("two-properties-and", {"name": "A", "id": 2}, And((cond("name", "eq", "A"), cond("id", "eq", 2)))),
    ("each-comparison", {"rating": {"gt": 1}}, cond("rating", "gt", 1)),
    ("gte", {"rating": {"gte": 1.5}}, cond("rating", "gte", 1.5)),
    ("lt", {"rating": {"lt": 0}}, cond("rating", "lt", 0)),
    ("lte", {"id": {"lte": "7"}}, cond("id", "lte", 7)),
    ("two-operators-and", {"id": {"gt": 1, "lt": 5}}, And((cond("id", "gt", 1), cond("id", "lt", 5)))),
    ("inq", {"id": {"inq": [1, "2"]}}, cond("id", "inq", (1, 2))),
    ("nin", {"name": {"nin": ["a"]}}, cond("name", "nin", ("a",))),
    ("inq-bracket-object", {"id": {"inq": {"1": "5", "0": "4"}}}, cond("id", "inq", (4, 5))),
    ("between", {"rating": {"between": [1, 3]}}, cond("rating", "between", (1, 3))),
    ("or", {"or": [{"id": 1}, {"id": 2}]}, Or((cond("id", "eq", 1), cond("id", "eq", 2)))),
    ("and", {"and": [{"id": 1}, {"name": "A"}]}, And((cond("id", "eq", 1), cond("name", "eq", "A")))),
    ("empty-or-matches-nothing", {"or": []}, Or(())),
    ("empty-and-is-no-condition", {"and": []}, None),
    ("or-with-an-empty-alternative-is-no-condition", {"or": [{"id": 1}, {}]}, None),
    ("or-beside-a-condition", {"name": "A", "or": [{}]}, cond("name", "eq", "A")),
    ("and-drops-empty-items", {"and": [{}, {"id": 1}]}, And((cond("id", "eq", 1),))),
    ("id-past-2^53", {"id": 2**60}, cond("id", "eq", 2**60)),
    ("number-text-coerced", {"rating": "2.5"}, cond("rating", "eq", 2.5)),
    ("exponent-text-coerced", {"rating": "1e3"}, cond("rating", "eq", 1000.0)),
    ("boolean-text-coerced", {"open": "true"}, cond("open", "eq", True)),
    ("boolean", {"open": False}, cond("open", "eq", False)),
    ("date-text", {"created": {"gt": "2020-01-01T10:00:00+02:00"}}, cond("created", "gt", datetime(2020, 1, 1, 8))),
    ("id-whole-float", {"id": 3.0}, cond("id", "eq", 3)),
    ("ordering-with-null-matches-nothing", {"rating": {"lte": None}}, Or(())),
    ("ordering-with-null-beside-a-condition", {"id": 1, "rating": {"gt": None}}, And((cond("id", "eq", 1), Or(())))),
]  # fmt: skip


@pytest.mark.parametrize(("raw", "expected"), [c[1:] for c in WHERE], ids=[c[0] for c in WHERE])
def test_parse_where(raw: Any, expected: Any) -> None:
    assert PARSER.parse_where(raw) == expected


def test_nested_where_keeps_structure() -> None:
    raw = {"and": [{"or": [{"id": 1}, {"name": "B"}]}, {"rating": {"gte": 2}}]}
    assert PARSER.parse_where(raw) == And(
        (Or((cond("id", "eq", 1), cond("name", "eq", "B"))), cond("rating", "gte", 2))
    )


INVALID_WHERE = [
    ("number-for-string", {"name": 5}, "The name property has an invalid value 5: is not a string"),
    ("not-object", 5, "The where clause must be an object. Value is not an object."),
    ("unknown-property", {"nosuch": 1}, 'Unknown property "nosuch" of model Shop'),
    ("hidden-property", {"secret": "x"}, 'Unknown property "secret" of model Shop'),
    ("unqueryable-type", {"tags": "x"}, "The tags property cannot be used in a filter yet"),
    ("unknown-operator", {"name": {"badop": 1}}, 'Unknown operator "badop" on property name'),
    ("like-later", {"name": {"like": "a%"}}, 'The "like" operator is not supported by this server yet'),
    ("regexp-later", {"name": {"regexp": "^a"}}, 'The "regexp" operator is not supported by this server yet'),
    ("exists-later", {"name": {"exists": True}}, 'The "exists" operator is not supported by this server yet'),
    ("empty-condition", {"name": {}}, "The name property has an empty condition"),
    ("list-without-inq", {"id": [1]}, "The id property has an invalid value: use inq for a list"),
    ("inq-not-list", {"id": {"inq": 1}}, 'The id property has invalid clause {"inq":1}: Value is not an array'),
    ("between-three", {"id": {"between": [1, 2, 3]}}, "The id property: between takes exactly two values"),
    ("inq-too-long", {"id": {"inq": list(range(MAX_INQ_SIZE + 1))}}, f"The id property: inq takes at most {MAX_INQ_SIZE} values"),
    ("or-not-list", {"or": {"id": 1}}, 'The "or" operator takes an array of where objects'),
    ("and-of-non-objects", {"and": ["x"]}, 'The "and" operator takes an array of where objects'),
    ("number-text", {"rating": "abc"}, 'The rating property has an invalid value "abc": is not a number'),
    ("id-fraction", {"id": 1.5}, "The id property has an invalid value 1.5: is not a valid id"),
    ("id-beyond-int64", {"id": 2**63}, f"The id property has an invalid value {2**63}: is not a valid id"),
    ("boolean-text", {"open": "yes"}, 'The open property has an invalid value "yes": is not a boolean'),
    ("date-number", {"created": 5}, "The created property has an invalid value 5: is not a valid date"),
    ("date-out-of-range", {"created": "0001-01-01T00:00:00+01:00"}, 'The created property has an invalid value "0001-01-01T00:00:00+01:00": is not a valid date'),
    ("string-boolean", {"name": True}, "The name property has an invalid value true: is not a string"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("raw", "message"), [c[1:] for c in INVALID_WHERE], ids=[c[0] for c in INVALID_WHERE]
)
def test_invalid_where(raw: Any, message: str) -> None:
    with pytest.raises(InvalidFilter) as exc:
        PARSER.parse_where(raw)
    assert exc.value.message == message
    assert exc.value.code == "INVALID_FILTER" and exc.value.status == 400


def test_where_depth_limit() -> None:
    where: dict[str, Any] = {"id": 1}
    for _ in range(MAX_WHERE_DEPTH):
        where = {"or": [where]}
    assert PARSER.parse_where(where) is not None
    with pytest.raises(InvalidFilter) as exc:
        PARSER.parse_where({"or": [where]})
    assert (
        exc.value.message == f"The where clause is nested more than {MAX_WHERE_DEPTH} levels deep"
    )


FILTERS: list[tuple[str, Any, Filter]] = [
    ("none", None, Filter()),
    ("empty", {}, Filter()),
    ("limit", {"limit": 5}, Filter(limit=5)),
    ("limit-text", {"limit": "5"}, Filter(limit=5)),
    ("limit-zero", {"limit": 0}, Filter(limit=0)),
    ("limit-max", {"limit": MAX_COUNT}, Filter(limit=MAX_COUNT)),
    ("skip", {"skip": 2}, Filter(skip=2)),
    ("offset", {"offset": "3"}, Filter(skip=3)),
    ("skip-wins-over-offset", {"skip": 1, "offset": 9}, Filter(skip=1)),
    ("order-string", {"order": "name"}, Filter(order=(OrderBy("name"),))),
    ("order-desc", {"order": "name DESC"}, Filter(order=(OrderBy("name", True),))),
    ("order-lowercase", {"order": "name desc"}, Filter(order=(OrderBy("name", True),))),
    ("order-comma-list", {"order": "rating DESC, name"}, Filter(order=(OrderBy("rating", True), OrderBy("name")))),
    ("order-array", {"order": ["id ASC", "name DESC"]}, Filter(order=(OrderBy("id"), OrderBy("name", True)))),
    ("order-extra-spaces", {"order": "  name   DESC "}, Filter(order=(OrderBy("name", True),))),
    ("order-empty", {"order": ""}, Filter()),
    ("order-empty-list", {"order": []}, Filter()),
    ("fields-list", {"fields": ["id", "name"]}, Filter(fields=("name", "id"))),
    ("fields-string", {"fields": "rating"}, Filter(fields=("rating",))),
    ("fields-true", {"fields": {"name": True, "open": "true"}}, Filter(fields=("name", "open"))),
    ("fields-false", {"fields": {"name": False, "tags": 0}}, Filter(fields=("rating", "open", "created", "id"))),
    ("fields-true-wins-over-false", {"fields": {"name": True, "id": False}}, Filter(fields=("name",))),
    ("fields-all-false", {"fields": dict.fromkeys(VISIBLE, False)}, Filter(fields=())),
    ("fields-empty-list", {"fields": []}, Filter()),
    ("fields-empty-object", {"fields": {}}, Filter(fields=VISIBLE)),
    ("include-empty", {"include": []}, Filter()),
    ("where", {"where": {"id": 1}}, Filter(where=cond("id", "eq", 1))),
]  # fmt: skip


@pytest.mark.parametrize(("raw", "expected"), [c[1:] for c in FILTERS], ids=[c[0] for c in FILTERS])
def test_parse_filter(raw: Any, expected: Filter) -> None:
    assert PARSER.parse(raw) == expected


INVALID_FILTERS = [
    ("not-object", [], "The filter must be an object. Value is not an object."),
    ("unknown-key", {"sort": "name"}, 'Unknown filter key "sort" (known: where, fields, order, limit, skip, offset, include)'),
    ("include", {"include": "reviews"}, "include is not supported by this server yet"),
    ("limit-negative", {"limit": -1}, "The limit parameter -1 is not valid"),
    ("limit-text", {"limit": "abc"}, 'The limit parameter "abc" is not valid'),
    ("limit-fraction", {"limit": 2.5}, "The limit parameter 2.5 is not valid"),
    ("limit-boolean", {"limit": False}, "The limit parameter false is not valid"),
    ("limit-past-max", {"limit": MAX_COUNT + 1}, f"The limit parameter {MAX_COUNT + 1} is not valid"),
    ("limit-text-past-max", {"limit": "9" * 30}, f'The limit parameter "{"9" * 30}" is not valid'),
    ("skip-negative", {"skip": -2}, "The offset/skip parameter -2 is not valid"),
    ("offset-text", {"offset": "x"}, 'The offset/skip parameter "x" is not valid'),
    ("offset-beside-skip", {"skip": 1, "offset": 2**64}, f"The offset/skip parameter {2**64} is not valid"),
    ("order-direction", {"order": "name UP"}, 'The order "name UP" has invalid direction'),
    ("order-three-words", {"order": "name ASC x"}, 'The order "name ASC x" is not valid'),
    ("order-blank-item", {"order": "name,"}, 'The order "" is not valid'),
    ("order-unknown", {"order": "nosuch"}, 'Unknown property "nosuch" of model Shop'),
    ("order-hidden", {"order": "secret"}, 'Unknown property "secret" of model Shop'),
    ("order-not-string", {"order": [1]}, "order must be a string or an array of strings"),
    ("fields-unknown", {"fields": ["nosuch"]}, 'Unknown property "nosuch" in fields of model Shop'),
    ("fields-hidden", {"fields": {"secret": True}}, 'Unknown property "secret" in fields of model Shop'),
    ("fields-not-string", {"fields": [1]}, "Unknown property 1 in fields of model Shop"),
    ("fields-number", {"fields": 1}, "fields must be an array of property names or an object"),
]  # fmt: skip


@pytest.mark.parametrize(
    ("raw", "message"), [c[1:] for c in INVALID_FILTERS], ids=[c[0] for c in INVALID_FILTERS]
)
def test_invalid_filter(raw: Any, message: str) -> None:
    with pytest.raises(InvalidFilter) as exc:
        PARSER.parse(raw)
    assert exc.value.message == message
