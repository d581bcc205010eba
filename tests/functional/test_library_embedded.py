"""embedsOne and embedsMany through REST on the example app specs/library, on every backend: LB3's
answers where they are sound (tests/oracle/lb3-3.28/relations.md §2.7, §2.8) and the contract's
decisions where LB3 is buggy (/work/notes/relations-contract.md §6): 404 for an embedsOne with nothing
stored, counted/ordered/paged lists, 404 for unknown item ids, ids that cannot change, and parents
that stay writable whatever their items hold."""

from __future__ import annotations

import asyncio
import re
from typing import Any

import httpx
import pytest

from tests.functional.library import backend, client, library, served
from tests.http.support import blank, error, not_found, ok, validation_error

__all__ = ["backend", "client", "library", "served"]  # the fixtures this module uses
GENERATED_ID = re.compile(r"^[0-9a-f]{24}$")
NOT_AN_OBJECT = "The request body must be a JSON object. Value is not an object."


@pytest.fixture
async def api(client: httpx.AsyncClient) -> httpx.AsyncClient:
    """The library with Author 1 and Patrons 1 and 2, none with embedded items."""
    ok(await client.post("/Authors", json={"name": "A1"}))
    ok(await client.post("/Patrons", json=[{"name": "P1"}, {"name": "P2"}]))
    return client


def no_content(response: httpx.Response) -> None:
    assert (response.status_code, response.content) == (204, b""), response.text


def generated(item: dict[str, Any]) -> str:
    assert GENERATED_ID.match(item["id"]), item
    return str(item["id"])


def duplicate(prop: str, shown: str) -> dict[str, Any]:
    """LB3's 422 for an item id the list already holds (its value part names just the id)."""
    problem = (prop, "uniqueness", "contains duplicate `id`", shown)
    return dict(validation_error("Patron", problem)["error"])


def parent_not_found(response: httpx.Response, id: object = 999) -> None:
    err = error(response, 404)
    assert (err["message"], err["code"]) == (f"could not find a model with id {id}", "MODEL_NOT_FOUND")  # fmt: skip


# ---- embedsOne: Author.address, stored in `_address` ---------------------------------------------


async def test_embeds_one_lifecycle(api: httpx.AsyncClient) -> None:
    # never set: LB3 answers 204 with no body; nothing there is a 404, as after a destroy
    err = error(await api.get("/Authors/1/address"), 404)
    assert (err["message"], err["code"]) == ('No "Address" instance(s) found', "MODEL_NOT_FOUND")
    first = ok(await api.post("/Authors/1/address", json={"street": "Main", "city": "Paris"}))
    assert first == {"street": "Main", "city": "Paris", "id": generated(first)}
    assert ok(await api.get("/Authors/1/address")) == first
    # a second create replaces the first (as LB3; no hasOne-style conflict)
    second = ok(await api.post("/Authors/1/address", json={"street": "Second", "city": "Rome"}))
    assert second == {"street": "Second", "city": "Rome", "id": generated(second)}
    assert second["id"] != first["id"]
    kept = ok(await api.post("/Authors/1/address", json={"city": "Oslo", "id": "myid"}))
    assert kept == {"street": None, "city": "Oslo", "id": "myid"}  # a client's id is kept
    assert ok(await api.get("/Authors/1"))["_address"] == kept
    assert ok(await api.get("/Authors/1/address")) == kept


async def test_embeds_one_update_merges(api: httpx.AsyncClient) -> None:
    ok(await api.post("/Authors/1/address", json={"city": "Oslo", "id": "myid"}))
    # LB3 422s here (`id` can't be set) once the item has an id; the merge is what was asked
    merged = ok(await api.put("/Authors/1/address", json={"street": "Upd"}))
    assert merged == {"street": "Upd", "city": "Oslo", "id": "myid"}
    patched = ok(await api.patch("/Authors/1/address", json={"city": "Bergen", "id": "myid"}))
    assert patched == {"street": "Upd", "city": "Bergen", "id": "myid"}
    err = error(await api.put("/Authors/1/address", json={"id": "other"}), 400)
    assert err["message"] == "id property (id) cannot be updated from myid to other"
    response = await api.put("/Authors/1/address", json={"city": None})
    assert error(response, 422) == validation_error("Address", blank("city", "null"))["error"]
    assert ok(await api.get("/Authors/1/address")) == patched  # the refused updates changed nothing


