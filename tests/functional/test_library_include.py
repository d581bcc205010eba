"""`include` on every relation kind of the library example, through REST and the Python API, on
every backend. Shapes are LB3 3.28's (tests/oracle/lb3-3.28/relations.md §5 and a probe of the same
app): arrays for the many kinds, an object or no key at all for the single ones; where LB3 answers 500
or drops the include, the 400 or the answer listed in docs/lb3-differences.md."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from runtime.app import LoopBackApp
from tests.functional.library import backend, client, library, served
from tests.http.support import error, ok

__all__ = ["backend", "client", "library", "served"]  # the fixtures this module uses


async def seed(api: httpx.AsyncClient) -> None:
    """Authors 1-3 (2 with an address), books 1-4 (3 without an author, 4 with a dangling one),
    tags 1-3 (book 1 has 1 and 2, book 2 has 2), patrons with loans, notes and a card, pictures of
    an author, a book and nothing."""
    authors = [
        {"name": "A1", "email": "a1@x"},
        {"name": "A2", "_address": {"city": "Paris", "street": "Main"}},
        {"name": "A3"},
    ]
    ok(await api.post("/Authors", json=authors))
    books = [
        {
            "title": "b1",
            "authorId": 1,
            "internalCode": "x",
            "relatedTagIds": [2, 1],
            "published": True,
        },
        {"title": "b2", "authorId": 1, "relatedTagIds": [3]},
        {"title": "b3", "published": True},
        {"title": "b4", "authorId": 99, "relatedTagIds": [99]},
        {"title": "b5", "authorId": 2, "published": True},
    ]
    ok(await api.post("/Books", json=books))
    ok(await api.post("/Tags", json=[{"name": "t1"}, {"name": "t2"}, {"name": "t3"}]))
    for book, tag in ((1, 1), (1, 2), (2, 2)):
        ok(await api.put(f"/Books/{book}/tags/rel/{tag}"))
    patrons = [
        {"name": "P1", "secret": "s", "notes": [{"text": "n1"}, {"text": "n2"}]},
        {"name": "P2"},
    ]
    ok(await api.post("/Patrons", json=patrons))
    ok(await api.post("/Loans", json=[{"patronId": 1, "bookId": 2}, {"patronId": 1, "bookId": 1}]))
    ok(await api.post("/LibraryCards", json={"number": "c1", "patronId": 1}))
    pictures = [
        {"url": "u1", "imageableId": 1, "imageableType": "Author"},
        {"url": "u2", "imageableId": 2, "imageableType": "Book"},
        {"url": "u3"},
        {"url": "u4", "imageableId": 1, "imageableType": "Nope"},
    ]
    ok(await api.post("/Pictures", json=pictures))


async def find(api: httpx.AsyncClient, path: str, flt: dict[str, Any]) -> Any:
    return ok(await api.get(path, params={"filter": json.dumps(flt)}))


def titles(rows: list[dict[str, Any]]) -> list[str]:
    return [row["title"] for row in rows]


async def test_has_many_and_belongs_to(client: httpx.AsyncClient) -> None:
    await seed(client)
    authors = await find(client, "/Authors", {"include": "books", "fields": ["name", "id"]})
    assert [(a["name"], titles(a["books"])) for a in authors] == [
        ("A1", ["b1", "b2"]),
        ("A2", ["b5"]),
        ("A3", []),
    ]
    assert "internalCode" not in authors[0]["books"][0]  # hidden stays hidden
    books = await find(
        client, "/Books", {"include": "author", "fields": ["title", "id", "authorId"]}
    )
    # LB3: no key when the foreign key is null or dangling
    assert [b.get("author", {}).get("name") for b in books] == ["A1", "A1", None, None, "A2"]
    assert ["author" in b for b in books] == [True, True, False, False, True]
    scoped = {"relation": "author", "scope": {"fields": ["name"]}}
    books = await find(client, "/Books", {"include": scoped, "fields": ["title"], "limit": 1})
    assert books == [{"title": "b1", "author": {"name": "A1", "id": 1}}]  # the key, as LB3
    books = await find(client, "/Books", {"include": "author", "limit": 1})
    assert books[0]["author"] == {
        "name": "A1",
        "email": "a1@x",
        "born": None,
        "location": None,
        "id": 1,
        "_address": None,
    }


async def test_forms_nest_and_mix(client: httpx.AsyncClient) -> None:
    await seed(client)
    forms: list[Any] = [
        {"books": "tags"},
        {"books": ["tags"]},
        {"books": {"tags": True}},
        [{"relation": "books", "scope": {"include": "tags"}}],
        {"relation": "books", "scope": {"include": {"relation": "tags"}}},
    ]
    for form in forms:
        one = await find(client, "/Authors/1", {"include": form})
        assert [[t["name"] for t in b["tags"]] for b in one["books"]] == [["t1", "t2"], ["t2"]]
    both = await find(
        client, "/Authors", {"include": ["books", {"pictures": True}], "where": {"id": 1}}
    )
    assert (titles(both[0]["books"]), [p["url"] for p in both[0]["pictures"]]) == (
        ["b1", "b2"],
        ["u1"],
    )
    # the bracket form of the query string
    bracket = ok(
        await client.get("/Authors", params={"filter[include]": "books", "filter[where][id]": "2"})
    )
    assert titles(bracket[0]["books"]) == ["b5"]


async def test_scope_where_order_fields_and_per_parent_limit(client: httpx.AsyncClient) -> None:
    await seed(client)
    scope = {"where": {"published": True}, "order": "title DESC", "fields": ["title"]}
    rows = await find(client, "/Authors", {"include": {"relation": "books", "scope": scope}})
    # scope fields keep the key the relation matches on (as LB3)
    assert [a["books"] for a in rows] == [
        [{"title": "b1", "authorId": 1}],
        [{"title": "b5", "authorId": 2}],
        [],
    ]
    limited = {"relation": "books", "scope": {"order": "title DESC", "limit": 1}}
    rows = await find(client, "/Authors", {"include": limited})
    assert [titles(a["books"]) for a in rows] == [["b2"], ["b5"], []]
    skipped = {"relation": "books", "scope": {"order": "title", "skip": 1, "limit": 5}}
    rows = await find(client, "/Authors", {"include": skipped})
    assert [titles(a["books"]) for a in rows] == [["b2"], [], []]
    # the relation's own scope (published, title ASC) applies too
    rows = await find(client, "/Authors", {"include": "publishedBooks"})
    assert [titles(a["publishedBooks"]) for a in rows] == [["b1"], ["b5"], []]


async def test_parent_fields_without_the_key(client: httpx.AsyncClient) -> None:
    """LB3 answers 400 (id left out) or drops the include (foreign key left out); the key is read
    and left out of the answer instead."""
    await seed(client)
    rows = await find(client, "/Authors", {"include": "books", "fields": ["name"]})
    assert (list(rows[0]), titles(rows[0]["books"])) == (["name", "books"], ["b1", "b2"])
    rows = await find(client, "/Books", {"include": "author", "fields": ["title"], "limit": 1})
    assert rows == [{"title": "b1", "author": rows[0]["author"]}]
    assert rows[0]["author"]["name"] == "A1"
    nested = {"relation": "books", "scope": {"fields": ["title"], "include": "tags"}}
    one = await find(client, "/Authors/1", {"include": nested, "fields": ["name"]})
    assert one["books"][0] == {"title": "b1", "authorId": 1, "tags": one["books"][0]["tags"]}
    assert [t["name"] for t in one["books"][0]["tags"]] == ["t1", "t2"]


async def test_through_and_habtm(client: httpx.AsyncClient) -> None:
    await seed(client)
    books = await find(client, "/Books", {"include": "tags", "fields": ["title", "id"]})
    assert [[t["name"] for t in b["tags"]] for b in books] == [["t1", "t2"], ["t2"], [], [], []]
    tags = await find(
        client, "/Tags", {"include": {"relation": "books", "scope": {"fields": ["title"]}}}
    )
    assert [t["books"] for t in tags] == [
        [{"title": "b1", "id": 1}],
        [{"title": "b1", "id": 1}, {"title": "b2", "id": 2}],
        [],
    ]
    limited = {
        "relation": "books",
        "scope": {"order": "title DESC", "limit": 1, "fields": ["title"]},
    }
    tags = await find(client, "/Tags", {"include": limited})
    assert [t["books"] for t in tags] == [
        [{"title": "b1", "id": 1}],
        [{"title": "b2", "id": 2}],
        [],
    ]
    patrons = await find(client, "/Patrons", {"include": "books"})
    assert [titles(p["books"]) for p in patrons] == [["b1", "b2"], []]
    assert "secret" not in patrons[0]
    # a link made twice adds nothing
    ok(await client.post("/Loans", json={"patronId": 1, "bookId": 1}))
    patrons = await find(client, "/Patrons", {"include": "books"})
    assert titles(patrons[0]["books"]) == ["b1", "b2"]


async def test_has_one_and_polymorphic(client: httpx.AsyncClient) -> None:
    await seed(client)
    patrons = await find(client, "/Patrons", {"include": "libraryCard"})
    assert patrons[0]["libraryCard"] == {"number": "c1", "id": 1, "patronId": 1}
    assert "libraryCard" not in patrons[1]
    books = await find(client, "/Books", {"include": "cover", "fields": ["title"]})
    assert [b.get("cover", {}).get("url") for b in books] == [None, "u2", None, None, None]
    authors = await find(client, "/Authors", {"include": "pictures", "fields": ["id"]})
    assert [[p["url"] for p in a["pictures"]] for a in authors] == [["u1"], [], []]
    pictures = await find(client, "/Pictures", {"include": "imageable"})
    # an unknown type has no owner (LB3: a 500 for the whole request)
    assert [
        p.get("imageable", {}).get("name") or p.get("imageable", {}).get("title") for p in pictures
    ] == [
        "A1",
        "b2",
        None,
        None,
    ]
    err = error(
        await client.get("/Pictures", params={"filter": '{"include":{"imageable":"books"}}'}), 400
    )
    assert "polymorphic" in err["message"]


async def test_references_many(client: httpx.AsyncClient) -> None:
    await seed(client)
    books = await find(client, "/Books", {"include": "relatedTags", "fields": ["title"]})
    # the array's order; a dangling id is skipped
    assert [[t["name"] for t in b["relatedTags"]] for b in books] == [
        ["t2", "t1"],
        ["t3"],
        [],
        [],
        [],
    ]
    ordered = {"relation": "relatedTags", "scope": {"order": "name", "limit": 1}}
    books = await find(client, "/Books", {"include": ordered, "fields": ["title"], "limit": 2})
    assert [[t["name"] for t in b["relatedTags"]] for b in books] == [["t1"], ["t3"]]


async def test_embedded(client: httpx.AsyncClient) -> None:
    await seed(client)
    authors = await find(client, "/Authors", {"include": "address", "fields": ["name"]})
    assert authors[0] == {"name": "A1"}
    assert authors[1]["address"] == {
        "street": "Main",
        "city": "Paris",
        "id": authors[1]["address"]["id"],
    }
    patrons = await find(client, "/Patrons", {"include": "noteList"})
    assert [[n["text"] for n in p["noteList"]] for p in patrons] == [["n1", "n2"], []]
    assert patrons[0]["notes"] == patrons[0]["noteList"]  # beside the stored property, as LB3
    scoped = {"relation": "noteList", "scope": {"where": {"text": "n2"}}}
    patrons = await find(client, "/Patrons", {"include": scoped})
    assert [[n["text"] for n in p["noteList"]] for p in patrons] == [["n2"], []]


async def test_every_read_endpoint_and_the_python_api(
    client: httpx.AsyncClient, served: LoopBackApp
) -> None:
    await seed(client)
    one = await find(client, "/Authors/1", {"include": "books"})
    assert titles(one["books"]) == ["b1", "b2"]
    first = await find(client, "/Authors/findOne", {"include": "books", "where": {"name": "A2"}})
    assert titles(first["books"]) == ["b5"]
    via = await find(client, "/Authors/1/books", {"include": "tags"})
    assert [[t["name"] for t in b["tags"]] for b in via] == [["t1", "t2"], ["t2"]]
    via = await find(client, "/Books/1/tags", {"include": "books"})
    assert [titles(t["books"]) for t in via] == [["b1"], ["b1", "b2"]]
    via = await find(client, "/Books/1/relatedTags", {"include": "books"})
    assert [t["name"] for t in via] == ["t2", "t1"]
    via = await find(client, "/Patrons/1/books", {"include": "author"})
    assert [b["author"]["name"] for b in via] == ["A1", "A1"]
    authors = await served.models["Author"].find({"include": "books", "order": "name DESC"})
    assert [titles(a["books"]) for a in authors] == [[], ["b5"], ["b1", "b2"]]
    card = await served.models["LibraryCard"].find_by_id(1, {"include": {"patron": "books"}})
    assert card is not None and titles(card["patron"]["books"]) == ["b1", "b2"]


@pytest.mark.parametrize(
    ("flt", "message"),
    [
        ({"include": "nope"}, 'Relation "nope" is not defined for Author model'),
        ({"include": {"books": "nope"}}, 'Relation "nope" is not defined for Book model'),
        ({"include": 123}, "include 123 is not valid"),
        (
            {"include": {"relation": "books", "scope": {"where": {"internalCode": "x"}}}},
            "internalCode",
        ),
        ({"include": {"relation": "books", "scope": {"fields": ["internalCode"]}}}, "internalCode"),
        ({"include": {"relation": "books", "scope": {"order": "internalCode"}}}, "internalCode"),
        ({"include": {"relation": "books", "scope": {"limit": 1001}}}, "maxLimit"),
        ({"include": {"relation": "books", "scope": 3}}, "scope"),
        ({"include": {"relation": "books", "extra": 1}}, 'Unknown key "extra"'),
        ({"include": {"books": {"tags": {"books": {"tags": "books"}}}}}, "maxIncludeDepth"),
    ],
)
async def test_bad_includes_are_400(
    client: httpx.AsyncClient, flt: dict[str, Any], message: str
) -> None:
    err = error(await client.get("/Authors", params={"filter": json.dumps(flt)}), 400)
    assert message in err["message"]
    assert err["code"] == "INVALID_FILTER"


async def test_disable_include_is_400(client: httpx.AsyncClient) -> None:
    """LB3 silently leaves the relation out; a client asking for it is told."""
    await seed(client)
    err = error(
        await client.get("/Patrons", params={"filter": '{"include":["books","loans"]}'}), 400
    )
    assert "disableInclude" in err["message"]
    ok(await client.get("/Patrons/1/loans"))  # the relation's own endpoints still work


async def test_include_orders_as_the_relation_endpoint(client: httpx.AsyncClient) -> None:
    """An include scope's `order` gives the order (NULLs last ascending, first descending, on every
    backend) and the answer of the same order on the relation endpoint: a path into an object
    property included (it was a 500 in an include)."""
    await seed(client)
    ok(await client.patch("/Books/1", json={"pages": 300, "details": {"rank": 2}}))
    ok(await client.patch("/Books/2", json={"details": {"rank": 1}}))
    for order in ("pages ASC", "pages DESC", "details.rank ASC", "details.rank DESC", "isbn DESC"):
        alone = await find(client, "/Authors/1/books", {"order": order})
        scope = {"relation": "books", "scope": {"order": order}}
        included = (await find(client, "/Authors", {"include": scope, "where": {"id": 1}}))[0]
        assert titles(included["books"]) == titles(alone), order
        limited = {"relation": "books", "scope": {"order": order, "limit": 1}}
        first = (await find(client, "/Authors", {"include": limited, "where": {"id": 1}}))[0]
        assert titles(first["books"]) == titles(alone)[:1], order
