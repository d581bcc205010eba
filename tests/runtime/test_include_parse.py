"""runtime.filter.include and runtime.filter.related: LB3's include forms and related-model where keys
-> the typed AST, checked against the library example's models; and the EXISTS they compile to. Pure:
no database."""

from __future__ import annotations

from typing import Any

import pytest
import sqlalchemy as sa
from sqlalchemy.dialects import mysql, postgresql, sqlite

from generated.library.app import OPENAPI
from runtime.app import load_document
from runtime.errors import InvalidFilter
from runtime.filter.ast import And, Condition, Exists, Filter, Include, OrderBy
from runtime.filter.limits import FilterLimits
from runtime.filter.parse import FilterParser
from runtime.registry import build_registry
from runtime.sql import builder
from runtime.sql.tables import build_tables

REGISTRY = build_registry(load_document(OPENAPI))
MODELS = REGISTRY.models


def parser(name: str, limits: FilterLimits | None = None) -> FilterParser:
    if limits is None:
        return FilterParser(MODELS[name], MODELS)
    return FilterParser(MODELS[name], MODELS, limits)


def inc(name: str, flt: Filter | None = None) -> Include:
    return Include(name, flt or Filter())


BOOKS_TAGS = (inc("books", Filter(include=(inc("tags"),))),)

FORMS: list[tuple[str, Any, tuple[Include, ...]]] = [
    ("string", "books", (inc("books"),)),
    ("array", ["books", "pictures"], (inc("books"), inc("pictures"))),
    ("nested-array", [["books"], []], (inc("books"),)),
    ("object", {"books": "tags"}, BOOKS_TAGS),
    ("object-true", {"books": True}, (inc("books"),)),
    ("object-many-keys", {"books": True, "pictures": True}, (inc("books"), inc("pictures"))),
    ("object-array", {"books": ["tags", {"author": "books"}]}, (
        inc("books", Filter(include=(inc("tags"), inc("author", Filter(include=(inc("books"),)))))),
    )),
    ("scope-form", {"relation": "books", "scope": {"include": "tags"}}, BOOKS_TAGS),
    ("rel-alias", {"rel": "books"}, (inc("books"),)),
    ("scope", {"relation": "books", "scope": {"where": {"title": "x"}, "order": "title DESC", "limit": 2, "offset": 1, "fields": ["title"]}}, (
        inc("books", Filter(where=Condition("title", "eq", "x"), fields=("title",), order=(OrderBy("title", True),), limit=2, skip=1)),
    )),
    ("mixed", ["address", {"relation": "pictures"}, {"books": {"relation": "tags"}}], (
        inc("address"), inc("pictures"), *BOOKS_TAGS,
    )),
    ("empty", [], ()),
    ("null-in-array", ["books", None, ""], (inc("books"),)),
    ("embedded-scope", {"relation": "address", "scope": {"fields": ["city"]}}, (inc("address", Filter(fields=("city",))),)),
]  # fmt: skip


@pytest.mark.parametrize(("name", "raw", "expected"), FORMS, ids=[f[0] for f in FORMS])
def test_include_forms(name: str, raw: Any, expected: tuple[Include, ...]) -> None:
    assert parser("Author").parse({"include": raw}).include == expected


BAD: list[tuple[str, str, Any, str]] = [
    ("unknown", "Author", "nope", 'Relation "nope" is not defined for Author model'),
    ("unknown-nested", "Author", {"books": "nope"}, 'Relation "nope" is not defined for Book model'),
    ("unknown-in-scope", "Author", {"relation": "books", "scope": {"include": "x"}}, 'Relation "x" is not defined for Book model'),
    ("number", "Author", 123, "include 123 is not valid"),
    ("disabled", "Patron", "loans", 'Relation "loans" of Patron model cannot be included (its options.disableInclude is true)'),
    ("hidden-where", "Author", {"relation": "books", "scope": {"where": {"internalCode": "x"}}}, "internalCode"),
    ("hidden-fields", "Author", {"relation": "books", "scope": {"fields": ["internalCode"]}}, "internalCode"),
    ("scope-not-object", "Author", {"relation": "books", "scope": []}, "The scope of an include must be an object"),
    ("scope-unknown-key", "Author", {"relation": "books", "scope": {"sort": "x"}}, 'Unknown filter key "sort"'),
    ("extra-key", "Author", {"relation": "books", "as": "x"}, 'Unknown key "as"'),
    ("over-max-limit", "Author", {"relation": "books", "scope": {"limit": 1001}}, "maxLimit"),
    ("too-deep", "Author", {"books": {"tags": {"books": {"tags": "books"}}}}, "more than 4 levels deep"),
    ("polymorphic-scope", "Picture", {"relation": "imageable", "scope": {"fields": ["id"]}}, "polymorphic"),
    ("polymorphic-nested", "Picture", {"imageable": "books"}, "polymorphic"),
]  # fmt: skip