async def test_embeds_one_update_with_nothing_stored_is_404(api: httpx.AsyncClient) -> None:
    """As hasOne (LB3 creates one from the partial body, which a required property then fails)."""
    for verb in ("put", "patch"):
        err = error(await api.request(verb.upper(), "/Authors/1/address", json={"city": "Z"}), 404)
        assert (err["message"], err["code"]) == (
            'No "Address" instance(s) found',
            "MODEL_NOT_FOUND",
        )
    assert ok(await api.get("/Authors/1"))["_address"] is None
    stored = ok(await api.post("/Authors/1/address", json={"city": "Z"}))
    # a null id in a partial body is no id: the stored one stays
    assert ok(await api.patch("/Authors/1/address", json={"id": None, "street": ""})) == {
        **stored,
        "street": "",
    }


async def test_embeds_one_destroy(api: httpx.AsyncClient) -> None:
    ok(await api.post("/Authors/1/address", json={"city": "Paris"}))
    no_content(await api.delete("/Authors/1/address"))
    assert ok(await api.get("/Authors/1"))["_address"] is None
    err = error(await api.get("/Authors/1/address"), 404)
    assert err["message"] == 'No "Address" instance(s) found'
    # again: LB3 answers 204; nothing to delete is a 404, as GET says
    err = error(await api.delete("/Authors/1/address"), 404)
    assert (err["message"], err["code"]) == ('No "Address" instance(s) found', "MODEL_NOT_FOUND")
    error(await api.put("/Authors/1/address", json={"city": "after-delete"}), 404)
    after = ok(await api.post("/Authors/1/address", json={"city": "after-delete"}))
    assert after == {"street": None, "city": "after-delete", "id": generated(after)}


async def test_embeds_one_validates_the_body(api: httpx.AsyncClient) -> None:
    response = await api.post("/Authors/1/address", json={"street": "nocity"})
    assert error(response, 422) == validation_error("Address", blank("city"))["error"]
    err = error(await api.post("/Authors/1/address", json=[{"city": "X"}]), 400)
    assert err["message"] == NOT_AN_OBJECT
    # LB3 keeps unknown properties; here, as for every model, they are a 422
    err = error(await api.post("/Authors/1/address", json={"city": "X", "foo": "bar"}), 422)
    assert err["details"]["codes"] == {"foo": ["unknown-property"]}
    err = error(await api.post("/Authors/1/address", json={"city": 5}), 422)
    assert err["details"]["codes"] == {"city": ["type"]}
    assert ok(await api.get("/Authors/1"))["_address"] is None


async def test_embeds_one_item_stored_by_the_parent(api: httpx.AsyncClient) -> None:
    """An item written through the parent gets its id there, as through the relation."""
    author = ok(await api.post("/Authors", json={"name": "A3", "_address": {"street": "s", "city": "Y"}}))  # fmt: skip
    path = f"/Authors/{author['id']}/address"
    stored = ok(await api.get(path))
    assert stored == {"street": "s", "city": "Y", "id": generated(stored)} == author["_address"]
    assert ok(await api.put(path, json={"street": "x"})) == {**stored, "street": "x"}
    assert ok(await api.get(path)) == {**stored, "street": "x"}


async def test_embeds_one_leaves_the_parent_writable(api: httpx.AsyncClient) -> None:
    """LB3: once the item has a generated id, every later save of the parent fails with 422."""
    item = ok(await api.post("/Authors/1/address", json={"city": "C"}))
    renamed = ok(await api.patch("/Authors/1", json={"name": "renamed"}))
    assert (renamed["name"], renamed["_address"]) == ("renamed", item)
    ok(await api.put("/Authors/1/address", json={"street": "after-rename"}))
    direct = ok(await api.patch("/Authors/1", json={"_address": {"city": "direct"}}))
    address = direct["_address"]
    assert address == {"street": None, "city": "direct", "id": generated(address)}
    assert ok(await api.get("/Authors/1/address")) == address


