"""runtime.filter.parse: raw LB3 filters -> the typed Filter, checked against one model. Pure."""

from __future__ import annotations

from datetime import datetime
from typing import Any

import pytest

from runtime.errors import InvalidFilter
from runtime.filter.ast import And, Condition, Filter, Near, Or, OrderBy, Pattern, Where
from runtime.filter.limits import FilterLimits, LimitsError, limits_from_config, load_limits
from runtime.filter.parse import MAX_INQ_SIZE, MAX_WHERE_DEPTH, FilterParser
from runtime.registry import ModelMeta, PropertyMeta, RelationMeta

ADDRESS_RELATION = RelationMeta("address", "embedsOne", "Address", None, {"property": "_address"})


def model() -> ModelMeta:
    props = [
        PropertyMeta("name", "string", required=True),
        PropertyMeta("rating", "number"),
        PropertyMeta("open", "boolean"),
        PropertyMeta("created", "date"),
        PropertyMeta("tags", "array", item_type="string"),
        PropertyMeta("secret", "string", hidden=True),
        PropertyMeta("id", "number", id=1, generated=True),
        PropertyMeta("where", "geopoint"),
        PropertyMeta("extra", "object"),
        PropertyMeta("_address", "object", model="Address"),
        PropertyMeta("blob", "buffer"),
        PropertyMeta("notes", "array", item_type="object", model="Note"),
    ]
    return ModelMeta(
        name="Shop",
        properties={p.name: p for p in props},
        force_id=True,
        relations={"address": ADDRESS_RELATION},
    )


