"""Every relation kind but the embedded ones, through REST and the Python API, on the library example
(specs/library: the app tests/oracle/lb3-3.28/relations.md probed on LB3 3.28), on every backend.

LB3's answers where they are sound; where LB3 answers 500, stores dangling rows or deletes too much,
the sane answer listed in docs/lb3-differences.md.
"""

from __future__ import annotations

from typing import Any
from unittest.mock import ANY

import httpx
import pytest

from runtime.app import LoopBackApp
from tests.functional.library import backend, client, library, served
from tests.http.support import error, ok

__all__ = ["backend", "client", "library", "served"]  # the fixtures this module uses


@pytest.fixture
def api(client: httpx.AsyncClient) -> httpx.AsyncClient:
    return client


async def seed(api: httpx.AsyncClient, path: str, items: list[dict[str, Any]]) -> list[Any]:
    created = ok(await api.post(path, json=items))
    assert isinstance(created, list)
    return created


def ids(rows: list[dict[str, Any]]) -> list[Any]:
    return [row["id"] for row in rows]


# ---- hasAndBelongsToMany (join model TagBook, created by the compiler) -----------------------------


async def test_habtm_link_is_idempotent_and_only_to_existing_tags(api: httpx.AsyncClient) -> None:
    await seed(api, "/Books", [{"title": "B1"}, {"title": "B2"}])
    await seed(api, "/Tags", [{"name": "t1"}, {"name": "t2"}, {"name": "t3"}])
    first = ok(await api.put("/Books/1/tags/rel/1"))
    assert first == {"id": 1, "tagId": 1, "bookId": 1}
    assert ok(await api.put("/Books/1/tags/rel/1")) == first  # again: the same row
    # the path's keys win over the body's
    linked = ok(await api.put("/Books/1/tags/rel/2", json={"bookId": 2, "tagId": 3}))
    assert (linked["bookId"], linked["tagId"]) == (1, 2)
    err = error(await api.put("/Books/1/tags/rel/999"), 404)  # LB3: 200 and a dangling row
    assert (err["message"], err["code"]) == ('Unknown "Tag" id "999".', "MODEL_NOT_FOUND")
    error(await api.put("/Books/1/tags/rel/abc"), 404)
    error(await api.put("/Books/999/tags/rel/1"), 404)

    assert [t["name"] for t in ok(await api.get("/Books/1/tags"))] == ["t1", "t2"]
    assert ok(await api.get("/Books/1/tags/count")) == {"count": 2}
    assert ok(await api.get("/Books/1/tags/count", params={"where": '{"name":"t2"}'})) == {
        "count": 1
    }
    assert ids(ok(await api.get("/Tags/1/books"))) == [1]  # the other side reads the same rows
    assert ok(await api.get("/Books/1/tags/1"))["name"] == "t1"
    err = error(await api.get("/Books/1/tags/3"), 404)
    assert err["message"] == "No relation found in TagBook for (Book.1,Tag.3)"

    assert (await api.head("/Books/1/tags/rel/1")).status_code == 200
    assert (await api.head("/Books/1/tags/rel/3")).status_code == 404
    assert (await api.head("/Books/999/tags/rel/1")).status_code == 404

    assert (await api.delete("/Books/1/tags/rel/2")).status_code == 204
    assert (await api.delete("/Books/1/tags/rel/2")).status_code == 204  # not linked: a no-op
    for impossible in ("0", "abc", str(2**63)):  # no tag can have it: 404, as every id operation
        error(await api.delete(f"/Books/1/tags/rel/{impossible}"), 404)
    assert ids(ok(await api.get("/Books/1/tags"))) == [1]
    assert len(ok(await api.get("/Tags"))) == 3  # unlinking deletes no tag