async def test_embeds_one_unknown_parent(api: httpx.AsyncClient) -> None:
    for method in ("GET", "POST", "PUT", "PATCH", "DELETE"):
        body = {"city": "X"} if method in ("POST", "PUT", "PATCH") else None
        parent_not_found(await api.request(method, "/Authors/999/address", json=body))
    parent_not_found(await api.get("/Authors/abc/address"), "abc")
    # the parent is looked up first: an invalid body for an unknown parent is still a 404
    parent_not_found(await api.post("/Authors/999/address", json={}))


# ---- embedsMany: Patron.noteList (`notes`), stickies (`stickyNotes`, forceId), reminders --------


async def test_embeds_many_lifecycle(api: httpx.AsyncClient) -> None:
    assert ok(await api.get("/Patrons/1/noteList")) == []
    n1 = ok(await api.post("/Patrons/1/noteList", json={"text": "n1"}))
    assert n1 == {"text": "n1", "id": generated(n1)}
    n2 = ok(await api.post("/Patrons/1/noteList", json={"text": "n2", "id": "custom-id"}))
    assert n2 == {"text": "n2", "id": "custom-id"}
    assert ok(await api.get("/Patrons/1/noteList")) == [n1, n2]
    assert ok(await api.get("/Patrons/1/noteList/custom-id")) == n2
    assert ok(await api.get(f"/Patrons/1/noteList/{n1['id']}")) == n1
    assert ok(await api.get("/Patrons/1"))["notes"] == [n1, n2]
    assert ok(await api.get("/Patrons/1/noteList/count")) == {"count": 2}  # LB3: always 0
    no_content(await api.delete("/Patrons/1/noteList/custom-id"))
    assert ok(await api.get("/Patrons/1/noteList")) == [n1]
    no_content(await api.delete("/Patrons/1/noteList"))
    assert ok(await api.get("/Patrons/1/noteList")) == []
    assert ok(await api.get("/Patrons/1"))["notes"] == []
    assert ok(await api.get("/Patrons/1/noteList/count")) == {"count": 0}
    no_content(await api.delete("/Patrons/1/noteList"))  # nothing to delete: still 204, as LB3


async def test_embeds_many_create_refuses(api: httpx.AsyncClient) -> None:
    ok(await api.post("/Patrons/1/noteList", json={"text": "n1", "id": "custom-id"}))
    response = await api.post("/Patrons/1/noteList", json={"text": "n3", "id": "custom-id"})
    assert error(response, 422) == duplicate("notes", '"custom-id"')
    response = await api.post("/Patrons/1/noteList", json={})
    assert error(response, 422) == validation_error("Note", blank("text"))["error"]
    # LB3 reads an array as one (invalid) item
    response = await api.post("/Patrons/1/noteList", json=[{"text": "a1"}, {"text": "a2"}])
    assert error(response, 400)["message"] == NOT_AN_OBJECT
    response = await api.post("/Patrons/1/noteList", json={"text": "n4", "extra": 1})
    assert error(response, 422)["details"]["codes"] == {"extra": ["unknown-property"]}
    assert [n["id"] for n in ok(await api.get("/Patrons/1/noteList"))] == ["custom-id"]


async def test_embeds_many_update_by_id(api: httpx.AsyncClient) -> None:
    n1 = ok(await api.post("/Patrons/1/noteList", json={"text": "n1"}))
    ok(await api.post("/Patrons/1/noteList", json={"text": "n2", "id": "custom-id"}))
    updated = ok(await api.put("/Patrons/1/noteList/custom-id", json={"text": "n2-upd"}))
    assert updated == {"text": "n2-upd", "id": "custom-id"}
    same = ok(await api.put("/Patrons/1/noteList/custom-id", json={"text": "n2b", "id": "custom-id"}))  # fmt: skip
    assert same == {"text": "n2b", "id": "custom-id"}
    response = await api.put("/Patrons/1/noteList/custom-id", json={"text": None})
    assert error(response, 422) == validation_error("Note", blank("text", "null"))["error"]
    # LB3 changes the id; an item's id is its identity here
    err = error(await api.put("/Patrons/1/noteList/custom-id", json={"id": "changed"}), 400)
    assert err["message"] == "id property (id) cannot be updated from custom-id to changed"
    # LB3 answers 200 null
    response = await api.put("/Patrons/1/noteList/nope", json={"text": "x"})
    assert error(response, 404) == not_found("Note", "nope")["error"]
    assert ok(await api.get("/Patrons/1/noteList")) == [n1, same]


