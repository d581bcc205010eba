"""`$owner` in the read stage and the bulk writes, through the Python API with a caller's Context: each
read sees the caller's own rows (in the SQL where), a refused caller gets LB3's error, includes and
related wheres leave out what the caller may not read, bulk writes touch only the caller's rows."""

from __future__ import annotations

import copy
from collections.abc import AsyncIterator
from typing import Any

import pytest
import sqlalchemy as sa

from generated.library import create_app as create_library
from runtime.app import LoopBackApp
from runtime.auth.authorizer import Authorizer
from runtime.auth.denial import AccessError
from runtime.auth.roles import RoleRegistry
from runtime.auth.scoping import NOTHING, attach, negate
from runtime.context import Context
from runtime.db import sync_engine
from runtime.errors import InvalidFilter
from runtime.filter.ast import And, Condition, Or
from runtime.filter.parse import FilterParser
from runtime.registry import build_registry
from tests.auth.owner_app import ALICE, BOB, EVERYONE_DENY, as_user, seed, serving
from tests.databases import ALL_BACKENDS, TestDatabases
from tests.http.conftest import empty


@pytest.fixture(scope="module", params=ALL_BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
async def started(
    owner_package: tuple[Any, dict[str, Any]], backend: str, databases: TestDatabases
) -> AsyncIterator[tuple[LoopBackApp, sa.Engine]]:
    application: LoopBackApp = owner_package[0].create_app(db_url=databases.fresh(backend))
    async with serving(application):  # boot/admin.py: enable_auth (and the default admin)
        with sync_engine(application.db.url) as engine:
            yield application, engine


@pytest.fixture
async def app(started: tuple[LoopBackApp, sa.Engine]) -> LoopBackApp:
    """The backend's app with the probe's rows only, ids from 1."""
    application, engine = started
    empty(application, engine)
    await seed(application)
    return application


def titles(rows: list[dict[str, Any]]) -> list[str]:
    return sorted(r["title"] for r in rows)


async def test_list_reads_see_the_callers_rows(app: LoopBackApp) -> None:
    notes = app.models["Note"]
    alice = as_user(ALICE)
    assert titles(await notes.find(ctx=alice)) == ["a1", "a2"]
    assert titles(await notes.find({"where": {"title": {"like": "b%"}}}, ctx=alice)) == []
    assert await notes.count(ctx=alice) == 2
    assert await notes.count({"title": "b1"}, ctx=as_user(BOB)) == 1
    assert (await notes.find_one({"order": "title DESC"}, ctx=alice) or {})["title"] == "a2"
    assert await notes.find_by_id(2, ctx=alice) is None
    assert await notes.exists(1, ctx=alice) and not await notes.exists(2, ctx=alice)
    # a system context (boot scripts, Python without a context) is not restricted
    assert await notes.count() == 4 and await notes.count(ctx=Context.for_system()) == 4


async def test_a_caller_with_no_rows_allowed_is_refused(app: LoopBackApp) -> None:
    with pytest.raises(AccessError) as refused:
        await app.models["Note"].find(ctx=as_user(None))
    assert refused.value.status == 401
    with pytest.raises(AccessError):
        await app.models["Secret"].count(ctx=as_user(ALICE))


async def test_relation_reads_and_includes_see_only_readable_targets(app: LoopBackApp) -> None:
    boards = app.models["Board"]
    alice = as_user(ALICE)
    assert titles(await boards.related(1, "notes", ctx=alice).find()) == ["a1"]
    assert await boards.related(2, "notes", ctx=as_user(BOB)).count() == 1
    with pytest.raises(AccessError):  # a relation endpoint of an unreadable target: LB3's error
        await boards.related(1, "secrets", ctx=alice).find()
    found = await boards.find({"include": ["notes", "secrets"], "order": "id"}, ctx=alice)
    assert [titles(b["notes"]) for b in found] == [["a1"], ["a2"]]
    assert [b["secrets"] for b in found] == [[], []]  # unreadable: left out, no error
    anonymous = await boards.find({"include": "notes"}, ctx=as_user(None))
    assert [b["notes"] for b in anonymous] == [[], []]
    # Member (a User) lets no one `find`: a note's owner is left out of the include (no key)
    mine = await app.models["Note"].find({"include": ["owner", "board"]}, ctx=alice)
    assert [("owner" in n, n["board"]["name"]) for n in mine] == [(False, "home"), (False, "work")]


async def test_a_related_where_is_no_oracle_for_unreadable_rows(app: LoopBackApp) -> None:
    boards = app.models["Board"]
    alice = as_user(ALICE)
    # bob's note "b2" is on board 2: alice cannot find boards by it
    assert await boards.find({"where": {"notes.title": "b2"}}, ctx=alice) == []
    assert len(await boards.find({"where": {"notes.title": "a2"}}, ctx=alice)) == 1
    assert await boards.find({"where": {"secrets.text": "s1"}}, ctx=alice) == []
    assert len(await boards.find({"where": {"secrets.text": "s1"}})) == 1  # system


async def test_bulk_writes_touch_only_the_callers_rows(app: LoopBackApp) -> None:
    notes = app.models["Note"]
    alice = as_user(ALICE)
    assert await notes.update_all(None, {"title": "mine"}, ctx=alice) == 2
    assert await notes.update_all({"title": "b1"}, {"title": "stolen"}, ctx=alice) == 0
    assert titles(await notes.find()) == ["b1", "b2", "mine", "mine"]
    assert await notes.destroy_all({"title": {"neq": "x"}}, ctx=as_user(BOB)) == 2
    assert titles(await notes.find()) == ["mine", "mine"]
    assert await notes.destroy_by_id(1, ctx=as_user(BOB)) == 0
    with pytest.raises(AccessError):
        await notes.destroy_all(ctx=as_user(None))
    assert await notes.count() == 2


async def test_upsert_with_where_updates_only_an_owned_row(app: LoopBackApp) -> None:
    notes = app.models["Note"]
    bob = as_user(BOB)
    updated = await notes.upsert_with_where(
        {"title": "b1"}, {"title": "b1!", "ownerId": BOB}, ctx=bob
    )
    assert updated["id"] == 2
    # alice's a1 is not bob's to update: his upsert creates his own
    created = await notes.upsert_with_where(
        {"title": "a1"}, {"title": "a1", "ownerId": BOB}, ctx=bob
    )
    assert created["id"] == 5
    assert (await notes.find_by_id(1) or {})["ownerId"] == ALICE


def test_negation_treats_null_as_not_owned() -> None:
    owned = Or((Condition("userId", "eq", 1), And((Condition("userId", "eq", None),))))
    assert negate(owned) == And(
        (Condition("userId", "neq", 1), Or((Condition("userId", "neq", None),)))
    )
    assert negate(NOTHING) == And(())


async def test_relation_writes_obey_the_targets_acls(app: LoopBackApp) -> None:
    board = app.models["Board"].related(1, "notes", ctx=as_user(None))
    with pytest.raises(AccessError) as refused:  # Note's `create` is for $authenticated only
        await board.create({"title": "anonymous"})
    assert refused.value.status == 401
    alice = app.models["Board"].related(1, "notes", ctx=as_user(ALICE))
    # the child's foreign key is the path's, whatever the body says
    made = await alice.create({"title": "mine", "ownerId": ALICE, "boardId": 2})
    assert made["boardId"] == 1
    moved = await alice.update_by_id(1, {"boardId": 2, "title": "a1!"})
    assert (moved["boardId"], moved["title"]) == (1, "a1!")
    with pytest.raises(Exception) as hidden:  # bob's note on the board: not found for alice
        await alice.update_by_id(2, {"title": "stolen"})
    assert getattr(hidden.value, "status", None) == 404
    await alice.destroy_by_id(1)
    assert await app.models["Note"].count({"boardId": 1}) == 2


def test_access_tokens_are_never_included(owner_package: tuple[Any, dict[str, Any]]) -> None:
    """Even through a relation without `disableInclude` (here Member's own accessTokens, the option
    removed), a token row is never included nor probed by a related where."""
    document = copy.deepcopy(owner_package[1])
    member = document["x-lb-models"]["Member"]
    member["relations"]["accessTokens"]["options"] = {}
    models = build_registry(document).models
    parser = FilterParser(models["Member"], models)
    with pytest.raises(InvalidFilter, match="access tokens never are"):
        parser.parse({"include": "accessTokens"})
    with pytest.raises(InvalidFilter, match="access tokens never are"):
        parser.parse({"where": {"accessTokens.userId": 1}})


async def test_through_and_references_writes_obey_the_targets_acls() -> None:
    """The library's Book.tags (HABTM) and Book.relatedTags (referencesMany), with Tag closed to
    writes: a caller reads and links tags through Book, but creates none and changes none."""
    app = create_library(db_url="sqlite://")
    try:
        document = copy.deepcopy(app.document)
        deny_write = {**EVERYONE_DENY, "accessType": "WRITE"}
        document["x-lb-models"]["Tag"]["acls"] = [deny_write]
        attach(app.models.values(), Authorizer(document, RoleRegistry()))
        book = await app.models["Book"].create({"title": "Dune"})
        tag = await app.models["Tag"].create({"name": "sf"})
        alice = as_user(ALICE)
        tags = app.models["Book"].related(book["id"], "tags", ctx=alice)
        await tags.link(tag["id"])  # the join model has no ACLs; Tag is read, not written
        assert [t["name"] for t in await tags.find()] == ["sf"]
        for call in (
            tags.create({"name": "new"}),
            tags.update_by_id(tag["id"], {"name": "renamed"}),
            tags.destroy_by_id(tag["id"]),
            app.models["Book"].related(book["id"], "relatedTags", ctx=alice).create({"name": "x"}),
        ):
            with pytest.raises(AccessError):
                await call
        assert [t["name"] for t in await app.models["Tag"].find()] == ["sf"]
    finally:
        await app.db.close()