async def test_habtm_writes_through_the_relation(api: httpx.AsyncClient) -> None:
    await seed(api, "/Books", [{"title": "B1"}, {"title": "B2"}])
    created = ok(await api.post("/Books/1/tags", json={"name": "via-book"}))
    assert created == {"name": "via-book", "id": 1}
    both = ok(await api.post("/Books/1/tags", json=[{"name": "a"}, {"name": "b"}]))
    assert [t["name"] for t in both] == ["a", "b"]
    assert ok(await api.get("/Books/1/tags/count")) == {"count": 3}
    invalid = error(await api.post("/Books/1/tags", json={}), 422)
    assert invalid["details"]["codes"] == {"name": ["presence"]}
    assert ok(await api.get("/Tags/count")) == {"count": 3}  # nothing half-created
    error(await api.post("/Books/1/tags", json="str"), 400)

    assert ok(await api.put("/Books/1/tags/1", json={"name": "renamed"}))["name"] == "renamed"
    ok(await api.put("/Books/2/tags/rel/1"))
    error(await api.put("/Books/2/tags/2", json={"name": "x"}), 404)  # tag 2 is not book 2's

    # destroyById deletes the tag and every join row pointing at it (LB3 leaves book 2's dangling)
    assert (await api.delete("/Books/1/tags/1")).status_code == 204
    error(await api.get("/Tags/1"), 404)
    assert ok(await api.get("/Books/2/tags/count")) == {"count": 0}
    error(await api.delete("/Books/1/tags/1"), 404)

    # delete-all unlinks: the join rows go, the tags stay
    assert (await api.delete("/Books/1/tags")).status_code == 204
    assert ok(await api.get("/Books/1/tags")) == []
    assert [t["name"] for t in ok(await api.get("/Tags"))] == ["a", "b"]


# ---- hasMany through Loan ------------------------------------------------------------------------


async def test_through_links_carry_the_join_models_properties(api: httpx.AsyncClient) -> None:
    await seed(api, "/Patrons", [{"name": "P1"}, {"name": "P2"}])
    await seed(api, "/Books", [{"title": "B1"}, {"title": "B2"}, {"title": "B3"}])
    loan = ok(await api.put("/Patrons/1/books/rel/1", json={"due": "2024-01-31"}))
    assert loan == {"due": "2024-01-31T00:00:00.000Z", "id": 1, "patronId": 1, "bookId": 1}
    again = ok(await api.put("/Patrons/1/books/rel/1", json={"due": "2025-01-01"}))
    assert again == loan  # linked already: unchanged, as LB3
    # ...but a bad body is refused even then, not ignored
    unknown = error(await api.put("/Patrons/1/books/rel/1", json={"nope": 1}), 422)
    assert unknown["details"]["codes"] == {"nope": ["unknown-property"]}
    invalid = error(await api.put("/Patrons/1/books/rel/2", json={"due": "not-a-date"}), 422)
    assert invalid["details"]["codes"] == {"due": ["date"]}
    moved = ok(await api.put("/Patrons/2/books/rel/2", json={"patronId": 1, "bookId": 3}))
    assert (moved["patronId"], moved["bookId"]) == (2, 2)
    error(await api.put("/Patrons/1/books/rel/2", json=[1]), 400)

    # a second Loan of the same pair, made through the Loan model: no duplicate in the list
    ok(await api.post("/Patrons/1/loans", json={"bookId": 1}))
    assert ids(ok(await api.get("/Patrons/1/books"))) == [1]
    assert ok(await api.get("/Patrons/1/books/count")) == {"count": 1}
    assert ids(ok(await api.get("/Books/2/patrons"))) == [2]
    err = error(await api.get("/Books/2/patrons/1"), 404)
    assert err["message"] == "No relation found in Loan for (Book.2,Patron.1)"

    created = ok(await api.post("/Patrons/2/books", json={"title": "new"}))
    assert ids(ok(await api.get("/Patrons/2/books"))) == [2, created["id"]]

    assert (await api.delete("/Patrons/1/books/rel/1")).status_code == 204
    assert ok(await api.get("/Patrons/1/loans")) == []  # both loans of the pair
    assert (await api.delete(f"/Patrons/2/books/{created['id']}")).status_code == 204
    error(await api.get(f"/Books/{created['id']}"), 404)
    assert [x["bookId"] for x in ok(await api.get("/Loans"))] == [2]


# ---- referencesMany ------------------------------------------------------------------------------