async def test_embeds_many_unknown_item_is_404(api: httpx.AsyncClient) -> None:
    ok(await api.post("/Patrons/1/noteList", json={"text": "n1", "id": "mine"}))
    expected = not_found("Note", "nope")["error"]
    assert error(await api.get("/Patrons/1/noteList/nope"), 404) == expected
    assert error(await api.delete("/Patrons/1/noteList/nope"), 404) == expected  # LB3: 204
    no_content(await api.delete("/Patrons/1/noteList/mine"))
    err = error(await api.delete("/Patrons/1/noteList/mine"), 404)
    assert err["message"] == 'Unknown "Note" id "mine".'
    # another patron's item is not this one's
    ok(await api.post("/Patrons/2/noteList", json={"text": "other", "id": "theirs"}))
    assert error(await api.get("/Patrons/1/noteList/theirs"), 404)["code"] == "MODEL_NOT_FOUND"
    response = await api.put("/Patrons/1/noteList/theirs", json={"text": "x"})
    assert error(response, 404)["message"] == 'Unknown "Note" id "theirs".'
    response = await api.delete("/Patrons/1/noteList/theirs")
    assert error(response, 404)["message"] == 'Unknown "Note" id "theirs".'
    assert ok(await api.get("/Patrons/2/noteList")) == [{"text": "other", "id": "theirs"}]
    # there are no link endpoints on an embedsMany (as LB3)
    assert (await api.put("/Patrons/1/noteList/rel/abc")).status_code == 404
    assert (await api.head("/Patrons/1/noteList/rel/abc")).status_code == 404


async def test_embeds_many_filter_is_honoured(api: httpx.AsyncClient) -> None:
    for text in ("b", "a", "c", "a"):
        ok(await api.post("/Patrons/1/noteList", json={"text": text}))
    notes = ok(await api.get("/Patrons/1/noteList"))
    assert [n["text"] for n in notes] == ["b", "a", "c", "a"]

    async def texts(flt: str) -> list[str]:
        return [n["text"] for n in ok(await api.get("/Patrons/1/noteList", params={"filter": flt}))]

    # LB3 honours only where; order, limit and skip are ignored there
    assert await texts('{"where":{"text":"a"}}') == ["a", "a"]
    assert await texts('{"where":{"text":{"inq":["b","c"]}}}') == ["b", "c"]
    assert await texts('{"order":"text DESC","limit":2}') == ["c", "b"]
    assert await texts('{"order":"text ASC","skip":1,"limit":2}') == ["a", "b"]
    assert await texts('{"where":{"text":{"neq":"a"}},"order":"text DESC"}') == ["c", "b"]
    by_id = await api.get("/Patrons/1/noteList", params={"filter": f'{{"where":{{"id":"{notes[2]["id"]}"}}}}'})  # fmt: skip
    assert ok(by_id) == [notes[2]]
    fields = ok(await api.get("/Patrons/1/noteList", params={"filter": '{"fields":["text"],"limit":1}'}))  # fmt: skip
    assert fields == [{"text": "b"}]
    assert ok(await api.get("/Patrons/1/noteList", params={"filter[where][text]": "c"})) == [
        notes[2]
    ]
    assert ok(await api.get("/Patrons/1/noteList/count", params={"where": '{"text":"a"}'})) == {"count": 2}  # fmt: skip
    assert ok(await api.get("/Patrons/1/noteList/count", params={"where": '{"text":"zz"}'})) == {"count": 0}  # fmt: skip
    err = error(await api.get("/Patrons/1/noteList", params={"filter": '{"where":{"nope":1}}'}), 400)  # fmt: skip
    assert (err["code"], err["message"]) == ("INVALID_FILTER", 'Unknown property "nope" of model Note')  # fmt: skip


async def test_force_id_replaces_the_clients_id(api: httpx.AsyncClient) -> None:
    s1 = ok(await api.post("/Patrons/1/stickies", json={"text": "s1"}))
    s2 = ok(await api.post("/Patrons/1/stickies", json={"text": "s2", "id": "client-id"}))
    assert s2 == {"text": "s2", "id": generated(s2)}
    assert s2["id"] != "client-id"
    assert ok(await api.get("/Patrons/1/stickies")) == [s1, s2]
    # same model (Note), another property: the lists are apart
    assert ok(await api.get("/Patrons/1/noteList")) == []
    patron = ok(await api.get("/Patrons/1"))
    assert (patron["notes"], patron["stickyNotes"]) == ([], [s1, s2])