ADDRESS = ModelMeta(
    name="Address",
    properties={
        p.name: p
        for p in [
            PropertyMeta("city", "string"),
            PropertyMeta("zip", "number"),
            PropertyMeta("since", "date"),
            PropertyMeta("code", "string", hidden=True),
        ]
    },
)
PARSER = FilterParser(model(), {"Shop": model(), "Address": ADDRESS})
VISIBLE = ("name", "rating", "open", "created", "tags", "id", "where", "extra", "_address", "blob", "notes")  # fmt: skip


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
    # like family and regexp
    ("like", {"name": {"like": "a%"}}, cond("name", "like", "a%")),
    ("nlike", {"name": {"nlike": "a\\%"}}, cond("name", "nlike", "a\\%")),
    ("ilike", {"name": {"ilike": "A_"}}, cond("name", "ilike", "A_")),
    ("nilike", {"name": {"nilike": "%"}}, cond("name", "nilike", "%")),
    ("like-options-i", {"name": {"like": "a", "options": "i"}}, cond("name", "ilike", "a")),
    ("nlike-options-i", {"name": {"nlike": "a", "options": "i"}}, cond("name", "nilike", "a")),
    ("regexp-plain", {"name": {"regexp": "^a"}}, cond("name", "regexp", Pattern("^a"))),
    ("regexp-slashes", {"name": {"regexp": "/^a/"}}, cond("name", "regexp", Pattern("^a"))),
    ("regexp-flags", {"name": {"regexp": "/^a/mig"}}, cond("name", "regexp", Pattern("^a", "im"))),
    ("regexp-dotall", {"name": {"regexp": "/a.b/s"}}, cond("name", "regexp", Pattern("a.b", "s"))),
    ("regexp-inner-slash", {"name": {"regexp": "a/b"}}, cond("name", "regexp", Pattern("a/b"))),
    ("regexp-options-i", {"name": {"regexp": "x", "options": "i"}}, cond("name", "regexp", Pattern("x", "i"))),
    # exists, null
    ("exists", {"name": {"exists": True}}, cond("name", "exists", True)),
    ("exists-text", {"name": {"exists": "false"}}, cond("name", "exists", False)),
    ("object-null", {"extra": None}, cond("extra", "eq", None)),
    ("geopoint-exists", {"where": {"exists": True}}, cond("where", "exists", True)),
    ("between-null-bound", {"rating": {"between": [None, 3]}}, Or(())),
    # arrays: the item type converts
    ("array-contains", {"tags": "a"}, cond("tags", "eq", "a")),
    ("array-inq", {"tags": {"inq": ["a", "b"]}}, cond("tags", "inq", ("a", "b"))),
    ("array-neq", {"tags": {"neq": "a"}}, cond("tags", "neq", "a")),
    # paths: free-form values keep their JSON type; embedded properties convert
    ("path", {"extra.a": 5}, Condition("extra", "eq", 5, ("a",))),
    ("path-nested", {"extra.a.b-c": {"gt": "x"}}, Condition("extra", "gt", "x", ("a", "b-c"))),
    ("path-boolean", {"extra.on": True}, Condition("extra", "eq", True, ("on",))),
    ("path-null", {"extra.a": None}, Condition("extra", "eq", None, ("a",))),
    ("path-like", {"extra.a": {"like": "x%"}}, Condition("extra", "like", "x%", ("a",))),
    ("embedded", {"_address.city": "Oslo"}, Condition("_address", "eq", "Oslo", ("city",))),
    ("embedded-by-relation", {"address.zip": "7"}, Condition("_address", "eq", 7, ("zip",))),
    ("embedded-date-as-text", {"address.since": {"gt": "2020-01-01"}}, Condition("_address", "gt", "2020-01-01T00:00:00.000Z", ("since",))),
    # near: LB3's point forms, maxDistance 0 is no maximum
    ("near-object", {"where": {"near": {"lat": 1, "lng": 2}}}, cond("where", "near", Near(1.0, 2.0))),
    ("near-text", {"where": {"near": "1.5, -2"}}, cond("where", "near", Near(1.5, -2.0))),
    ("near-json-text", {"where": {"near": '{"lat": 1, "lng": 2}'}}, cond("where", "near", Near(1.0, 2.0))),
    ("near-array", {"where": {"near": [1, 2]}}, cond("where", "near", Near(1.0, 2.0))),
    ("near-bracket-array", {"where": {"near": {"0": "1", "1": "2"}}}, cond("where", "near", Near(1.0, 2.0))),
    ("near-max-unit", {"where": {"near": [1, 2], "maxDistance": "5", "unit": "meters"}}, cond("where", "near", Near(1.0, 2.0, 5.0, "meters"))),
    ("near-max-zero", {"where": {"near": [1, 2], "maxDistance": 0}}, cond("where", "near", Near(1.0, 2.0))),
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
    ("unqueryable-type", {"blob": "x"}, "The blob property (type buffer) cannot be used in a filter"),
    ("array-of-objects", {"notes": "x"}, "The notes property (an array of object) cannot be used in a filter"),
    ("array-item-type", {"tags": 5}, "The tags property has an invalid value 5: is not a string"),
    ("array-ordering", {"tags": {"lt": "a"}}, "The tags property is an array: lt cannot compare it"),
    ("array-between", {"tags": {"between": ["a", "b"]}}, "The tags property is an array: between cannot compare it"),
    ("array-like", {"tags": {"like": "a"}}, "The tags property: like applies to string properties only"),
    ("unknown-operator", {"name": {"badop": 1}}, 'Unknown operator "badop" on property name'),
    ("like-not-string", {"name": {"like": 1}}, 'The name property has invalid clause {"like":1}: Expected a string'),
    ("like-on-number", {"rating": {"like": "1%"}}, "The rating property: like applies to string properties only"),
    ("like-trailing-escape", {"name": {"like": "a\\"}}, "The name property: the like pattern ends with an escape character (\\)"),
    ("like-too-long", {"name": {"ilike": "a" * 513}}, "The name property: the ilike pattern is longer than 512 characters (the limit is maxRegexpLength in config.json's filterLimits)"),
    ("options-not-i", {"name": {"like": "a", "options": "m"}}, 'The name property: "options" takes "i", beside one like, nlike or regexp'),
    ("options-alone", {"name": {"options": "i"}}, 'The name property: "options" takes "i", beside one like, nlike or regexp'),
    ("regexp-not-string", {"name": {"regexp": {}}}, 'The name property has invalid clause {"regexp":{}}: Expected a string'),
    ("regexp-invalid", {"name": {"regexp": "a("}}, 'The name property has an invalid regexp "a(": missing ), unterminated subpattern at position 1'),
    ("regexp-flags", {"name": {"regexp": "/a/iu"}}, "Invalid regex flags: u"),
    ("regexp-too-long", {"name": {"regexp": "a" * 513}}, "The name property: the regexp pattern is longer than 512 characters (the limit is maxRegexpLength in config.json's filterLimits)"),
    ("regexp-on-date", {"created": {"regexp": "^2"}}, "The created property: regexp applies to string properties only"),
    ("exists-not-boolean", {"name": {"exists": 1}}, "The name property: exists takes true or false"),
    ("object-compare", {"extra": "x"}, 'The extra property is an object: compare a path inside it ("extra.name": ...), or test it with exists or null'),
    ("object-whole", {"extra": {"a": 1}}, 'The extra property is an object: compare a path inside it ("extra.name": ...), or test it with exists or null'),
    ("geopoint-eq", {"where": {"lat": 1, "lng": 2}}, "The where property is a geopoint: use near, exists or null"),
    ("path-not-object", {"name.x": 1}, 'The where key "name.x" is not valid: name is a string property, not an object'),
    ("path-hidden-head", {"secret.x": 1}, 'Unknown property "secret" of model Shop'),
    ("path-index", {"extra.0": 1}, 'The where key "extra.0" is not valid: each key of a path must be a name (letters, digits, _, $ or -, not starting with a digit)'),
    ("path-quote", {'extra.a"b': 1}, 'The where key "extra.a\"b" is not valid: each key of a path must be a name (letters, digits, _, $ or -, not starting with a digit)'),
    ("path-empty-key", {"extra..a": 1}, 'The where key "extra..a" is not valid: each key of a path must be a name (letters, digits, _, $ or -, not starting with a digit)'),
    ("path-object-operand", {"extra.a": {"eq": [1]}}, "The extra.a property has an invalid value [1]: compare a path with a string, number or boolean"),
    ("embedded-unknown", {"_address.street": "x"}, 'Unknown property "street" of model Address (in "_address.street")'),
    ("embedded-hidden", {"address.code": "x"}, 'Unknown property "code" of model Address (in "address.code")'),
    ("embedded-type", {"address.zip": "abc"}, 'The address.zip property has an invalid value "abc": is not a number'),
    ("embedded-too-deep", {"address.city.x": "a"}, 'The where key "address.city.x" cannot be used in a filter'),
    ("near-not-geopoint", {"name": {"near": [1, 2]}}, "The name property: near applies to geopoint properties only"),
    ("near-bad-point", {"where": {"near": "north"}}, 'The where property: near "north" is not a geopoint ({"lat": -90..90, "lng": -180..180}, [lat, lng] or "lat,lng")'),
    ("near-out-of-range", {"where": {"near": {"lat": 1, "lng": 181}}}, 'The where property: near {"lat":1,"lng":181} is not a geopoint ({"lat": -90..90, "lng": -180..180}, [lat, lng] or "lat,lng")'),
    ("near-unit", {"where": {"near": [1, 2], "unit": "parsec"}}, 'The where property: unit "parsec" is not one of kilometers, meters, miles, feet, radians, degrees'),
    ("near-unit-object", {"where": {"near": [1, 2], "unit": {}}}, "The where property: unit {} is not one of kilometers, meters, miles, feet, radians, degrees"),
    ("near-max", {"where": {"near": [1, 2], "maxDistance": "far"}}, 'The where property: maxDistance "far" is not a number of at least 0'),
    ("near-extra", {"where": {"near": [1, 2], "minDistance": 1}}, 'The where property: "minDistance" cannot be combined with near (near takes maxDistance, unit)'),
    ("unit-without-near", {"where": {"unit": "miles"}}, 'The where property: "unit" is given without near'),
    ("empty-condition", {"name": {}}, "The name property has an empty condition"),
    ("list-without-inq", {"id": [1]}, "The id property has an invalid value: use inq for a list"),
    ("inq-not-list", {"id": {"inq": 1}}, 'The id property has invalid clause {"inq":1}: Value is not an array'),
    ("between-three", {"id": {"between": [1, 2, 3]}}, "The id property: between takes exactly two values"),
    ("inq-too-long", {"id": {"inq": list(range(MAX_INQ_SIZE + 1))}}, f"The id property: inq takes at most {MAX_INQ_SIZE} values (the limit is maxInqSize in config.json's filterLimits)"),
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
    assert exc.value.message == (
        f"The where clause is nested more than {MAX_WHERE_DEPTH} levels deep "
        "(the limit is maxWhereDepth in config.json's filterLimits)"
    )