async def test_references_many_keeps_the_id_order(api: httpx.AsyncClient) -> None:
    await seed(api, "/Tags", [{"name": "a"}, {"name": "b"}, {"name": "c"}, {"name": "d"}])
    book = ok(await api.post("/Books", json={"title": "B"}))
    assert book["relatedTagIds"] == []
    for tag in (3, 1, 2):
        assert ok(await api.put(f"/Books/1/relatedTags/rel/{tag}"))["id"] == tag
    assert ok(await api.put("/Books/1/relatedTags/rel/3"))["name"] == "c"  # again: no change
    assert ok(await api.get("/Books/1"))["relatedTagIds"] == [3, 1, 2]
    assert ids(ok(await api.get("/Books/1/relatedTags"))) == [3, 1, 2]
    ordered = ok(await api.get("/Books/1/relatedTags", params={"filter": '{"order":"name DESC"}'}))
    assert ids(ordered) == [3, 2, 1]
    page = ok(await api.get("/Books/1/relatedTags", params={"filter": '{"limit":1,"skip":1}'}))
    assert ids(page) == [1]
    # count counts the referenced tags (LB3 counts every tag)
    assert ok(await api.get("/Books/1/relatedTags/count")) == {"count": 3}
    assert ok(await api.get("/Books/1/relatedTags/count", params={"where": '{"name":"d"}'})) == {
        "count": 0
    }
    error(await api.put("/Books/1/relatedTags/rel/999"), 404)  # LB3: 200 null
    assert (await api.head("/Books/1/relatedTags/rel/1")).status_code == 200  # LB3: 500
    assert (await api.head("/Books/1/relatedTags/rel/4")).status_code == 404
    error(await api.get("/Books/1/relatedTags/4"), 404)
    assert ok(await api.get("/Books/1/relatedTags/1"))["name"] == "a"

    created = ok(await api.post("/Books/1/relatedTags", json={"name": "e"}))
    assert ok(await api.get("/Books/1"))["relatedTagIds"] == [3, 1, 2, created["id"]]
    assert ok(await api.put("/Books/1/relatedTags/2", json={"name": "b2"}))["name"] == "b2"
    error(await api.put("/Books/1/relatedTags/4", json={"name": "x"}), 404)
    assert (await api.delete("/Books/1/relatedTags/2")).status_code == 204  # the tag goes too
    error(await api.get("/Tags/2"), 404)
    assert (await api.delete("/Books/1/relatedTags/rel/3")).status_code == 204
    assert (await api.delete("/Books/1/relatedTags/rel/3")).status_code == 204
    assert ok(await api.get("/Books/1"))["relatedTagIds"] == [1, created["id"]]
    # delete-all empties the list and keeps the tags (LB3 deletes every tag in the database)
    assert (await api.delete("/Books/1/relatedTags")).status_code == 204
    assert ok(await api.get("/Books/1"))["relatedTagIds"] == []
    assert ok(await api.get("/Tags/count")) == {"count": 4}


# ---- polymorphic ---------------------------------------------------------------------------------


async def test_polymorphic_children_are_told_apart_by_type(api: httpx.AsyncClient) -> None:
    await seed(api, "/Authors", [{"name": "A1"}])
    await seed(api, "/Books", [{"title": "B1"}, {"title": "B2"}])
    cover = ok(await api.post("/Books/1/cover", json={"url": "c.png", "imageableType": "Author"}))
    assert cover == {"url": "c.png", "id": 1, "imageableId": 1, "imageableType": "Book"}
    error(await api.post("/Books/1/cover", json={"url": "c2.png"}), 409)
    pic = ok(await api.post("/Authors/1/pictures", json={"url": "a.png", "imageableId": 2}))
    assert (pic["imageableId"], pic["imageableType"]) == (1, "Author")
    # same imageableId 1 on both: each parent sees only its own type
    assert [p["url"] for p in ok(await api.get("/Authors/1/pictures"))] == ["a.png"]
    assert ok(await api.get("/Authors/1/pictures/count")) == {"count": 1}
    assert ok(await api.get("/Books/1/cover"))["url"] == "c.png"
    error(await api.get("/Authors/1/pictures/1"), 404)
    # the discriminator is the server's too (LB3 lets an update move the cover to the author)
    kept = ok(await api.put("/Books/1/cover", json={"url": "c3.png", "imageableType": "Author"}))
    assert (kept["url"], kept["imageableType"]) == ("c3.png", "Book")

    assert ok(await api.get("/Pictures/1/imageable")) == ok(await api.get("/Books/1"))
    assert ok(await api.get("/Pictures/2/imageable")) == ok(await api.get("/Authors/1"))
    lower = ok(
        await api.post("/Pictures", json={"url": "l", "imageableType": "book", "imageableId": 2})
    )
    assert ok(await api.get(f"/Pictures/{lower['id']}/imageable"))["title"] == "B2"
    for body in ({"url": "none"}, {"url": "bad", "imageableType": "Nope", "imageableId": 1},
                 {"url": "dangling", "imageableType": "Book", "imageableId": 99}):  # fmt: skip
        orphan = ok(await api.post("/Pictures", json=body))
        err = error(await api.get(f"/Pictures/{orphan['id']}/imageable"), 404)  # LB3: 500 / null
        assert err["code"] == "MODEL_NOT_FOUND"