async def test_number_ids(api: httpx.AsyncClient) -> None:
    """Reminder's id is a number: generated as the largest + 1 (1 for the first), as LB3."""
    r1 = ok(await api.post("/Patrons/1/reminders", json={"text": "r1"}))
    r2 = ok(await api.post("/Patrons/1/reminders", json={"text": "r2", "id": 5}))
    r3 = ok(await api.post("/Patrons/1/reminders", json={"text": "r3"}))
    r4 = ok(await api.post("/Patrons/1/reminders", json={"text": "r4", "id": "9"}))
    assert [r1, r2, r3, r4] == [
        {"text": "r1", "id": 1},
        {"text": "r2", "id": 5},
        {"text": "r3", "id": 6},
        {"text": "r4", "id": 9},
    ]
    response = await api.post("/Patrons/1/reminders", json={"text": "dup", "id": 5})
    assert error(response, 422) == duplicate("reminderItems", "5")
    # LB3 stores null for an id that is not a number
    response = await api.post("/Patrons/1/reminders", json={"text": "r", "id": "abc"})
    expected = validation_error("Reminder", ("id", "type", "is not a valid id", '"abc"'))
    assert error(response, 422) == expected["error"]
    # the URL's text is compared as a number
    assert ok(await api.get("/Patrons/1/reminders/5")) == r2
    assert ok(await api.get("/Patrons/1/reminders/05")) == r2
    assert error(await api.get("/Patrons/1/reminders/abc"), 404) == not_found("Reminder", "abc")["error"]  # fmt: skip
    assert error(await api.get("/Patrons/1/reminders/2"), 404) == not_found("Reminder", 2)["error"]
    same = ok(await api.put("/Patrons/1/reminders/5", json={"text": "r2-upd", "id": "5"}))
    assert same == {"text": "r2-upd", "id": 5}
    err = error(await api.put("/Patrons/1/reminders/5", json={"id": 6}), 400)
    assert err["message"] == "id property (id) cannot be updated from 5 to 6"
    no_content(await api.delete("/Patrons/1/reminders/9"))
    r5 = ok(await api.post("/Patrons/1/reminders", json={"text": "r5"}))
    assert r5 == {"text": "r5", "id": 7}
    ordered = ok(await api.get("/Patrons/1/reminders", params={"filter": '{"order":"id DESC"}'}))
    assert [r["id"] for r in ordered] == [7, 6, 5, 1]
    gt = ok(await api.get("/Patrons/1/reminders", params={"filter": '{"where":{"id":{"gt":"5"}}}'}))
    assert [r["id"] for r in gt] == [6, 7]


async def test_items_never_poison_the_parent(api: httpx.AsyncClient) -> None:
    """LB3: stored items with ids fail validation on every later save of the parent except writes
    through the same relation (PATCH the patron, or add to another relation: 422)."""
    note = ok(await api.post("/Patrons/1/noteList", json={"text": "n1"}))
    sticky = ok(await api.post("/Patrons/1/stickies", json={"text": "s1"}))
    reminder = ok(await api.post("/Patrons/1/reminders", json={"text": "r1"}))
    renamed = ok(await api.patch("/Patrons/1", json={"name": "renamed"}))
    assert renamed["name"] == "renamed"
    assert (renamed["notes"], renamed["stickyNotes"], renamed["reminderItems"]) == (
        [note],
        [sticky],
        [reminder],
    )
    ok(await api.post("/Patrons/1/noteList", json={"text": "n2"}))
    ok(await api.post("/Patrons/1/reminders", json={"text": "r2"}))
    replaced = ok(await api.put("/Patrons/1", json={"name": "replaced", "notes": [note]}))
    assert (replaced["notes"], replaced["stickyNotes"]) == ([note], [])


