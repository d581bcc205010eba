"""Filtering a model by its related models' properties (`{"books.title": "b1"}`): a correlated
EXISTS per relation, in find, count, updateAll and destroyAll, on every backend (beyond LB3, whose SQL
connectors do not filter on related models)."""

from __future__ import annotations

import json
from typing import Any

import httpx
import pytest

from tests.functional.library import backend, client, library, served
from tests.http.support import error, ok

__all__ = ["backend", "client", "library", "served"]  # the fixtures this module uses


async def seed(api: httpx.AsyncClient) -> None:
    ok(await api.post("/Authors", json=[{"name": "A1"}, {"name": "A2"}, {"name": "A3"}]))
    books = [
        {"title": "b1", "authorId": 1, "pages": 100, "published": True},
        {"title": "b2", "authorId": 1, "pages": 300},
        {"title": "b3", "authorId": 2, "pages": 50, "internalCode": "x"},
        {"title": "b4", "pages": 400, "published": True},
    ]
    ok(await api.post("/Books", json=books))
    ok(await api.post("/Tags", json=[{"name": "t1"}, {"name": "t2"}]))
    for book, tag in ((1, 1), (2, 2), (3, 2)):
        ok(await api.put(f"/Books/{book}/tags/rel/{tag}"))
    ok(await api.post("/Patrons", json=[{"name": "P1"}, {"name": "P2"}]))
    ok(await api.post("/Loans", json=[{"patronId": 1, "bookId": 3}]))
    ok(await api.post("/LibraryCards", json=[{"number": "c1", "patronId": 2}]))
    pictures = [
        {"url": "u1", "imageableId": 1, "imageableType": "Author"},
        {"url": "u2", "imageableId": 2, "imageableType": "Book"},
    ]
    ok(await api.post("/Pictures", json=pictures))


async def ids(api: httpx.AsyncClient, path: str, where: dict[str, Any]) -> list[int]:
    rows = ok(await api.get(path, params={"filter": json.dumps({"where": where})}))
    return [row["id"] for row in rows]


CASES: list[tuple[str, str, dict[str, Any], list[int]]] = [
    ("has-many", "/Authors", {"books.title": "b3"}, [2]),
    ("has-many-op", "/Authors", {"books.pages": {"gte": 200}}, [1]),
    ("same-row", "/Authors", {"books.pages": {"gte": 200}, "books.published": True}, []),
    (
        "and-rows",
        "/Authors",
        {"and": [{"books.pages": {"gte": 200}}, {"books.published": True}]},
        [1],
    ),
    ("or", "/Authors", {"or": [{"books.title": "b3"}, {"name": "A3"}]}, [2, 3]),
    ("with-own", "/Authors", {"name": "A1", "books.title": "b3"}, []),
    ("nested-path", "/Authors", {"books.tags.name": "t2"}, [1, 2]),
    ("belongs-to", "/Books", {"author.name": "A1"}, [1, 2]),
    ("belongs-to-inq", "/Books", {"author.name": {"inq": ["A2", "A3"]}}, [3]),
    ("habtm", "/Tags", {"books.title": {"inq": ["b1", "b3"]}}, [1, 2]),
    ("habtm-reverse", "/Books", {"tags.name": "t2"}, [2, 3]),
    ("through", "/Patrons", {"books.title": "b3"}, [1]),
    ("through-reverse", "/Books", {"patrons.name": "P1"}, [3]),
    ("has-one", "/Patrons", {"libraryCard.number": "c1"}, [2]),
    ("polymorphic-has-many", "/Authors", {"pictures.url": "u1"}, [1]),
    ("polymorphic-has-one", "/Books", {"cover.url": {"neq": None}}, [2]),
    ("polymorphic-other-type", "/Authors", {"pictures.url": "u2"}, []),
    ("scope-applies", "/Authors", {"publishedBooks.pages": {"lt": 1000}}, [1]),
    ("three-levels", "/Tags", {"books.author.books.title": "b2"}, [1, 2]),
]


@pytest.mark.parametrize(("name", "path", "where", "expected"), CASES, ids=[c[0] for c in CASES])
async def test_related_where(
    client: httpx.AsyncClient, name: str, path: str, where: dict[str, Any], expected: list[int]
) -> None:
    await seed(client)
    assert await ids(client, path, where) == expected
    count = ok(await client.get(f"{path}/count", params={"where": json.dumps(where)}))
    assert count == {"count": len(expected)}


async def test_update_and_destroy_all(client: httpx.AsyncClient, served: Any) -> None:
    await seed(client)
    where = json.dumps({"books.tags.name": "t2"})
    updated = ok(
        await client.post("/Authors/update", params={"where": where}, json={"email": "x@y"})
    )
    assert updated == {"count": 2}
    assert await ids(client, "/Authors", {"email": "x@y"}) == [1, 2]
    # the table being changed is read again inside the EXISTS (MySQL refuses that unless aliased)
    assert await served.models["Book"].update_all({"author.books.title": "b3"}, {"pages": 7}) == 1
    assert await served.models["Book"].destroy_all({"author.name": "A1"}) == 2
    assert await ids(client, "/Books", {}) == [3, 4]


async def test_python_api_and_relation_endpoint(client: httpx.AsyncClient, served: Any) -> None:
    await seed(client)
    assert [
        a["id"] for a in await served.models["Author"].find({"where": {"books.pages": {"lt": 60}}})
    ] == [2]
    assert await served.models["Book"].count({"tags.name": "t1"}) == 1
    rows = ok(
        await client.get("/Authors/1/books", params={"filter": '{"where":{"tags.name":"t2"}}'})
    )
    assert [r["id"] for r in rows] == [2]


@pytest.mark.parametrize(
    ("path", "where", "message"),
    [
        ("/Authors", {"books.internalCode": "x"}, "internalCode"),
        ("/Authors", {"books.nope": 1}, "nope"),
        ("/Authors", {"books.title": {"foo": 1}}, "foo"),
        ("/Books", {"relatedTags.name": "t1"}, "referencesMany"),
        ("/Pictures", {"imageable.name": "A1"}, "polymorphic"),
        ("/Patrons", {"loans.due": {"neq": None}}, "disableInclude"),
    ],
)
async def test_bad_related_where_is_400(
    client: httpx.AsyncClient, path: str, where: dict[str, Any], message: str
) -> None:
    err = error(await client.get(path, params={"filter": json.dumps({"where": where})}), 400)
    assert message in err["message"]