@pytest.mark.parametrize("refresh", ["", "true", "FALSE", "1", "0"])
async def test_refresh_is_read_as_lb3_reads_a_boolean(api: httpx.AsyncClient, refresh: str) -> None:
    """strong-remoting's boolean on LB3 3.28: `?refresh=` is refresh not sent (the document says
    allowEmptyValue), true/false/1/0 in any case are booleans."""
    await seed(api, "/Books", [{"title": "B1"}])
    ok(await api.post("/Pictures", json={"url": "p", "imageableType": "Book", "imageableId": 1}))
    got = ok(await api.get(f"/Pictures/1/imageable?refresh={refresh}"))
    assert got == ok(await api.get("/Books/1"))


@pytest.mark.parametrize("refresh", ["abc", "yes", "2"])
async def test_refresh_that_is_no_boolean_is_400(api: httpx.AsyncClient, refresh: str) -> None:
    """LB3 3.28: 400 `Value is not a boolean.`, name Error."""
    await seed(api, "/Books", [{"title": "B1"}])
    ok(await api.post("/Pictures", json={"url": "p", "imageableType": "Book", "imageableId": 1}))
    err = error(await api.get(f"/Pictures/1/imageable?refresh={refresh}"), 400)
    assert (err["name"], err["message"]) == ("Error", "Value is not a boolean.")


@pytest.mark.parametrize("blank", [b" ", b"  \n", b"\t"])
async def test_a_blank_json_body_on_a_relation_create_is_a_syntax_error(
    api: httpx.AsyncClient, blank: bytes
) -> None:
    """LB3 3.28 (body-parser, then JSON.parse) answers 400 SyntaxError to a JSON body of only
    whitespace; an empty body is an empty object there and here."""
    await seed(api, "/Books", [{"title": "B1"}])
    json_type = {"content-type": "application/json"}
    response = await api.post("/Books/1/loans", content=blank, headers=json_type)
    err = error(response, 400)
    assert err["name"] == "SyntaxError"
    assert err["message"].startswith("The request body is not valid JSON: ")
    assert ok(await api.get("/Books/1/loans")) == []
    empty = ok(await api.post("/Books/1/loans", content=b"", headers=json_type))
    assert empty["bookId"] == 1


# ---- scope, properties, nestRemoting ---------------------------------------------------------------


async def test_scope_and_properties_apply_to_creates(api: httpx.AsyncClient) -> None:
    await seed(api, "/Authors", [{"name": "Ann"}, {"name": "Bob"}])
    via_scope = ok(await api.post("/Authors/1/publishedBooks", json={"title": "zeta"}))
    assert via_scope["published"] is True  # LB3 ignores the scope and stores false
    ok(await api.post("/Authors/1/books", json={"title": "alpha", "published": True}))
    ok(await api.post("/Authors/1/books", json={"title": "draft"}))
    titles = [b["title"] for b in ok(await api.get("/Authors/1/publishedBooks"))]
    assert titles == ["alpha", "zeta"]  # the scope's order
    desc = ok(
        await api.get("/Authors/1/publishedBooks", params={"filter": '{"order":"title DESC"}'})
    )
    assert [b["title"] for b in desc] == ["zeta", "alpha"]
    assert ok(await api.get("/Authors/1/publishedBooks/count")) == {"count": 2}
    error(await api.get("/Authors/1/publishedBooks/3"), 404)  # out of scope
    signed = ok(await api.post("/Authors/2/signedBooks", json={"title": "s", "authorName": "X"}))
    assert (signed["authorName"], signed["authorId"]) == ("Bob", 2)
    # what the server sets must still be a valid value when the body sends it
    bad = error(
        await api.post("/Authors/1/publishedBooks", json={"title": "t", "published": {}}), 422
    )
    assert bad["details"]["codes"] == {"published": ["type"]}
    error(await api.post("/Authors/2/signedBooks", json=[{"title": "t", "authorName": {}}]), 422)


