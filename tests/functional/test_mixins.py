"""Mixins: found through `_meta.mixins`, applied at start-up before the model's own module, built-in
TimeStamp's properties in the document, and warnings (check and serve) for what cannot be applied.
The store example's Search mixin and TimeStamp run over HTTP on every configured backend."""

from __future__ import annotations

import asyncio
import json
import logging
from collections.abc import AsyncIterator
from pathlib import Path
from typing import Any

import httpx
import pytest

from generated.store import create_app
from runtime.app import LoopBackApp
from specgen.cli import compile_app, load_generated, main
from specgen.openapi import build_openapi
from specgen.render import write_package
from tests.databases import ALL_BACKENDS, TestDatabases
from tests.functional.test_extensions import _lifespan
from tests.specgen.appdir import load_ok, write_app, write_json

ORDERED = """
def setup(Model, options):
    Model.calls = [("mixin", options)]

    def shout(text):
        return text.upper() + options.get("suffix", "")

    Model.shout = shout
"""

ASYNC_MIXIN = """
async def setup(Model, options):
    Model.async_count = await Model.count()
"""

MODEL_MODULE = """
def setup(Note):
    Note.calls.append(("model", Note.shout("saw the mixin")))
"""


def _note(mixins: dict[str, Any]) -> dict[str, Any]:
    return {"name": "Note", "properties": {"title": "string"}, "mixins": mixins}


def _app_dir(tmp_path: Path, mixins: dict[str, Any], mixin_dirs: list[str] | None = None) -> Path:
    app_dir = write_app(tmp_path / "notes", [_note(mixins)])
    if mixin_dirs is not None:
        data = json.loads((app_dir / "model-config.json").read_text(encoding="utf-8"))
        data["_meta"]["mixins"] = mixin_dirs
        write_json(app_dir / "model-config.json", data)
    return app_dir


def _build(app_dir: Path, tmp_path: Path) -> LoopBackApp:
    out = tmp_path / "gen" / f"pkg_{tmp_path.name}"  # imported by name: one per test
    _, files, _ = compile_app(app_dir, out)
    write_package(files, out)
    app: LoopBackApp = load_generated(out).create_app(db_url="sqlite://")
    return app


async def test_a_mixin_runs_before_the_models_own_module_with_its_options(tmp_path: Path) -> None:
    app_dir = _app_dir(tmp_path, {"Shouting": {"suffix": "!"}, "Counted": True})
    (app_dir / "mixins").mkdir()
    (app_dir / "mixins" / "shouting.py").write_text(ORDERED, encoding="utf-8")
    (app_dir / "mixins" / "counted.py").write_text(ASYNC_MIXIN, encoding="utf-8")
    (app_dir / "models" / "note.py").write_text(MODEL_MODULE, encoding="utf-8")
    app = _build(app_dir, tmp_path)
    note = app.models["Note"]
    assert note.calls == [("mixin", {"suffix": "!"}), ("model", "SAW THE MIXIN!")]  # type: ignore[attr-defined]
    async with _lifespan(app):
        assert note.async_count == 0  # type: ignore[attr-defined]  # awaited at start-up


def test_mixin_files_are_found_as_loopback_boot_names_them(tmp_path: Path) -> None:
    app_dir = _app_dir(
        tmp_path, {"TimeStamp": True, "SoftDelete": {"x": 1}, "Off": False}, ["../shared/mixins"]
    )
    shared = tmp_path / "shared" / "mixins"
    shared.mkdir(parents=True)
    (shared / "time-stamp.py").write_text("def setup(Model, options): pass\n", encoding="utf-8")
    (shared / "soft_delete.py").write_text("def setup(Model, options): pass\n", encoding="utf-8")
    app, problems = load_ok(app_dir)
    note = app.model("Note")
    assert note.mixin_modules == {
        "TimeStamp": "../shared/mixins/time-stamp.py",  # the app's own wins over the built-in
        "SoftDelete": "../shared/mixins/soft_delete.py",
    }
    assert [p.name for p in note.properties] == ["title", "id"]  # no built-in properties then
    assert problems == []


def test_timestamp_properties_are_in_the_document(tmp_path: Path) -> None:
    app_dir = _app_dir(tmp_path, {"TimeStamp": {"createdAt": "createdOn", "required": False}})
    app, problems = load_ok(app_dir)
    assert problems == []
    document = build_openapi(app)
    schema = document["components"]["schemas"]["Note"]["properties"]
    assert schema["createdOn"] == {
        "type": "string",
        "format": "date-time",
        "description": "Set by the server when the instance is created.",
        "nullable": True,
    }
    assert schema["updatedAt"]["description"] == "Set by the server whenever the instance is saved."
    assert "required" not in document["components"]["schemas"]["NewNote"]
    meta = document["x-lb-models"]["Note"]["properties"]
    assert meta["createdOn"] == {"type": "date", "defaultFn": "now"}
    assert meta["updatedAt"] == {"type": "date", "defaultFn": "now"}


UNKNOWN = 'unknown mixin "Audited": no Audited.py in the mixin directories (mixins); it is ignored'


