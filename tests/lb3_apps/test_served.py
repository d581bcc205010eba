"""What the corpus apps do once served, beyond answering their lists: defaults coerced as LB3
coerces them, index names unique per database, and an internal error of `check` reported as one
line naming the file."""

from __future__ import annotations

from collections.abc import AsyncIterator
from datetime import UTC, datetime
from pathlib import Path

import httpx
import pytest
import sqlalchemy as sa

from runtime.db import sync_engine
from specgen.cli import compile_app, internal_error, load_generated
from specgen.load.problems import reading
from specgen.render import write_package
from tests.databases import ALL_BACKENDS, TestDatabases

CORPUS = Path(__file__).parent / "corpus"


async def served(case: str, tmp_path: Path) -> AsyncIterator[httpx.AsyncClient]:
    out = tmp_path / f"lbapp_served_{case}"
    _, files, _ = compile_app(CORPUS / case / "server", out)
    write_package(files, out)
    app = load_generated(out).create_app(db_url="sqlite://")
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t/api") as client:
        yield client
    await app.db.close()


async def test_defaults_are_coerced_on_create(tmp_path: Path) -> None:
    async for client in served("defaults_coerced", tmp_path):
        created = (await client.post("/Tasks", json={})).json()
        assert {k: created.get(k) for k in ("done", "starred", "archived", "due", "meta")} == {
            "done": False,
            "starred": True,
            "archived": False,
            "due": "1970-01-01T00:00:00.000Z",
            "meta": {},
        }
        assert (created["priority"], created["title"], created["tags"]) == (3, "", [])
        assert "rank" not in created or created["rank"] is None


async def test_now_is_the_time_of_the_create(tmp_path: Path) -> None:
    async for client in served("date_defaults_now_and_zero", tmp_path):
        before = datetime.now(UTC)
        created = (await client.post("/Events", json={"name": "launch"})).json()
        stamp = datetime.fromisoformat(created["created"].replace("Z", "+00:00"))
        assert abs((stamp - before).total_seconds()) < 60
        assert created["since"] == "1970-01-01T00:00:00.000Z"
        document = (await client.get("/openapi.json")).json()
        schema = document["components"]["schemas"]["Event"]["properties"]["created"]
        assert "default" not in schema  # "$now" is no date-time value


def test_an_internal_error_is_one_line_naming_the_file(capsys: pytest.CaptureFixture[str]) -> None:
    token = reading.set("common/models/event.json")
    try:
        assert internal_error("check", KeyError("type")) == 2
    finally:
        reading.reset(token)
    assert capsys.readouterr().err == (
        "specgen check: internal error while reading common/models/event.json: KeyError: 'type' "
        "(a bug in specgen: please report it with that file)\n"
    )


@pytest.mark.parametrize("backend", ALL_BACKENDS)
async def test_index_names_are_unique_per_database(
    backend: str, databases: TestDatabases, tmp_path: Path
) -> None:
    """Coupon and Voucher both declare `code_idx`: each gets its own index (prefixed with its
    table on PostgreSQL and SQLite, where index names are per database; as written on MySQL)."""
    url = databases.fresh(backend) if backend != "sqlite" else f"sqlite:///{tmp_path / 'i.sqlite'}"
    out = tmp_path / f"lbapp_indexes_{backend}"
    _, files, _ = compile_app(CORPUS / "index_names_shared" / "server", out)
    write_package(files, out)
    app = load_generated(out).create_app(db_url=url)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t/api") as client:
        assert (await client.post("/Coupons", json={"code": "A"})).status_code == 200
        assert (await client.post("/Coupons", json={"code": "A"})).status_code == 409
        assert (await client.post("/Vouchers", json={"code": "A"})).status_code == 200
        assert (await client.post("/Vouchers", json={"code": "A"})).status_code == 200
    await app.db.close()
    with sync_engine(url) as engine:
        inspector = sa.inspect(engine)
        names = {
            t: {i["name"] for i in inspector.get_indexes(t)} for t in inspector.get_table_names()
        }
    coupon, voucher = ("coupon", "voucher") if backend == "postgresql" else ("Coupon", "Voucher")
    if backend == "mysql":
        assert "code_idx" in names[coupon] and "code_idx" in names[voucher]
    else:
        assert f"{coupon}_code_idx" in names[coupon] and f"{voucher}_code_idx" in names[voucher]


async def test_an_id_nothing_generates_must_be_sent(tmp_path: Path) -> None:
    async for client in served("id_not_generated", tmp_path):
        response = await client.post("/Countries", json={})
        assert response.status_code == 422
        error = response.json()["error"]
        assert error["name"] == "ValidationError"
        assert error["details"]["codes"] == {"code": ["presence"], "name": ["presence"]}
        assert error["details"]["messages"]["code"] == ["can't be blank"]
        response = await client.post("/Sensors", json={"label": "roof"})
        assert response.status_code == 422
        assert response.json()["error"]["details"]["codes"] == {"serial": ["presence"]}
        created = await client.post("/Countries", json={"code": "NO", "name": "Norway"})
        assert created.json() == {"code": "NO", "name": "Norway"}
        sensor = await client.post("/Sensors", json={"serial": 7, "label": "roof"})
        assert sensor.json() == {"serial": 7, "label": "roof"}
        document = (await client.get("/openapi.json")).json()
        schemas = document["components"]["schemas"]
        assert schemas["NewCountry"]["required"] == ["code", "name"]
        assert schemas["NewSensor"]["required"] == ["serial"]


async def test_a_through_relation_reads_by_the_through_models_belongs_to(tmp_path: Path) -> None:
    """Membership has no `playerId`: as LB3, the join rows are read through its belongsTo to
    Player (foreign key `playerref`)."""
    async for client in served("through_collect_relation", tmp_path):
        assert (await client.post("/Teams", json={"name": "red"})).status_code == 200
        assert (await client.post("/Players", json={"name": "ann"})).status_code == 200
        link = await client.post("/Memberships", json={"teamref": 1, "playerref": 1})
        assert link.status_code == 200
        players = await client.get("/Teams/1/players")
        assert players.json() == [{"name": "ann", "id": 1}]
        included = await client.get("/Teams", params={"filter": '{"include": "players"}'})
        assert included.json()[0]["players"] == [{"name": "ann", "id": 1}]


def test_the_serve_cache_follows_the_model_sources_outside_server(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """`specgen serve project/server` compiles ../common/models too: editing a model there must
    not serve the stale package; node_modules is not read unless a source points into it."""
    import shutil

    from specgen.cli import _cached_package

    monkeypatch.setenv("SPECGEN_CACHE", str(tmp_path / "cache"))
    project = tmp_path / "project"
    shutil.copytree(CORPUS / "methods_empty_array", project)
    (project / "server" / "node_modules").mkdir()
    (project / "server" / "node_modules" / "big.json").write_text("{}")
    first = _cached_package(project / "server")
    assert _cached_package(project / "server") == first
    (project / "server" / "node_modules" / "big.json").write_text('{"a": 1}')
    assert _cached_package(project / "server") == first
    note = project / "common" / "models" / "note.json"
    note.write_text(note.read_text().replace('"title"', '"heading"'))
    second = _cached_package(project / "server")
    assert second != first
    assert "heading" in (second / "openapi.yaml").read_text()
