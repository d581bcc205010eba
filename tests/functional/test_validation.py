"""Validation (issue 11): LB3's validators, registered in Python, over HTTP and through the Python API,
on every configured backend. The HTTP answers are checked against what LB3 3.28 answered for the same
models and requests (tests/oracle/lb3-3.28/validation.json); where we answer otherwise on purpose,
the test says what we answer and docs/lb3-differences.md says why."""

from __future__ import annotations

import asyncio
import json
from collections.abc import AsyncIterator, Iterator
from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from runtime.app import LoopBackApp
from runtime.context import Context
from runtime.db import sync_engine
from runtime.errors import ValidationFailed
from tests.databases import ALL_BACKENDS, TestDatabases
from tests.functional.validation_app import build_package
from tests.http.conftest import empty

ORACLE = Path(__file__).resolve().parents[1] / "oracle" / "lb3-3.28" / "validation.json"
CASES: list[dict[str, Any]] = json.loads(ORACLE.read_text("utf-8"))


@pytest.fixture(scope="session")
def package(tmp_path_factory: pytest.TempPathFactory) -> tuple[Any, dict[str, Any]]:
    return build_package(tmp_path_factory.mktemp("validation"))


@pytest.fixture(scope="module", params=ALL_BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture(scope="module")
async def shared(
    backend: str, databases: TestDatabases, package: tuple[Any, dict[str, Any]]
) -> AsyncIterator[tuple[LoopBackApp, sa.Engine]]:
    application = package[0].create_app(db_url=databases.fresh(backend))
    with sync_engine(application.db.url) as engine:
        yield application, engine
    await application.db.close()


@pytest.fixture
def app(shared: tuple[LoopBackApp, sa.Engine]) -> Iterator[LoopBackApp]:
    application, engine = shared
    empty(application, engine)
    yield application


@pytest.fixture
async def client(app: LoopBackApp) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test/api") as c:
        yield c


async def send(client: httpx.AsyncClient, case: dict[str, Any]) -> httpx.Response:
    return await client.request(case["method"], case["path"], json=case["body"])


REQUESTS = [c for c in CASES if "method" in c]


def reworded(body: dict[str, Any], old: str, new: str, messages: dict[str, Any]) -> dict[str, Any]:
    error = body["error"]
    details = {**error["details"], "messages": {**error["details"]["messages"], **messages}}
    return {"error": {**error, "message": error["message"].replace(old, new), "details": details}}


def ours(index: int, lb3: dict[str, Any]) -> tuple[int, Any]:
    """What we answer to request `index` where we differ from LB3 on purpose
    (docs/lb3-differences.md), else LB3's answer."""
    status, body = lb3["status"], lb3["response"]
    if index == 7:  # a bulk create is atomic (none stored): LB3's body with a 4xx status
        return 422, {"error": {**body["error"], "statusCode": 422, "name": "ValidationError"}}
    if index == 11:  # updateAll checks the rules of the values it writes (LB3 none)
        return 422, reworded(REQUESTS[8]["response"], "", "", {})
    if index == 13:  # a plain-text message is used for every failure of its rule
        return status, reworded(
            body, "`nick` is invalid", "`nick` bad nick", {"nick": ["bad nick"]}
        )
    if index == 19:  # we do not read "abc" as NaN: the message shows the value sent
        return status, reworded(body, "(value: NaN)", '(value: "abc")', {})
    if index == 22:  # strict false: what the table cannot store is dropped, and not echoed
        return status, {k: v for k, v in body.items() if k != "extra"}
    if index == 34:  # validateUpsert unset validates (LB3 stores the invalid patch, logging it)
        return 422, {"error": {"statusCode": 422, "name": "ValidationError",
                               "message": "The `Plain` instance is not valid. Details: `name` too "
                               'short (value: "ab").',
                               "details": {"context": "Plain", "codes": {"name": ["length.min"]},
                                           "messages": {"name": ["too short"]}}}}  # fmt: skip
    return status, body


def without_nulls(body: Any) -> Any:
    """We return every property of an instance, LB3 only those it holds."""
    return {k: v for k, v in body.items() if v is not None} if isinstance(body, dict) else body


async def test_answers_as_lb3_does(client: httpx.AsyncClient) -> None:
    """Every request of the LB3 probe, in its order, against the same models."""
    for index, case in enumerate(REQUESTS):
        response = await send(client, case)
        status, body = ours(index, case)
        got = response.json()
        assert (response.status_code, without_nulls(got) if status == 200 else got) == (
            status,
            body,
        ), (index, case["method"], case["path"], case["body"])


async def test_is_valid_returns_lb3s_errors(app: LoopBackApp) -> None:
    lb3 = next(c for c in CASES if "isValid" in c)
    errors = await app.models["Member"].is_valid(lb3["isValid"])
    assert errors == {"codes": lb3["codes"], "messages": lb3["messages"]}
    assert await app.models["Member"].count() == 0  # nothing written
    valid = {"name": "n", "email": "n@x.io", "password": "secret", "kind": "ok"}
    assert await app.models["Member"].is_valid(valid) == {"codes": {}, "messages": {}}


async def test_python_api_raises_what_rest_answers(app: LoopBackApp) -> None:
    with pytest.raises(ValidationFailed) as caught:
        await app.models["Product"].create({"price": 1})
    assert caught.value.details == REQUESTS[0]["response"]["error"]["details"]
    product = await app.models["Product"].create({"name": "Widget", "sku": "ABC-123", "price": 1})
    with pytest.raises(ValidationFailed) as caught:
        await app.models["Product"].patch_attributes(product["id"], {"name": "x"})
    assert caught.value.details["codes"] == {"name": ["length.min"]}
    with pytest.raises(ValidationFailed) as caught:  # the whole instance, as replaced
        await app.models["Product"].replace_by_id(
            product["id"], {"name": "Gadget", "sku": "bad", "price": 2}
        )
    assert caught.value.details["codes"] == {"sku": ["format"]}
    assert await app.models["Product"].find_by_id(product["id"]) == {**product, "stock": None}


async def test_conditions_options_and_custom_validators(app: LoopBackApp) -> None:
    """if_/unless as functions, allow_null, a custom validator's own message, an async one."""
    model = app.models["Plain"]
    saved = model.rules
    try:
        model.validates_inclusion_of("name", in_=["alpha", "beta", "gamma", "ok"], allow_null=True,
                                     unless=lambda inst: (inst.get("name") or "").startswith("x"))  # fmt: skip
        model.validates_exclusion_of("name", in_=["gamma"], if_=lambda inst: True)

        async def not_beta(inst: dict[str, Any]) -> Any:
            await asyncio.sleep(0)
            return "beta is taken" if inst.get("name") == "beta" else None

        model.validate("name", not_beta)
        assert (await model.is_valid({"name": "alpha"}))["codes"] == {}
        assert (await model.is_valid({"name": "delta"}))["codes"] == {"name": ["inclusion"]}
        assert (await model.is_valid({"name": "xdelta"}))["codes"] == {}  # unless
        assert (await model.is_valid({"name": "gamma"}))["messages"] == {"name": ["is reserved"]}
        assert (await model.is_valid({"name": "beta"}))["messages"] == {"name": ["beta is taken"]}
        # one 422 with the codec's problem and the rules': a required name that is null (the
        # inclusion rule allows null; the exclusion rule does not)
        assert (await model.is_valid({"name": None}))["codes"] == {
            "name": ["presence", "length.null", "exclusion.null"]
        }
    finally:
        model.rules = saved


async def test_unique_index_refuses_what_the_check_let_through(app: LoopBackApp) -> None:
    """With the rules skipped (LB3's options.validate false) the unique index still refuses a taken
    value, with the rule's 422: what a concurrent create that passed the check gets."""
    products = app.models["Product"]
    skip = Context(options={"validate": False})
    await products.create({"name": "one", "sku": "ABC-123", "price": 1}, ctx=skip)
    with pytest.raises(ValidationFailed) as caught:
        await products.create({"name": "two", "sku": "ABC-123", "price": 1}, ctx=skip)
    assert caught.value.details == REQUESTS[6]["response"]["error"]["details"]
    assert await products.count() == 1
    other = await products.create({"name": "three", "sku": "XYZ-999", "price": 1})
    with pytest.raises(ValidationFailed):  # an update to a taken value, past the check too
        await products.patch_attributes(other["id"], {"sku": "ABC-123"}, ctx=skip)
    assert await products.count({"sku": "ABC-123"}) == 1


async def test_concurrent_creates_exactly_one_wins(client: httpx.AsyncClient) -> None:
    body = {"name": "Widget", "sku": "RAC-001", "price": 1}
    responses = await asyncio.gather(*(client.post("/Products", json=body) for _ in range(8)))
    statuses = sorted(r.status_code for r in responses)
    assert statuses == [200] + [422] * 7
    for response in responses:
        if response.status_code == 422:
            assert response.json() == {"error": {**REQUESTS[6]["response"]["error"],
                "message": "The `Product` instance is not valid. Details: `sku` is not unique "
                '(value: "RAC-001").'}}  # fmt: skip
    found = (
        await client.get("/Products", params={"filter": '{"where": {"sku": "RAC-001"}}'})
    ).json()
    assert len(found) == 1


BULK = json.loads((ORACLE.parent / "bulk-create.json").read_text("utf-8"))


def bulk_answer(lb3: dict[str, Any]) -> tuple[int, Any]:
    """What we answer where LB3 answered `lb3` (docs/lb3-differences.md): a batch with a failed
    item stores nothing, so the error is the client's (422, LB3: 500 without a name), and two
    items with one unique value are refused by the unique index (LB3 stores both)."""
    status, body = lb3["status"], lb3["response"]
    if status == 500:
        return 422, {"error": {**body["error"], "statusCode": 422, "name": "ValidationError"}}
    if lb3["method"] == "POST" and "DUP-001" in json.dumps(lb3["body"]):
        taken = (
            'The `Product` instance is not valid. Details: `sku` is not unique (value: "DUP-001").'
        )
        return 422, {"error": {**BULK["memory"][0]["response"]["error"], "statusCode": 422,
                               "name": "ValidationError", "details": [None, {
                                   "statusCode": 422, "name": "ValidationError", "message": taken,
                                   "details": {"context": "Product", "codes": {"sku": ["uniqueness"]},
                                               "messages": {"sku": ["is not unique"]}}}]}}  # fmt: skip
    return status, body


def recording(seen: list[str]) -> dict[str, Any]:
    """Observers that record `<hook> <name>` for before save, persist and after save."""

    def record(hook: str) -> Any:
        return lambda ctx: seen.append(f"{hook} {(ctx.instance or ctx.data)['name']}")

    return {hook: record(hook) for hook in ("before save", "persist", "after save")}


def names(rows: Any) -> list[tuple[Any, Any]]:
    return [(r["name"], r.get("sku")) for r in rows]


async def test_bulk_create_answers_per_item_and_stores_all_or_nothing(
    client: httpx.AsyncClient, app: LoopBackApp
) -> None:
    """LB3's bulk-create answers (memory and PostgreSQL agree but for the order it stores in), with
    our deliberate differences: nothing of a failed batch is stored, each item still reported."""
    seen: list[str] = []
    hooks = recording(seen)
    for hook, fn in hooks.items():
        app.models["Hooked"].observe(hook, fn)
    try:
        for lb3 in BULK["memory"]:
            seen.clear()
            response = await client.request(lb3["method"], lb3["path"], json=lb3.get("body"))
            status, body = bulk_answer(lb3)
            got = response.json()
            where = (lb3["method"], lb3["path"], lb3.get("body"))
            if lb3["method"] == "GET":  # only the batches that were whole are stored
                stored = {"/Products": [("Valid1", "VAL-001"), ("Valid2", None)], "/Hookeds": []}
                assert (response.status_code, names(got)) == (200, stored[lb3["path"]]), where
            elif status == 200:
                assert (response.status_code, names(got)) == (status, names(body)), where
            else:
                assert (response.status_code, got) == (status, body), where
            if lb3["path"] == "/Hookeds" and lb3["method"] == "POST":  # every item's before save
                assert seen == ["before save aaa", "before save b", "before save ccc"]
    finally:
        for hook, fn in hooks.items():
            app.models["Hooked"].remove_observer(hook, fn)


async def test_bulk_create_hooks_run_in_two_passes(app: LoopBackApp) -> None:
    """A whole batch: every item's before save (and validation), then each item stored."""
    seen: list[str] = []
    hooks = recording(seen)
    for hook, fn in hooks.items():
        app.models["Hooked"].observe(hook, fn)
    try:
        created = await app.models["Hooked"].create([{"name": "aaa"}, {"name": "bbb"}])
    finally:
        for hook, fn in hooks.items():
            app.models["Hooked"].remove_observer(hook, fn)
    assert [c["name"] for c in created] == ["aaa", "bbb"]
    assert seen == ["before save aaa", "before save bbb", "persist aaa", "after save aaa",
                    "persist bbb", "after save bbb"]  # fmt: skip


async def test_relation_writes_are_validated(client: httpx.AsyncClient, app: LoopBackApp) -> None:
    await app.models["Plain"].create({"name": "parent"})
    refused = await client.post("/Plains/1/checks", json=[{"name": "fine"}, {"name": "ab"}])
    assert refused.status_code == 422
    assert refused.json()["error"]["details"][1]["details"] == {
        "context": "Checked", "codes": {"name": ["length.min"]},
        "messages": {"name": ["too short"]}}  # fmt: skip
    created = await client.post("/Plains/1/checks", json={"name": "fine"})
    assert created.status_code == 200
    # a server's sequence does not give back the ids of the refused bulk create's rolled-back rows
    key = created.json()["id"]
    patched = await client.put(f"/Plains/1/checks/{key}", json={"name": "no"})
    assert patched.status_code == 422
    assert await app.models["Checked"].find() == [{"name": "fine", "id": key, "plainId": 1}]


async def test_strict_modes(client: httpx.AsyncClient) -> None:
    for plural in ("Looses", "Filtereds"):
        created = (await client.post(f"/{plural}", json={"name": "a", "extra": 1})).json()
        assert created == {"name": "a", "id": 1}
        assert (await client.get(f"/{plural}/1")).json() == created  # what was stored
        patched = await client.patch(f"/{plural}/1", json={"name": "b", "extra": 2})
        assert patched.json() == {"name": "b", "id": 1}
    refused = await client.patch("/Stricts", json={"name": "a", "extra": 1})
    assert refused.status_code == 422
    assert refused.json()["error"]["details"]["codes"] == {"extra": ["unknown-property"]}


async def test_default_fns(client: httpx.AsyncClient) -> None:
    created = (await client.post("/Stamps", json={})).json()
    for prop in ("guid", "uuid", "uuidv4"):
        assert len(created[prop]) == 36 and created[prop].count("-") == 4
    assert len({created["guid"], created["uuid"], created["uuidv4"]}) == 3
    assert isinstance(created["shortid"], str) and 7 <= len(created["shortid"]) <= 14
    for prop in ("at", "now"):
        assert created[prop].endswith("Z") and len(created[prop]) == 24
    assert (await client.get(f"/Stamps/{created['id']}")).json() == created
    kept = (
        await client.post("/Stamps", json={"guid": "mine", "at": "2020-01-02T03:04:05.006Z"})
    ).json()
    assert (kept["guid"], kept["at"]) == ("mine", "2020-01-02T03:04:05.006Z")


def test_unique_indexes_are_created_with_the_table(
    app: LoopBackApp, shared: tuple[LoopBackApp, sa.Engine]
) -> None:
    """In the database itself: Product's sku and Member's email (exact rules) have a unique index;
    Member's code (ignore_case) has none, its check alone enforces it."""
    # an in-memory SQLite database lives on the app's own connection
    engine = app.db.engine if app.db.backend == "sqlite" else shared[1]  # type: ignore[attr-defined]
    inspector = sa.inspect(engine)
    unique = {
        model: {
            tuple(i["column_names"])
            for i in inspector.get_indexes(app.models[model].table.table.name)
            if i["unique"]
        }
        for model in ("Product", "Member")
    }
    assert unique == {"Product": {("sku",)}, "Member": {("email",)}}


def test_rules_appear_in_the_openapi_document(package: tuple[Any, dict[str, Any]]) -> None:
    schemas = package[1]["components"]["schemas"]
    member = schemas["NewMember"]
    props = member["properties"]
    assert member["required"] == ["name", "email", "password", "kind"] or set(member["required"]) == {
        "name", "email", "password"}  # fmt: skip
    assert props["name"]["minLength"] == 1 and "nullable" not in props["name"]
    assert props["password"]["minLength"] == 5
    assert props["state"]["allOf"] == [
        {"anyOf": [{"maxLength": 0}, {"minLength": 2, "maxLength": 2}]}
    ]
    assert props["gender"]["enum"] == ["male", "female", ""]
    assert props["domain"]["allOf"] == [{"not": {"enum": ["www", "billing", "admin"]}}]
    assert props["age"]["multipleOf"] == 1
    assert props["reserved"]["enum"] == ["", None]
    assert "pattern" not in props["kind"]  # a conditional rule depends on more than the value
    assert schemas["NewProduct"]["properties"]["sku"]["pattern"] == "^$|(?:^[A-Z]{3}-\\d{3}$)"
    assert schemas["NewProduct"]["properties"]["name"] | {} == {"type": "string", "minLength": 3,
                                                               "maxLength": 10}  # fmt: skip
    assert schemas["ProductPatch"]["properties"]["name"]["maxLength"] == 10
    assert "required" not in schemas["ProductPatch"]
    assert schemas["NewStrict"]["additionalProperties"] is False
    assert "additionalProperties" not in schemas["NewLoose"]
    assert "additionalProperties" not in schemas["NewFiltered"]
    rules = package[1]["x-lb-models"]["Product"]["rules"]
    assert rules[-1] == {"validation": "uniqueness", "property": "sku"}


def test_a_stale_document_is_a_startup_warning(
    package: tuple[Any, dict[str, Any]], caplog: pytest.LogCaptureFixture
) -> None:
    app = package[0].create_app(db_url="sqlite://")
    assert not [r for r in caplog.records if "stale" in r.message]  # compiled with its modules
    app.models["Plain"].validates_presence_of("name")  # as if the module changed since
    from runtime.validation.check import stale_rules

    assert "Plain: its model module registers 2 rule(s)" in (stale_rules(app.models["Plain"]) or "")
    app.db.dispose()


async def test_update_all_checks_the_values_it_writes(
    client: httpx.AsyncClient, app: LoopBackApp
) -> None:
    products = app.models["Product"]
    await products.create([{"name": "one", "price": 1}, {"name": "two", "price": 2}])
    short = await client.post("/Products/update", json={"name": "x"})
    assert short.status_code == 422
    assert short.json()["error"]["details"]["codes"] == {"name": ["length.min"]}
    # one sku for two rows: the unique index refuses it, with the rule's 422
    taken = await client.post("/Products/update", json={"sku": "ABC-123"})
    assert taken.status_code == 422
    assert taken.json()["error"]["details"]["codes"] == {"sku": ["uniqueness"]}
    assert await products.count({"sku": "ABC-123"}) == 0
    fine = await client.post("/Products/update", params={"where": '{"name": "one"}'},
                             json={"sku": "ABC-123", "stock": 4})  # fmt: skip
    assert fine.json() == {"count": 1}