FILTERS: list[tuple[str, Any, Filter]] = [
    ("none", None, Filter()),
    ("empty", {}, Filter()),
    ("limit", {"limit": 5}, Filter(limit=5)),
    ("limit-text", {"limit": "5"}, Filter(limit=5)),
    ("limit-zero", {"limit": 0}, Filter(limit=0)),
    ("limit-max", {"limit": 1000}, Filter(limit=1000)),
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
    ("fields-false", {"fields": {"name": False, "tags": 0}}, Filter(fields=("rating", "open", "created", "id", "where", "extra", "_address", "blob", "notes"))),
    ("fields-true-wins-over-false", {"fields": {"name": True, "id": False}}, Filter(fields=("name",))),
    ("fields-all-false", {"fields": dict.fromkeys(VISIBLE, False)}, Filter(fields=())),
    ("fields-empty-list", {"fields": []}, Filter()),
    ("fields-empty-object", {"fields": {}}, Filter(fields=VISIBLE)),
    ("order-path", {"order": "extra.a.b DESC"}, Filter(order=(OrderBy("extra.a.b", True),))),
    ("order-embedded-by-relation", {"order": "address.city"}, Filter(order=(OrderBy("_address.city"),))),
    ("include-empty", {"include": []}, Filter()),
    ("where", {"where": {"id": 1}}, Filter(where=cond("id", "eq", 1))),
]  # fmt: skip


