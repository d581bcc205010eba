"""The typed filter schemas (specgen/openapi/filter_schemas.py) of the library example: names
enumerated, hidden properties absent, every form of the LB3 filter language accepted, and what the
runtime refuses refused. Filters are checked with an OpenAPI 3.0 validator against the document itself.
"""

from __future__ import annotations

from functools import cache
from typing import Any

import pytest
from openapi_schema_validator import OAS30Validator

from specgen.load import load_app
from specgen.openapi import build_openapi
from specgen.openapi.filter_schemas import REGEXP_PATTERN

from .appdir import SPECS


@cache
def document(app: str = "library") -> dict[str, Any]:
    spec, problems = load_app(SPECS / app)
    assert spec is not None and not problems
    return build_openapi(spec)


def schemas() -> dict[str, Any]:
    result: dict[str, Any] = document()["components"]["schemas"]
    return result


def valid(name: str, value: Any, app: str = "library") -> bool:
    root = {
        "components": document(app)["components"],
        "$ref": f"#/components/schemas/{name}",
    }
    return bool(OAS30Validator(root).is_valid(value))


def test_where_enumerates_visible_properties_related_keys_and_embedded_items() -> None:
    book = schemas()["BookWhere"]["properties"]
    assert {"title", "pages", "keywords", "details", "id", "authorId", "and", "or"} <= set(book)
    assert "internalCode" not in book
    assert {"author.name", "tags.name", "loans.due", "patrons.name", "cover.url"} <= set(book)
    assert "patrons.secret" not in book  # a target's hidden property
    assert not any(k.startswith("relatedTags.") for k in book)  # referencesMany: not searchable
    author = schemas()["AuthorWhere"]["properties"]
    assert {"_address.city", "_address.street", "location", "books.title"} <= set(author)
    assert "books.internalCode" not in author


def test_fields_order_and_include_names() -> None:
    fields = schemas()["BookFields"]["oneOf"][0]["enum"]
    assert "internalCode" not in fields and {"details", "keywords", "id"} <= set(fields)
    include = schemas()["BookIncludeItem"]["oneOf"][0]["enum"]
    assert include == ["author", "tags", "patrons", "loans", "cover", "relatedTags"]
    patron = schemas()["PatronIncludeItem"]["oneOf"][0]["enum"]
    assert "loans" not in patron  # options.disableInclude
    assert "include" not in schemas()["AddressFilter"]["properties"]  # no relations


def test_condition_schemas_by_value_type() -> None:
    string = schemas()["StringCondition"]["properties"]
    assert {"like", "nlike", "ilike", "nilike", "regexp", "exists", "between", "inq"} <= set(string)
    number = schemas()["NumberCondition"]["properties"]
    assert "like" not in number and "exists" in number
    assert set(schemas()["StringListCondition"]["properties"]) == {
        "eq",
        "neq",
        "inq",
        "nin",
        "exists",
    }
    assert "GeoPointCondition" in schemas() and "ObjectCondition" in schemas()


@pytest.mark.parametrize(
    "value",
    [
        {},
        {"where": {"title": "x", "pages": {"gt": 3}, "published": None}},
        {"where": {"title": {"like": "A%"}}},
        {"where": {"title": {"gt": "a", "lt": "b"}}},  # ANDed (LB3's SQL connectors read the first)
        {"where": {"title": {"ilike": "a_"}}},
        {"where": {"title": {"regexp": "^Not"}}},
        {"where": {"title": {"regexp": "/^not/i"}}},
        {"where": {"title": {"exists": False}}},
        {"where": {"pages": {"between": [1, 10]}}},
        {"where": {"id": {"inq": [1, 2, 3]}}},
        {"where": {"keywords": "sql"}},
        {"where": {"keywords": {"nin": ["sql", "math"]}}},
        {"where": {"details": {"exists": True}}},
        {"where": {"or": [{"author.name": "Ada"}, {"tags.name": {"neq": "x"}}]}},
        {"fields": ["title", "id"]},
        {"fields": "title"},
        {"fields": {"title": True, "details": False}},
        {"order": "title DESC, pages asc"},
        {"order": ["title", "id DESC"]},
        {"limit": 1000, "skip": 5, "offset": 0},
        {"include": "author"},
        {"include": ["author", "tags"]},
        {"include": {"author": "books"}},
        {"include": {"tags": ["books"]}},
        {"include": {"relation": "tags", "scope": {"where": {"name": "x"}, "limit": 2}}},
        {"include": [{"relation": "author", "scope": {"include": ["books"]}}]},
        {"include": {"relation": "cover", "scope": None}},
        {"where": None, "fields": None, "order": None, "limit": None, "include": None},
    ],
)
def test_book_filter_accepts(value: Any) -> None:
    assert valid("BookFilter", value)