async def test_nest_remoting_reaches_the_childs_relations(api: httpx.AsyncClient) -> None:
    await seed(api, "/Authors", [{"name": "Ann"}, {"name": "Bob"}])
    ok(await api.post("/Authors/1/books", json={"title": "mine"}))
    ok(await api.post("/Authors/2/books", json={"title": "theirs"}))
    await seed(api, "/Tags", [{"name": "t1"}])
    assert ok(await api.get("/Authors/1/books/1/author")) == ok(await api.get("/Authors/1"))
    err = error(await api.get("/Authors/1/books/2/author"), 404)
    assert err["message"] == "No instance with id 2 found for Book"
    assert ok(await api.put("/Authors/1/books/1/tags/rel/1")) == {"id": 1, "tagId": 1, "bookId": 1}
    assert ok(await api.get("/Authors/1/books/1/tags/count")) == {"count": 1}
    assert (await api.head("/Authors/1/books/1/tags/rel/1")).status_code == 200
    error(await api.put("/Authors/1/books/2/tags/rel/1"), 404)
    err = error(await api.get("/Authors/999/books/1/tags"), 404)
    assert err["message"] == "could not find a model with id 999"


# ---- no cascades, as in LB3 ------------------------------------------------------------------------


async def test_deleting_a_parent_cascades_nowhere(api: httpx.AsyncClient) -> None:
    await seed(api, "/Authors", [{"name": "Ann"}])
    await seed(api, "/Patrons", [{"name": "P"}])
    ok(await api.post("/Authors/1/books", json={"title": "B"}))
    await seed(api, "/Tags", [{"name": "t"}])
    ok(await api.put("/Books/1/tags/rel/1"))
    ok(await api.put("/Patrons/1/books/rel/1"))
    ok(await api.post("/Books/1/cover", json={"url": "c"}))
    ok(await api.post("/Patrons/1/libraryCard", json={"number": "C-1"}))

    assert ok(await api.delete("/Authors/1")) == {"count": 1}
    assert ok(await api.get("/Books/1"))["authorId"] == 1  # the book stays, its key too
    error(await api.get("/Books/1/author"), 404)
    assert ok(await api.delete("/Books/1")) == {"count": 1}
    assert len(ok(await api.get("/Loans"))) == 1  # the loan and the cover stay
    assert ok(await api.get("/Pictures/1"))["imageableId"] == 1
    # a join row whose book is gone is neither listed nor counted
    assert ok(await api.get("/Tags/1/books")) == []
    assert ok(await api.get("/Tags/1/books/count")) == {"count": 0}
    assert ok(await api.get("/Patrons/1/books/count")) == {"count": 0}
    assert ok(await api.delete("/Patrons/1")) == {"count": 1}
    assert ok(await api.get("/LibraryCards/1"))["patronId"] == 1


# ---- the Python API ------------------------------------------------------------------------------


async def test_python_api_by_attribute(served: LoopBackApp) -> None:
    books, tags, authors = (served.models[n] for n in ("Book", "Tag", "Author"))
    ann = await authors.create({"name": "Ann"})
    book = await authors.at(ann).books.create({"title": "B"})
    assert await books.at(book).author.get() == ann
    tag = await tags.create({"name": "t"})
    row = await books.at(book).tags.add(tag)
    assert (row["bookId"], row["tagId"]) == (book["id"], tag["id"])
    assert await books.at(book["id"]).tags.exists(tag["id"]) is True
    assert await books.at(book).tags.find() == [tag]
    await books.at(book).tags.remove(tag)
    assert await books.at(book).tags.count() == 0
    assert await books.at(book).related_tags.add(tag) == tag
    assert await books.at(book).related_tags.find() == [tag]
    patron = await served.models["Patron"].create({"name": "P"})
    loan = await served.models["Patron"].at(patron).books.add(book, {"due": "2024-01-01"})
    assert loan["due"] == "2024-01-01T00:00:00.000Z"
    assert [b["title"] for b in await authors.at(ann).books.find({"where": {"title": "B"}})] == [
        "B"
    ]
    # polymorphic and embedded relations, the same way
    cover = await books.at(book).cover.create({"url": "c.png"})
    assert (cover["imageableId"], cover["imageableType"]) == (book["id"], "Book")
    assert await served.models["Picture"].at(cover).imageable.get() == await books.find_by_id(
        book["id"]
    )
    address = await authors.at(ann).address.create({"city": "Oslo"})
    assert await authors.at(ann).address.get() == address
    notes = served.models["Patron"].at(patron).note_list
    first = await notes.create({"text": "a"})
    await notes.create({"text": "b"})
    assert await notes.count({"text": "b"}) == 1
    assert await notes.find({"order": "text DESC", "limit": 1}) == [
        {**first, "text": "b", "id": ANY}
    ]
    with pytest.raises(AttributeError, match="Book has no relation 'nope'"):
        _ = books.at(book).nope
