"""Includes load one statement per relation level, whatever the number of parents: three levels over
100 parents are 4 statements (the parents, then one per level), with or without a per-parent limit
(a window function), on every backend. Counted with a `before_cursor_execute` listener on the app's
engine."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from runtime.app import LoopBackApp
from tests.functional.library import backend, client, library, served
from tests.http.support import ok

__all__ = ["backend", "client", "library", "served"]  # the fixtures this module uses

PARENTS = 100


@contextmanager
def statements(app: LoopBackApp) -> Iterator[list[str]]:
    """The SQL text of every statement the app runs inside the block."""
    engine = app.db.engine  # type: ignore[attr-defined]  # every backend's Database has one
    engine = getattr(engine, "sync_engine", engine)  # the AsyncEngine's events are its sync one
    seen: list[str] = []

    def count(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        seen.append(statement)

    sa.event.listen(engine, "before_cursor_execute", count)
    try:
        yield seen
    finally:
        sa.event.remove(engine, "before_cursor_execute", count)


async def seed(app: LoopBackApp) -> None:
    """100 authors with 2 books each; every book has 2 of 10 tags."""
    models = app.models
    await models["Author"].create([{"name": f"a{i:03}"} for i in range(PARENTS)])
    books = [{"title": f"b{i:03}-{j}", "authorId": i + 1} for i in range(PARENTS) for j in range(2)]
    await models["Book"].create(books)
    await models["Tag"].create([{"name": f"t{i}"} for i in range(10)])
    links = [
        {"bookId": b + 1, "tagId": (b + k) % 10 + 1} for b in range(2 * PARENTS) for k in (0, 3)
    ]
    await models["TagBook"].create(links)


async def get(client: httpx.AsyncClient, path: str, flt: dict[str, Any]) -> Any:
    return ok(await client.get(path, params={"filter": json.dumps(flt)}))


@pytest.mark.parametrize(
    "include",
    [
        {"books": {"tags": "books"}},
        {
            "relation": "books",
            "scope": {
                "order": "title DESC",
                "limit": 1,
                "include": {
                    "relation": "tags",
                    "scope": {"limit": 1, "include": {"relation": "books", "scope": {"skip": 1}}},
                },
            },
        },
    ],
    ids=["plain", "per-parent-limits"],
)
async def test_three_levels_over_100_parents_are_4_statements(
    client: httpx.AsyncClient, served: LoopBackApp, include: dict[str, Any]
) -> None:
    await seed(served)
    with statements(served) as seen:
        authors = await get(client, "/Authors", {"include": include})
    assert len(authors) == PARENTS
    assert all(a["books"] and a["books"][0]["tags"] for a in authors)
    assert len(seen) == 4, seen
    if "scope" in include:
        assert [len(a["books"]) for a in authors] == [1] * PARENTS
        assert authors[0]["books"][0]["title"] == "b000-1"
        assert all(len(b["tags"]) == 1 for a in authors for b in a["books"])


async def test_every_kind_is_one_statement(client: httpx.AsyncClient, served: LoopBackApp) -> None:
    await seed(served)
    for book in range(1, 2 * PARENTS + 1, 7):
        await served.models["Book"].patch_attributes(book, {"relatedTagIds": [3, 1]})
    await served.models["Picture"].create(
        [
            {"url": f"u{i}", "imageableId": i + 1, "imageableType": ("Author", "Book")[i % 2]}
            for i in range(50)
        ]
    )
    kinds = ["author", "tags", "relatedTags", "cover", "loans", "patrons"]
    with statements(served) as seen:
        await get(client, "/Books", {"include": kinds})
    assert len(seen) == 1 + len(kinds), seen
    with statements(served) as seen:  # polymorphic belongsTo: one per model present
        await get(client, "/Pictures", {"include": "imageable"})
    assert len(seen) == 3, seen
    with statements(served) as seen:  # embedded: none
        await get(client, "/Authors", {"include": "address"})
    assert len(seen) == 1, seen


async def test_more_keys_than_a_chunk(client: httpx.AsyncClient, served: LoopBackApp) -> None:
    """Past 500 keys the IN list is split: 1200 parents are 1 + 3 statements."""
    await served.models["Tag"].create([{"name": f"t{i}"} for i in range(1200)])
    with statements(served) as seen:
        tags = await get(client, "/Tags", {"include": "books"})
    assert len(tags) == 1200 and all(t["books"] == [] for t in tags)
    assert len(seen) == 4, seen