async def test_list_replaced_through_the_parent(api: httpx.AsyncClient) -> None:
    """A list written through the parent gets ids for items without one, as through the relation."""
    ok(await api.patch("/Patrons/1", json={"notes": [{"text": "patched"}]}))
    (patched,) = ok(await api.get("/Patrons/1/noteList"))
    assert patched == {"text": "patched", "id": generated(patched)}
    added = ok(await api.post("/Patrons/1/noteList", json={"text": "added"}))
    assert ok(await api.get("/Patrons/1/noteList")) == [patched, added]
    assert ok(await api.get("/Patrons/1/noteList/count")) == {"count": 2}
    err = error(await api.patch("/Patrons/1", json={"notes": "nope"}), 422)
    assert err["details"]["codes"] == {"notes": ["type"]}


async def test_embeds_many_unknown_parent(api: httpx.AsyncClient) -> None:
    calls: list[tuple[str, str, Any]] = [
        ("GET", "/Patrons/999/noteList", None),
        ("GET", "/Patrons/999/noteList/count", None),
        ("GET", "/Patrons/999/noteList/x", None),
        ("POST", "/Patrons/999/noteList", {"text": "x"}),
        ("PUT", "/Patrons/999/noteList/x", {"text": "x"}),
        ("DELETE", "/Patrons/999/noteList/x", None),
        ("DELETE", "/Patrons/999/noteList", None),
        ("POST", "/Patrons/999/reminders", {"text": "x"}),
    ]
    for method, path, body in calls:
        parent_not_found(await api.request(method, path, json=body))
    parent_not_found(await api.get("/Patrons/abc/noteList"), "abc")


async def test_concurrent_writes_lose_nothing(api: httpx.AsyncClient) -> None:
    """Each write reads, changes and writes back the whole list: with the parent's row locked,
    concurrent creates all land."""
    responses = await asyncio.gather(
        *(api.post("/Patrons/1/reminders", json={"text": f"r{i}"}) for i in range(12)),
        *(api.post("/Patrons/1/noteList", json={"text": f"n{i}"}) for i in range(12)),
    )
    assert [r.status_code for r in responses] == [200] * 24
    reminders = ok(await api.get("/Patrons/1/reminders"))
    assert sorted(r["id"] for r in reminders) == list(range(1, 13))
    assert len({n["id"] for n in ok(await api.get("/Patrons/1/noteList"))}) == 12


async def test_parent_writes_check_embedded_items(api: httpx.AsyncClient) -> None:
    """As LB3 (`POST /Authors {"_address": {"street": "no city"}}` -> 422 invalid), reported under the
    property the body sent (LB3 names the relation)."""
    response = await api.post("/Authors", json={"name": "A4", "_address": {"street": "no city"}})
    err = error(response, 422)
    assert err["details"]["codes"] == {"_address": ["invalid"]}
    assert "`_address` is invalid: `city` can't be blank" in err["message"]
    ok(await api.post("/Authors", json={"name": "A5", "_address": {"city": "Oslo", "id": "mine"}}))
    patron = ok(await api.post("/Patrons", json={"name": "P", "notes": [{"text": "a"}]}))
    bad = error(
        await api.patch(f"/Patrons/{patron['id']}", json={"notes": [{"text": "ok"}, {}]}), 422
    )
    assert "`notes` is invalid: item at index `1`: `text` can't be blank" in bad["message"]
    # stored as checked: an id generated, every property present, as an item made through the relation
    (note,) = ok(await api.get(f"/Patrons/{patron['id']}"))["notes"]
    assert note["text"] == "a" and GENERATED_ID.match(note["id"])
    assert ok(await api.get(f"/Patrons/{patron['id']}/noteList/{note['id']}")) == note
    author = ok(
        await api.post("/Authors", json={"name": "A6", "_address": {"city": "c", "id": None}})
    )
    assert GENERATED_ID.match(author["_address"]["id"]) and author["_address"]["street"] is None


async def test_an_update_never_sets_an_items_id(api: httpx.AsyncClient) -> None:
    """The partial body's id is the stored item's or absent (the schema says null-only)."""
    ok(await api.patch("/Authors/1", json={"_address": {"city": "Oslo"}}))
    err = error(await api.put("/Authors/1/address", json={"city": "Oslo", "id": "mine"}), 400)
    assert err["message"].startswith("id property (id) cannot be updated from ")
    created = ok(await api.get("/Authors/1/address"))
    same = ok(await api.patch("/Authors/1/address", json={"street": "s", "id": created["id"]}))
    assert (same["id"], same["street"]) == (created["id"], "s")
    error(await api.put("/Authors/1/address", json={"id": "other"}), 400)
