"""Operation hooks on every kind of relation write of the library example, through REST, on every
backend: a link writes the join model (its hooks fire), a referencesMany or embedsMany write is a
patch of the parent (the parent's hooks fire), and a hook that raises leaves everything as it was."""

from __future__ import annotations

from collections.abc import Iterator
from typing import Any

import httpx
import pytest

from runtime.app import LoopBackApp
from runtime.errors import LoopBackError
from runtime.hooks import HookContext
from tests.functional.library import backend, client, library, served
from tests.http.support import ok

__all__ = ["backend", "client", "library", "served"]  # the fixtures this module uses


class Refused(LoopBackError):
    status = 403


@pytest.fixture
def seen(served: LoopBackApp) -> Iterator[list[tuple[str, str, Any]]]:
    """(model, hook, what it saves or deletes) of Book, Patron and Book.tags' join model."""
    log: list[tuple[str, str, Any]] = []
    join = served.models["Book"].relation("tags").through
    assert join is not None
    added = []
    for model in (served.models["Book"], served.models["Patron"], join):
        for hook in ("before save", "before delete"):

            def record(ctx: HookContext, hook: str = hook) -> None:
                body = ctx.instance if ctx.instance is not None else ctx.data
                log.append((ctx.model.name, hook, body if body is not None else ctx.where))
                if body is not None and body.get("name") == "refuse":
                    raise Refused("refused")

            model.observe(hook, record)
            added.append((model, hook, record))
    yield log
    for model, hook, fn in added:
        model.remove_observer(hook, fn)


async def test_relation_writes_fire_the_hooks_of_what_they_write(
    client: httpx.AsyncClient, served: LoopBackApp, seen: list[tuple[str, str, Any]]
) -> None:
    ok(await client.post("/Tags", json=[{"name": "t1"}, {"name": "t2"}]))
    ok(await client.post("/Books", json={"title": "b1"}))
    ok(await client.post("/Patrons", json={"name": "p1"}))
    seen.clear()
    join = served.models["Book"].relation("tags").through
    assert join is not None
    ok(await client.put("/Books/1/tags/rel/2"))
    assert [(m, h) for m, h, _ in seen] == [(join.name, "before save")]
    assert seen[0][2]["bookId"] == 1 and seen[0][2]["tagId"] == 2
    seen.clear()
    assert (await client.delete("/Books/1/tags/rel/2")).status_code == 204
    assert [(m, h) for m, h, _ in seen] == [(join.name, "before delete")]
    seen.clear()
    ok(await client.put("/Books/1/relatedTags/rel/1"))
    assert seen == [("Book", "before save", {"relatedTagIds": [1]})]
    seen.clear()
    ok(await client.post("/Patrons/1/noteList", json={"text": "hello"}))
    assert [(m, h, list(body)) for m, h, body in seen] == [("Patron", "before save", ["notes"])]


async def test_a_refusing_hook_undoes_a_relation_write(
    client: httpx.AsyncClient, seen: list[tuple[str, str, Any]]
) -> None:
    ok(await client.post("/Books", json={"title": "b1"}))
    ok(await client.post("/Patrons", json={"name": "p1"}))
    # hasMany through Loan: the new Patron is refused after nothing else was written
    response = await client.post("/Books/1/patrons", json={"name": "refuse"})
    assert response.status_code == 403
    assert ok(await client.get("/Patrons/count"))["count"] == 1
    assert ok(await client.get("/Loans/count"))["count"] == 0


async def test_a_refusing_join_hook_undoes_the_target_created_first(
    client: httpx.AsyncClient, served: LoopBackApp
) -> None:
    """POST /Books/1/tags creates the Tag, then its join row: refusing the join row takes the
    Tag back too (one transaction)."""
    ok(await client.post("/Books", json={"title": "b1"}))
    join = served.models["Book"].relation("tags").through
    assert join is not None

    def refuse(_ctx: HookContext) -> None:
        raise Refused("no links today")

    join.observe("before save", refuse)
    try:
        response = await client.post("/Books/1/tags", json={"name": "t9"})
    finally:
        join.remove_observer("before save", refuse)
    assert response.status_code == 403
    assert ok(await client.get("/Tags/count"))["count"] == 0