@pytest.mark.parametrize(
    "value",
    [
        {"where": {"internalCode": "X1"}},  # hidden
        {"where": {"nope": 1}},
        {"where": {"title": {"foo": 1}}},  # unknown operator
        {"where": {"pages": {"like": "1%"}}},  # like on a number
        {"where": {"pages": "12"}},  # a JSON string for a number
        {"where": {"title": {"regexp": "(unclosed"}}},
        {"where": {"title": {"like": "x" * 513}}},
        {"where": {"pages": {"between": [1]}}},
        {"where": {"relatedTags.name": "x"}},
        {"where": {"details.publisher": "Acme"}},  # free-form sub-keys are not enumerated
        {"fields": ["internalCode"]},
        {"order": "internalCode"},
        {"order": "title UP"},
        {"order": "keywords"},  # an array property does not sort
        {"limit": 1001},
        {"limit": -1},
        {"skip": 1.5},
        {"include": "nope"},
        {"include": {"nope": "x"}},
        {"include": {"relation": "author", "scope": {"where": {"isbn": "x"}}}},  # Author's where
        {"include": {"relation": "author", "extra": 1}},
        {"unknown": 1},
    ],
)
def test_book_filter_refuses(value: Any) -> None:
    assert not valid("BookFilter", value)


def test_author_filter_embedded_item_and_near() -> None:
    assert valid("AuthorFilter", {"where": {"_address.city": "London"}})
    assert valid("AuthorFilter", {"where": {"location": {"near": {"lat": 1, "lng": 2}}}})
    assert valid(
        "AuthorFilter",
        {"where": {"location": {"near": "51.5,-0.12", "maxDistance": 2, "unit": "kilometers"}}},
    )
    assert not valid("AuthorFilter", {"where": {"location": {"near": "95,0"}}})
    assert not valid("AuthorFilter", {"where": {"location": {"near": "1,2", "unit": "parsecs"}}})
    assert not valid("AuthorFilter", {"where": {"location": {"exists": True, "near": "1,2"}}})


def test_patron_include_never_names_a_disabled_relation() -> None:
    assert valid("PatronFilter", {"include": ["books", "libraryCard", "noteList"]})
    assert not valid("PatronFilter", {"include": "loans"})
    assert not valid("PatronFilter", {"include": {"relation": "loans"}})


def test_coffee_shop_filters() -> None:
    assert valid(
        "CoffeeShopFilter",
        {
            "where": {"reviews.rating": {"gte": 4}},
            "include": {"relation": "reviews", "scope": {"include": "reviewer"}},
            "limit": 100,
        },
        app="coffee-shop",
    )
    reviewer = document("coffee-shop")["components"]["schemas"]["ReviewerWhere"]["properties"]
    assert "password" not in reviewer and "reviews.rating" in reviewer


@pytest.mark.parametrize("text", ["", "abc", "^A", "a b$", "/^a/i", "/x/gims", "a.c"])
def test_regexp_pattern_is_a_portable_regular_expression(text: str) -> None:
    import re

    assert re.fullmatch(REGEXP_PATTERN, text)
    source = text[1:].rsplit("/", 1)[0] if text.startswith("/") else text
    re.compile(source)  # compiles in Python, as it does in PostgreSQL and PCRE


def test_parameters_reference_the_typed_schemas() -> None:
    """The parameter is LB3's JSON text (a string, as LB3's own document has it: client generators
    send it as given); x-lb-json names the finite schema fuzzers cover, x-lb-* the whole language."""
    paths = document()["paths"]
    (filter_param,) = paths["/Books"]["get"]["parameters"]
    assert filter_param["schema"] == {"type": "string", "format": "json"}
    assert "content" not in filter_param
    assert filter_param["x-lb-json"] == {"$ref": "#/components/schemas/BookSimpleFilter"}
    assert filter_param["x-lb-filter"] == {"$ref": "#/components/schemas/BookFilter"}
    (where_param,) = paths["/Books/count"]["get"]["parameters"]
    assert where_param["schema"] == {"type": "string", "format": "json"}
    assert where_param["x-lb-json"] == {"$ref": "#/components/schemas/BookSimpleWhere"}
    assert where_param["x-lb-where"] == {"$ref": "#/components/schemas/BookWhere"}
    (related,) = paths["/Authors/{id}/books"]["get"]["parameters"][1:]
    assert related["x-lb-filter"] == {"$ref": "#/components/schemas/BookFilter"}


def test_simple_filter_states_own_properties_and_includes_by_name() -> None:
    assert valid("BookSimpleFilter", {"where": {"or": [{"title": "x"}, {"and": [{"pages": 3}]}]}})
    assert valid("BookSimpleFilter", {"include": ["author", "tags"], "limit": 5})
    assert not valid("BookSimpleFilter", {"where": {"author.name": "Ada"}})  # in BookFilter
    assert not valid("BookSimpleFilter", {"include": {"relation": "tags"}})  # in BookFilter
