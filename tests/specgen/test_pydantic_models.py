"""models.py from component schemas (specgen/pydantic_models.py).

Each construct the compiler emits is rendered, imported, and fed the same values as an OpenAPI 3.0
validator (openapi-schema-validator, which openapi-spec-validator brings): the class must accept
what the schema accepts and refuse what it refuses. Values are chosen outside pydantic's lax
coercions (a numeric string for an int), which the generated classes share with every pydantic
model, and outside its reading of an optional property (absent is None, so an explicit null passes
too: a class cannot tell them apart without a sentinel; the served API validates with the document). The example apps' classes are checked against their documents field by field.
"""

from __future__ import annotations

import importlib
import itertools
import sys
import types
from typing import Any

import pydantic
import pytest
import yaml
from openapi_schema_validator import OAS30Validator

from specgen import naming
from specgen.pydantic_models import render_models

from .appdir import GENERATED, SPECS

_counter = itertools.count()


def load(schemas: dict[str, Any]) -> types.ModuleType:
    """Render and import the module (warnings are errors in this suite: a shadowing field fails)."""
    name = f"_rendered_models_{next(_counter)}"
    module = types.ModuleType(name)
    sys.modules[name] = module
    exec(compile(render_models(schemas), f"<{name}>", "exec"), module.__dict__)
    return module


def accepts_schema(schemas: dict[str, Any], name: str, value: Any) -> bool:
    validator = OAS30Validator(
        {"$ref": f"#/components/schemas/{name}", "components": {"schemas": schemas}}
    )
    return bool(validator.is_valid(value))


def accepts_class(module: types.ModuleType, name: str, value: Any) -> bool:
    try:
        getattr(module, name).model_validate(value)
    except pydantic.ValidationError:
        return False
    return True


def ref(name: str) -> dict[str, str]:
    return {"$ref": f"#/components/schemas/{name}"}


CONDITION = {
    "type": "object",
    "properties": {
        "eq": {"type": "string", "nullable": True},
        "inq": {"type": "array", "items": {"type": "string"}},
        "between": {"type": "array", "items": {"type": "integer"}, "minItems": 2, "maxItems": 2},
        "like": {"type": "string", "maxLength": 3},
    },
    "additionalProperties": False,
}