def test_check_names_unknown_and_javascript_mixins(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    app_dir = _app_dir(tmp_path, {"Audited": True, "Tagged": {}})
    (app_dir / "mixins").mkdir()
    (app_dir / "mixins" / "tagged.js").write_text("module.exports = function() {};\n")
    assert main(["check", str(app_dir)]) == 0
    _, err = capsys.readouterr()
    assert err.splitlines() == [
        f"warning: notes/models/note.json#/mixins/Audited: {UNKNOWN}",
        "warning: notes/models/note.json#/mixins/Tagged: JavaScript mixin mixins/tagged.js ignored "
        "(write it in Python beside it, with setup(Model, options))",
    ]


def test_serve_says_an_unknown_mixin_once(
    tmp_path: Path, capsys: pytest.CaptureFixture[str]
) -> None:
    """`specgen serve` compiles, then starts the server, which warns (below): not the compiler too."""
    from specgen.cli import _generate

    app_dir = _app_dir(tmp_path, {"Audited": True})
    assert _generate(app_dir, tmp_path / "pkg", "write", quiet=True, starting=True) == 0
    assert UNKNOWN not in capsys.readouterr().err


async def test_serve_warns_about_an_unknown_mixin_and_serves(
    tmp_path: Path, caplog: pytest.LogCaptureFixture
) -> None:
    app_dir = _app_dir(tmp_path, {"Audited": True})
    with caplog.at_level(logging.WARNING, logger="runtime"):
        app = _build(app_dir, tmp_path)
    assert [r.getMessage() for r in caplog.records] == [
        'model Note: unknown mixin "Audited": it is ignored'
    ]
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t/api") as client:
        assert (await client.post("/Notes", json={"title": "a"})).json() == {"title": "a", "id": 1}


# -- the store example on every backend ------------------------------------------------------------


@pytest.fixture(params=ALL_BACKENDS)
def backend(request: pytest.FixtureRequest) -> str:
    return str(request.param)


@pytest.fixture
async def store(backend: str, databases: TestDatabases) -> AsyncIterator[httpx.AsyncClient]:
    app = create_app(db_url=databases.fresh(backend))
    async with (
        _lifespan(app),
        httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t") as c,
    ):
        yield c
    await app.db.close()


async def test_the_store_search_mixin_through_a_boot_route(store: httpx.AsyncClient) -> None:
    products = [
        {"name": "Blue mug", "price": 5, "sku": "MUG-001"},
        {"name": "Tea 100%", "price": 3, "sku": "TEA-100"},
        {"name": "Teapot_2", "price": 20, "sku": "POT-002"},
    ]
    assert (await store.post("/api/Products", json=products)).status_code == 200
    found = await store.get("/search", params={"q": "mug"})
    assert found.headers["content-type"] == "application/json; charset=utf-8"
    assert [p["name"] for p in found.json()] == ["Blue mug"]
    # like's wildcards in the text are matched literally
    assert [p["name"] for p in (await store.get("/search?q=%25")).json()] == ["Tea 100%"]
    assert [p["sku"] for p in (await store.get("/search?q=_")).json()] == ["POT-002"]
    assert [p["name"] for p in (await store.get("/search?q=Tea")).json()] == [
        "Tea 100%",
        "Teapot_2",
    ]


async def test_timestamp_sets_both_dates_on_create(store: httpx.AsyncClient) -> None:
    created = await store.post("/api/Orders", json={"quantity": 2})
    assert created.status_code == 200, created.text
    order = created.json()
    assert order["createdAt"] == order["updatedAt"]
    assert order["createdAt"].endswith("Z") and len(order["createdAt"]) == 24
    fetched = await store.get(f"/api/Orders/{order['id']}")
    assert fetched.json() == order


async def test_timestamp_keeps_updated_at_current_on_every_save(store: httpx.AsyncClient) -> None:
    """patch, updateAll and replace move updatedAt on (a before-save hook); createdAt stays on a
    patch. LB3's PUT replaces the whole instance, createdAt included, and so does ours."""
    order = (await store.post("/api/Orders", json={"quantity": 2})).json()
    await asyncio.sleep(0.005)  # the dates have millisecond resolution
    patched = await store.patch(f"/api/Orders/{order['id']}", json={"quantity": 3})
    assert patched.status_code == 200, patched.text
    after_patch = patched.json()
    assert after_patch["createdAt"] == order["createdAt"]
    assert after_patch["updatedAt"] > order["updatedAt"]
    await asyncio.sleep(0.005)
    updated = await store.post(
        "/api/Orders/update", params={"where": f'{{"id": {order["id"]}}}'}, json={"quantity": 4}
    )
    assert updated.json() == {"count": 1}
    after_update = (await store.get(f"/api/Orders/{order['id']}")).json()
    assert after_update["updatedAt"] > after_patch["updatedAt"]
    assert after_update["createdAt"] == order["createdAt"]
    await asyncio.sleep(0.005)
    replaced = (await store.put(f"/api/Orders/{order['id']}", json={"quantity": 5})).json()
    assert replaced["updatedAt"] > after_update["updatedAt"]


async def test_timestamp_leaves_a_date_that_is_no_date_to_validation(
    store: httpx.AsyncClient,
) -> None:
    """The stamp replaces a date the client sent, but not text that is no date: that is a 422, as
    the schema says (LB3's mixin would store the stamp over it)."""
    sent = {"quantity": 1, "updatedAt": "AAA"}
    refused = await store.post("/api/Orders", json=sent)
    assert refused.status_code == 422, refused.text
    assert refused.json()["error"]["details"]["codes"] == {"updatedAt": ["date"]}
    order = (await store.post("/api/Orders", json={"quantity": 1})).json()
    patched = await store.patch(f"/api/Orders/{order['id']}", json={"updatedAt": "AAA"})
    assert patched.status_code == 422, patched.text
    old = {"quantity": 1, "updatedAt": "2000-01-01T00:00:00.000Z"}
    assert (await store.post("/api/Orders", json=old)).json()["updatedAt"] > "2026"