@pytest.mark.parametrize(("name", "model", "raw", "message"), BAD, ids=[b[0] for b in BAD])
def test_bad_includes(name: str, model: str, raw: Any, message: str) -> None:
    with pytest.raises(InvalidFilter) as caught:
        parser(model).parse({"include": raw})
    assert message in caught.value.message


def test_depth_and_limit_follow_the_configured_limits() -> None:
    four = {"books": {"tags": {"books": "tags"}}}
    assert parser("Author").parse({"include": four}).include  # 4 levels: the default limit
    with pytest.raises(InvalidFilter, match="maxIncludeDepth"):
        parser("Author", FilterLimits(max_include_depth=1)).parse({"include": {"books": "tags"}})
    with pytest.raises(InvalidFilter, match="maxLimit"):
        scope = {"relation": "books", "scope": {"limit": 11}}
        parser("Author", FilterLimits(max_limit=10)).parse({"include": scope})


# ---- related-model where ------------------------------------------------------------------------


RELATED: list[tuple[str, str, dict[str, Any], Any]] = [
    ("one-key", "Author", {"books.title": "x"}, Exists("books", Condition("title", "eq", "x"))),
    ("keys-grouped", "Author", {"books.title": "x", "books.pages": {"gt": 3}}, Exists("books", And((Condition("title", "eq", "x"), Condition("pages", "gt", 3))))),
    ("nested", "Author", {"books.tags.name": "t"}, Exists("books", Exists("tags", Condition("name", "eq", "t")))),
    ("scope", "Author", {"publishedBooks.title": "x"}, Exists("publishedBooks", And((Condition("published", "eq", True), Condition("title", "eq", "x"))))),
    ("beside-own", "Book", {"title": "x", "author.name": "a"}, And((Condition("title", "eq", "x"), Exists("author", Condition("name", "eq", "a"))))),
]  # fmt: skip


@pytest.mark.parametrize(
    ("name", "model", "where", "expected"), RELATED, ids=[r[0] for r in RELATED]
)
def test_related_where(name: str, model: str, where: dict[str, Any], expected: Any) -> None:
    assert parser(model).parse_where(where) == expected


@pytest.mark.parametrize(
    ("model", "where", "message"),
    [
        ("Author", {"books.internalCode": "x"}, "internalCode"),
        ("Book", {"relatedTags.name": "x"}, "referencesMany"),
        ("Picture", {"imageable.url": "x"}, "polymorphic"),
        ("Patron", {"loans.due": None}, "disableInclude"),
    ],
)
def test_bad_related_where(model: str, where: dict[str, Any], message: str) -> None:
    with pytest.raises(InvalidFilter) as caught:
        parser(model).parse_where(where)
    assert message in caught.value.message


def test_related_path_counts_toward_the_where_depth() -> None:
    deep = {"books.author.books.author.books.title": "x"}
    assert parser("Author", FilterLimits(max_where_depth=8)).parse_where(deep) is not None


# ---- EXISTS -------------------------------------------------------------------------------------

TABLES = build_tables([m for m in MODELS.values() if m.has_table], "sqlite")[1]


def compiled(model: str, where: dict[str, Any], dialect: Any = None) -> str:
    mt = TABLES[model]
    stmt = builder.count_rows(mt, parser(model).parse_where(where))
    return " ".join(
        str(
            stmt.compile(
                dialect=dialect or sqlite.dialect(), compile_kwargs={"literal_binds": True}
            )
        ).split()
    )


def test_exists_has_many_is_correlated() -> None:
    sql = compiled("Author", {"books.title": "x"})
    assert sql == (
        'SELECT count(*) AS count_1 FROM "Author" WHERE EXISTS (SELECT * FROM "Book" AS "Book_1" '
        'WHERE "Book_1"."authorId" = "Author".id AND "Book_1".title = \'x\')'
    )


def test_exists_belongs_to_and_through() -> None:
    assert 'WHERE "Author_1".id = "Book"."authorId" AND "Author_1".name = \'a\'' in compiled(
        "Book", {"author.name": "a"}
    )
    sql = compiled("Book", {"tags.name": "t"})
    assert (
        'FROM "TagBook" AS "TagBook_1" JOIN "Tag" AS "Tag_1" ON "Tag_1".id = "TagBook_1"."tagId"'
        in sql
    )
    assert '"TagBook_1"."bookId" = "Book".id' in sql


def test_exists_polymorphic_has_many_names_the_parent() -> None:
    sql = compiled("Author", {"pictures.url": "u"})
    assert '"Picture_1"."imageableType" = \'Author\'' in sql


@pytest.mark.parametrize("dialect", [postgresql, mysql], ids=["postgresql", "mysql"])
def test_exists_in_update_and_delete_compiles(dialect: Any) -> None:
    mt = TABLES["Author"]
    where = parser("Author").parse_where({"books.tags.name": "t"})
    for stmt in (builder.update_rows(mt, where, {"email": "x"}), builder.delete_rows(mt, where)):
        text = str(stmt.compile(dialect=dialect.dialect()))
        assert text.count("EXISTS") == 2
    assert isinstance(builder.where_clause(mt, where), sa.ColumnElement)