CASES: dict[str, tuple[dict[str, Any], str, list[Any]]] = {
    "scalars, required and nullable": (
        {
            "T": {
                "type": "object",
                "properties": {
                    "s": {"type": "string", "minLength": 1},
                    "n": {"type": "number", "nullable": True, "minimum": 0, "maximum": 10},
                    "i": {"type": "integer", "format": "int64", "minimum": 1},
                    "b": {"type": "boolean"},
                    "d": {"type": "string", "format": "date-time"},
                    "e": {"type": "string", "format": "email"},
                    "q": {"type": "number", "multipleOf": 1},
                },
                "required": ["s", "b"],
                "additionalProperties": False,
            }
        },
        "T",
        [
            {"s": "a", "b": True},
            {"s": "", "b": True},
            {"b": True},
            {"s": "a", "b": True, "n": None},
            {"s": "a", "b": True, "n": 11},
            {"s": "a", "b": True, "n": 2.5},
            {"s": "a", "b": True, "i": 0},
            {"s": "a", "b": True, "d": "2020-01-02T03:04:05Z"},
            {"s": "a", "b": True, "e": "someone@example.com"},
            {"s": "a", "b": True, "q": 3},
            {"s": "a", "b": True, "q": 3.5},
            {"s": "a", "b": True, "other": 1},
            {"s": "a", "b": [True]},
        ],
    ),
    "server-set id: absent or null only": (
        {
            "New": {
                "type": "object",
                "properties": {
                    "id": {
                        "type": "integer",
                        "minimum": 1,
                        "nullable": True,
                        "enum": [None],
                        "description": "Set by the server.",
                    }
                },
                "additionalProperties": False,
            }
        },
        "New",
        [{}, {"id": None}, {"id": 3}],
    ),
    "a where: a value or a condition object, dotted and reserved keys": (
        {
            "Cond": CONDITION,
            "Where": {
                "type": "object",
                "properties": {
                    "name": {"oneOf": [{"type": "string", "nullable": True}, ref("Cond")]},
                    "rel.name": {"oneOf": [{"type": "string", "nullable": True}, ref("Cond")]},
                    "and": {"type": "array", "items": ref("Where")},
                    "_hidden": {"type": "string"},
                    "json": {"type": "string"},
                    "model_x": {"type": "integer"},
                    "datetime": {"type": "string", "format": "date-time"},
                    "Cond": {"type": "boolean"},
                },
                "additionalProperties": False,
            },
        },
        "Where",
        [
            {"name": "a"},
            {"name": None},
            {"name": {"eq": "a"}},
            {"name": {"like": "abcd"}},
            {"name": {"between": [1, 2]}},
            {"name": {"between": [1]}},
            {"name": {"nope": 1}},
            {"name": 3},
            {"rel.name": {"inq": ["a", "b"]}},
            {"and": [{"name": "a"}, {"and": [{"rel.name": None}]}]},
            {"and": [{"x": 1}]},
            {"_hidden": "a", "json": "b", "model_x": 1, "datetime": "2020-01-01T00:00:00Z"},
            {"Cond": True},
            {"Cond": {"eq": "a"}},
        ],
    ),
    "fields and order: names, lists, an inline object, patterns": (
        {
            "Fields": {
                "oneOf": [
                    {"type": "string", "enum": ["a", "b"]},
                    {"type": "array", "items": {"type": "string", "enum": ["a", "b"]}},
                    {
                        "type": "object",
                        "properties": {"a": {"type": "boolean"}},
                        "additionalProperties": False,
                    },
                ]
            },
            "Order": {
                "oneOf": [
                    {"type": "string", "pattern": "^(a|b)( (ASC|DESC))?$"},
                    {"type": "array", "items": {"type": "string", "pattern": "^(a|b)$"}},
                ]
            },
            "Filter": {
                "type": "object",
                "properties": {
                    "fields": {
                        "oneOf": [
                            ref("Fields"),
                            {"type": "string", "nullable": True, "enum": [None]},
                        ]
                    },
                    "order": {
                        "oneOf": [
                            ref("Order"),
                            {"type": "string", "nullable": True, "enum": [None]},
                        ]
                    },
                    "limit": {"type": "integer", "minimum": 0, "maximum": 5, "nullable": True},
                },
                "additionalProperties": False,
            },
        },
        "Filter",
        [
            {"fields": "a"},
            {"fields": "c"},
            {"fields": ["a", "b"]},
            {"fields": {"a": True}},
            {"fields": {"c": True}},
            {"fields": None},
            {"order": "a DESC"},
            {"order": "c"},
            {"order": ["b"]},
            {"order": ["b DESC"]},
            {"order": None},
            {"limit": 5},
            {"limit": 6},
            {"limit": None},
        ],
    ),
    "an included relation: a nullable allOf wrapper, a list, a free-form object, any": (
        {
            "Address": {
                "type": "object",
                "properties": {"city": {"type": "string"}},
                "required": ["city"],
                "additionalProperties": False,
            },
            "Author": {
                "type": "object",
                "description": 'An author """ with "quotes" \\ and a backslash.',
                "properties": {
                    "address": {"allOf": [ref("Address")], "type": "object", "nullable": True},
                    "books": {"type": "array", "items": ref("Author"), "description": "Included."},
                    "details": {"type": "object", "nullable": True},
                    "anything": {},
                    "location": {
                        "type": "object",
                        "properties": {
                            "lat": {"type": "number", "minimum": -90, "maximum": 90},
                            "lng": {"type": "number"},
                        },
                        "required": ["lat", "lng"],
                        "additionalProperties": False,
                        "nullable": True,
                    },
                    "tags": {"type": "array", "items": {"type": "string"}, "default": ["x"]},
                    "status": {"type": "string", "default": "open", "nullable": True},
                },
                "additionalProperties": False,
            },
        },
        "Author",
        [
            {"address": {"city": "Oslo"}},
            {"address": {}},
            {"books": [{"books": [{"address": {"city": "Oslo"}}]}]},
            {"books": [{"nope": 1}]},
            {"details": {"any": ["thing"]}},
            {"details": None},
            {"details": "text"},
            {"anything": [1, "a", None]},
            {"location": {"lat": 1, "lng": 2}},
            {"location": {"lat": 91, "lng": 2}},
            {"location": {"lat": 1}},
            {"location": None},
            {"tags": ["a"]},
            {"status": None},
        ],
    ),
    "an alias that reaches itself: a RootModel": (
        {
            "Item": {
                "oneOf": [
                    {"type": "string", "enum": ["a"]},
                    {"type": "array", "items": ref("Item")},
                ]
            },
            "Holder": {
                "type": "object",
                "properties": {"item": ref("Item")},
                "additionalProperties": False,
            },
        },
        "Holder",
        [{"item": "a"}, {"item": ["a", ["a"]]}, {"item": "b"}, {"item": [["b"]]}],
    ),
}


@pytest.mark.parametrize("case", list(CASES))
def test_the_class_accepts_what_the_schema_accepts(case: str) -> None:
    schemas, name, values = CASES[case]
    module = load(schemas)
    verdicts = [
        (value, accepts_schema(schemas, name, value), accepts_class(module, name, value))
        for value in values
    ]
    assert [v for v in verdicts if v[1] != v[2]] == []
    assert {v[1] for v in verdicts} == {True, False}  # both kinds tried