@pytest.mark.parametrize(("raw", "expected"), [c[1:] for c in FILTERS], ids=[c[0] for c in FILTERS])
def test_parse_filter(raw: Any, expected: Filter) -> None:
    assert PARSER.parse(raw) == expected


INVALID_FILTERS = [
    ("not-object", [], "The filter must be an object. Value is not an object."),
    ("unknown-key", {"sort": "name"}, 'Unknown filter key "sort" (known: where, fields, order, limit, skip, offset, include)'),
    ("include-unknown", {"include": "reviews"}, 'Relation "reviews" is not defined for Shop model'),
    ("limit-negative", {"limit": -1}, "The limit parameter -1 is not valid"),
    ("limit-text", {"limit": "abc"}, 'The limit parameter "abc" is not valid'),
    ("limit-fraction", {"limit": 2.5}, "The limit parameter 2.5 is not valid"),
    ("limit-boolean", {"limit": False}, "The limit parameter false is not valid"),
    ("limit-over-max-limit", {"limit": 1001}, "The limit 1001 is over this server's maximum of 1000 (the limit is maxLimit in config.json's filterLimits)"),
    ("limit-past-2^53", {"limit": 2**53}, f"The limit parameter {2**53} is not valid"),
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
    ("order-array-property", {"order": "tags"}, "The tags property cannot be used in order"),
    ("order-geopoint", {"order": "where DESC"}, "The where property cannot be used in order"),
    ("order-hidden-path", {"order": "secret.x"}, 'Unknown property "secret" of model Shop'),
]  # fmt: skip


@pytest.mark.parametrize(
    ("raw", "message"), [c[1:] for c in INVALID_FILTERS], ids=[c[0] for c in INVALID_FILTERS]
)
def test_invalid_filter(raw: Any, message: str) -> None:
    with pytest.raises(InvalidFilter) as exc:
        PARSER.parse(raw)
    assert exc.value.message == message


def test_limits_are_configurable() -> None:
    """config.json's filterLimits: each bound is the app's, and named in the 400."""
    limits = limits_from_config(
        {"filterLimits": {"maxLimit": 5, "maxInqSize": 2, "maxWhereDepth": 1, "maxRegexpLength": 3}}
    )
    assert limits == FilterLimits(max_limit=5, max_inq_size=2, max_where_depth=1, max_regexp_length=3)  # fmt: skip
    parser = FilterParser(model(), limits=limits)
    assert parser.parse({"limit": 5}) == Filter(limit=5)
    cases: list[tuple[dict[str, Any], str]] = [
        ({"limit": 6}, "maxLimit"),
        ({"where": {"id": {"inq": [1, 2, 3]}}}, "maxInqSize"),
        ({"where": {"or": [{"or": [{"id": 1}]}]}}, "maxWhereDepth"),
        ({"where": {"name": {"like": "abcd"}}}, "maxRegexpLength"),
    ]
    for raw, words in cases:
        with pytest.raises(InvalidFilter, match=words):
            parser.parse(raw)
    assert limits_from_config({}) == FilterLimits()


@pytest.mark.parametrize(
    ("config", "message"),
    [
        ({"filterLimits": 5}, "config.json: filterLimits must be an object"),
        ({"filterLimits": {"maxlimit": 5}}, 'config.json: unknown filterLimits key "maxlimit"'),
        ({"filterLimits": {"maxLimit": 0}}, "filterLimits.maxLimit must be a positive integer"),
        ({"filterLimits": {"maxLimit": True}}, "filterLimits.maxLimit must be a positive integer"),
    ],
)
def test_bad_limits_config(config: Any, message: str) -> None:
    with pytest.raises(LimitsError, match=message):
        limits_from_config(config)


def test_limits_load_from_config_json(tmp_path: Any) -> None:
    assert load_limits(tmp_path) == FilterLimits()  # no config.json: the defaults
    (tmp_path / "config.json").write_text(
        '{"restApiRoot": "/api", "filterLimits": {"maxLimit": 50}}'
    )
    assert load_limits(tmp_path) == FilterLimits(max_limit=50)
    (tmp_path / "config.json").write_text('{"filterLimits": {"maxLimit": "50"}}')
    with pytest.raises(LimitsError, match=r"filterLimits\.maxLimit must be a positive integer"):
        load_limits(tmp_path)