def test_python_names_keep_the_property_names_as_aliases() -> None:
    module = load(CASES["a where: a value or a condition object, dotted and reserved keys"][0])
    aliases = {f.alias or n: n for n, f in module.Where.model_fields.items()}
    assert aliases == {
        "name": "name",
        "rel.name": "rel_name",
        "and": "and_",
        "_hidden": "field_hidden",
        "json": "json_",
        "model_x": "model_x",
        "datetime": "datetime_",
        "Cond": "Cond_",
    }
    where = module.Where.model_validate({"rel.name": "a", "and": [{"json": "j"}]})
    assert where.rel_name == "a" and where.and_[0].json_ == "j"


def test_defaults_are_python_literals() -> None:
    module = load(
        CASES["an included relation: a nullable allOf wrapper, a list, a free-form object, any"][0]
    )
    # `nullable` beside an `allOf` wrapper: OpenAPI 3.0 read to the letter refuses null there (the
    # wrapped schema does not take it); the compiler means a nullable embedded model, and so does this
    assert module.Author.model_validate({"address": None}).address is None
    author = module.Author()
    assert author.tags == ["x"] and author.status == "open" and author.books is None
    assert module.Author.__doc__.strip() == 'An author """ with "quotes" \\ and a backslash.'


def test_the_module_is_complete_once_imported() -> None:
    """Classes that use one defined later (a cycle) are rebuilt at the end of the module."""
    module = load(
        CASES["an included relation: a nullable allOf wrapper, a list, a free-form object, any"][0]
    )
    assert module.Author.__pydantic_complete__ and module.Address.__pydantic_complete__
    text = render_models(CASES["an alias that reaches itself: a RootModel"][0])
    assert "class Item(RootModel[" in text and "Item.model_rebuild()" in text


APPS = sorted(p.name for p in SPECS.iterdir() if (p / "model-config.json").exists())


@pytest.mark.parametrize("app_name", APPS)
def test_each_object_schema_of_an_example_app_has_its_class(app_name: str) -> None:
    """Field by field: every property under its own name (alias), required exactly when the
    schema requires it and gives no default, extras refused exactly when the schema refuses them."""
    package = naming.package_name(app_name)
    document = yaml.safe_load((GENERATED / package / "openapi.yaml").read_text(encoding="utf-8"))
    importlib.import_module(f"generated.{package}")  # the package first (models is its module)
    module = importlib.import_module(f"generated.{package}.models")
    objects = {n: s for n, s in document["components"]["schemas"].items() if "properties" in s}
    assert objects
    for name, schema in objects.items():
        cls = getattr(module, name)
        fields = {f.alias or n: f for n, f in cls.model_fields.items()}
        assert sorted(fields) == sorted(schema["properties"]), name
        required = {
            p for p in schema.get("required", []) if "default" not in schema["properties"][p]
        }
        assert {p for p, f in fields.items() if f.is_required()} == required, name
        forbids = cls.model_config.get("extra") == "forbid"
        assert forbids == (schema.get("additionalProperties") is False), name
        assert cls.__pydantic_complete__, name


def test_an_email_is_a_string_as_lb3_checks_it() -> None:
    """No email-validator: the generated module imports without it, and LB3's own check (the
    served API's) decides what an email is."""
    importlib.import_module("generated.coffee_shop")
    module = importlib.import_module("generated.coffee_shop.models")
    reviewer = module.NewReviewer.model_validate({"password": "x", "email": "someone@localhost"})
    assert reviewer.email == "someone@localhost"
    with pytest.raises(pydantic.ValidationError):
        module.NewReviewer.model_validate({"password": "x"})


def ring(size: int) -> dict[str, Any]:
    """Models each including its two neighbours, as a chain of belongsTo/hasMany relations does."""
    names = [f"M{i:03d}" for i in range(size)]
    return {
        name: {
            "type": "object",
            "properties": {
                "name": {"type": "string"},
                "next": {"allOf": [ref(names[(i + 1) % size])], "description": "Included next."},
                "previous": {"type": "array", "items": ref(names[i - 1])},
            },
            "additionalProperties": False,
        }
        for i, name in enumerate(names)
    }


def test_a_long_ring_of_related_models_imports() -> None:
    """pydantic completes a ring of classes by recursion through all of them (about 20 frames a
    class): the module raises Python's recursion limit while it builds them, and restores it."""
    limit = sys.getrecursionlimit()
    module = load(ring(120))
    assert sys.getrecursionlimit() == limit
    assert all(getattr(module, f"M{i:03d}").__pydantic_complete__ for i in range(120))
    value = module.M000.model_validate({"next": {"previous": [{"name": "a"}], "next": {}}})
    assert value.next.previous[0].name == "a"
    assert "setrecursionlimit" not in render_models(ring(3))  # a short ring needs nothing
