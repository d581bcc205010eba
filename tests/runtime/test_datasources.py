"""datasources.json as LB3 (loopback-boot) reads it: connector settings or `url`, `${NAME}` references,
datasources.local.json and datasources.<env>.json overrides, and pool settings under LB3's names;
then an app whose datasources.json points at a real server, served with no --db."""

from __future__ import annotations

from pathlib import Path
from typing import Any

import httpx
import pytest
import sqlalchemy as sa

from runtime.datasources import DataSourceError, PoolSettings, read_datasources, resolve, url_for
from runtime.db import sync_engine
from specgen.cli import compile_app, load_generated
from specgen.render import write_package
from tests.databases import SERVERS, TestDatabases
from tests.specgen.appdir import write_app, write_json

PG = {
    "connector": "postgresql",
    "host": "db.example",
    "port": 5433,
    "user": "lb",
    "database": "shop",
}


def test_connector_settings_become_a_url(tmp_path: Path) -> None:
    assert url_for(PG, tmp_path) == "postgresql://lb@db.example:5433/shop"
    assert url_for({**PG, "password": "p@ss/word"}, tmp_path) == (
        "postgresql://lb:p%40ss%2Fword@db.example:5433/shop"
    )
    mysql = {"connector": "loopback-connector-mysql", "user": "root", "database": "shop"}
    assert url_for(mysql, tmp_path) == "mysql://root@localhost/shop"
    assert url_for({**PG, "url": "postgresql://u@h/d"}, tmp_path) == "postgresql://u@h/d"
    assert url_for({"connector": "memory"}, tmp_path) == "sqlite://"
    assert url_for({"connector": "memory", "file": "data.json"}, tmp_path) == (
        f"sqlite:///{tmp_path / 'data.sqlite'}"
    )


def test_an_unsupported_connector_is_named(tmp_path: Path) -> None:
    with pytest.raises(DataSourceError, match='connector "mongodb" is not supported'):
        url_for({"connector": "mongodb"}, tmp_path)
    with pytest.raises(DataSourceError, match="invalid postgresql settings"):
        url_for({**PG, "port": "not-a-port"}, tmp_path)


def test_references_read_config_then_the_environment(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_json(tmp_path / "config.json", {"dbHost": "from-config"})
    write_json(
        tmp_path / "datasources.json",
        {
            "db": {
                **PG,
                "host": "${dbHost}",
                "port": "${DB_PORT}",
                "database": "shop_${DB_SUFFIX}",
            }
        },
    )
    monkeypatch.setenv("DB_PORT", "6543")
    monkeypatch.setenv("DB_SUFFIX", "test")
    settings = read_datasources(tmp_path)["db"]
    assert (settings["host"], settings["port"], settings["database"]) == (
        "from-config",
        "6543",
        "shop_test",
    )
    monkeypatch.delenv("DB_PORT")
    with pytest.raises(DataSourceError, match=r"refers to \$\{DB_PORT\}"):
        read_datasources(tmp_path)


def test_local_then_environment_files_override(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    write_json(tmp_path / "datasources.json", {"db": PG, "other": {"connector": "memory"}})
    write_json(tmp_path / "datasources.local.json", {"db": {"host": "local-host"}})
    write_json(tmp_path / "datasources.production.json", {"db": {"database": "prod"}})
    write_json(tmp_path / "datasources.staging.json", {"db": {"database": "staging"}})
    monkeypatch.delenv("LB_ENV", raising=False)
    monkeypatch.delenv("NODE_ENV", raising=False)
    assert read_datasources(tmp_path)["db"]["database"] == "shop"  # "development": no file
    monkeypatch.setenv("NODE_ENV", "production")
    settings = read_datasources(tmp_path)["db"]
    assert (settings["host"], settings["database"], settings["user"]) == (
        "local-host",
        "prod",
        "lb",
    )
    monkeypatch.setenv("LB_ENV", "staging")  # ours wins over NODE_ENV
    assert read_datasources(tmp_path)["db"]["database"] == "staging"
    assert read_datasources(tmp_path)["other"] == {"connector": "memory"}


def test_a_broken_file_is_named(tmp_path: Path) -> None:
    (tmp_path / "datasources.json").write_text("{ not json")
    with pytest.raises(DataSourceError, match=r"datasources\.json: cannot read it"):
        read_datasources(tmp_path)


@pytest.mark.parametrize(
    ("settings", "expected"),
    [
        ({}, PoolSettings(size=10, acquire_timeout=10.0, connect_timeout=5.0)),
        ({"max": 25, "connectionTimeoutMillis": 2000}, PoolSettings(25, 10.0, 2.0)),
        ({"connectionLimit": "4", "acquireTimeout": 500, "connectTimeout": 1500}, PoolSettings(4, 0.5, 1.5)),
    ],
)  # fmt: skip
def test_pool_settings_use_lb3_names(settings: dict[str, Any], expected: PoolSettings) -> None:
    assert PoolSettings.from_settings(settings) == expected


def test_a_pool_setting_must_be_a_number() -> None:
    with pytest.raises(DataSourceError, match='"max" must be a number'):
        PoolSettings.from_settings({"max": "many"})


@pytest.mark.parametrize("backend", SERVERS)
async def test_an_app_is_served_from_its_datasources_json(
    backend: str, databases: TestDatabases, tmp_path: Path, monkeypatch: pytest.MonkeyPatch
) -> None:
    """No --db: the connector settings (with a ${NAME} from the environment) pick the database."""
    url = sa.make_url(databases.fresh(backend))
    monkeypatch.setenv("SHOP_DB_NAME", str(url.database))
    settings = {
        "connector": backend,
        "host": url.host,
        "port": url.port,
        "user": url.username,
        "database": "${SHOP_DB_NAME}",
        "max": 3,
    }
    note = {"name": "Note", "properties": {"text": {"type": "string", "required": True}}}
    app_dir = write_app(tmp_path / "notes", [note], datasources={"db": {"name": "db", **settings}})
    _, files, _ = compile_app(app_dir, tmp_path / f"notes_{backend}")
    write_package(files, tmp_path / f"notes_{backend}")
    app = load_generated(tmp_path / f"notes_{backend}").create_app()
    assert resolve(app_dir, "db", None).url == url.render_as_string(hide_password=False)
    assert (app.db.backend, app.db.pool.size) == (backend, 3)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test/api") as client:
        created = await client.post("/Notes", json={"text": "stored on the server"})
        assert created.json() == {"text": "stored on the server", "id": 1}
    await app.db.close()
    with sync_engine(url.render_as_string(hide_password=False)) as engine, engine.connect() as conn:
        table = "note" if backend == "postgresql" else "Note"
        rows = conn.execute(sa.text(f"SELECT text FROM {table}")).scalars().all()
    assert rows == ["stored on the server"]


def _ds_settings(url: str, tmp_path: Path, name: str) -> dict[str, Any]:
    """LB3 settings for a test database: a SQLite file (memory connector) or a server's fields."""
    if url == "sqlite://":
        return {"connector": "memory", "file": str(tmp_path / f"{name}.json")}
    parsed = sa.make_url(url)
    backend = parsed.get_backend_name()
    return {
        "connector": backend,
        "host": parsed.host,
        "port": parsed.port,
        "user": parsed.username,
        "database": parsed.database,
    }


def _rows(url: str, table: str) -> list[Any]:
    with sync_engine(url) as engine, engine.connect() as conn:
        return list(conn.execute(sa.text(f"SELECT * FROM {table}")).all())


@pytest.mark.parametrize(("backend", "other"), [("sqlite", "sqlite"), ("postgresql", "mysql")])
async def test_each_model_is_served_from_its_own_data_source(
    backend: str, other: str, databases: TestDatabases, tmp_path: Path
) -> None:
    """As in LB3: Note on `db`, Tag on `archive`; each row lands in its own database and a relation
    across them loads (include, where on the owner, the nested list)."""
    note = {
        "name": "Note",
        "properties": {"text": {"type": "string"}},
        "relations": {"tag": {"type": "belongsTo", "model": "Tag", "foreignKey": "tagId"}},
    }
    tag = {
        "name": "Tag",
        "properties": {"label": {"type": "string"}},
        "relations": {"notes": {"type": "hasMany", "model": "Note", "foreignKey": "tagId"}},
    }
    urls = {"db": databases.fresh(backend), "archive": databases.fresh(other)}
    app_dir = write_app(
        tmp_path / "split",
        [note, tag],
        attach={"Tag": {"dataSource": "archive", "public": True}},
        datasources={n: _ds_settings(u, tmp_path, n) for n, u in urls.items()},
    )
    _, files, _ = compile_app(app_dir, tmp_path / f"split_{backend}_{other}")
    write_package(files, tmp_path / f"split_{backend}_{other}")
    app = load_generated(tmp_path / f"split_{backend}_{other}").create_app()
    assert app.models["Note"].db is not app.models["Tag"].db
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://test/api") as client:
        assert (await client.post("/Tags", json={"label": "work"})).json() == {
            "label": "work",
            "id": 1,
        }
        created = await client.post("/Notes", json={"text": "call", "tagId": 1})
        assert created.json() == {"text": "call", "id": 1, "tagId": 1}
        included = await client.get("/Notes", params={"filter": '{"include": "tag"}'})
        assert included.json() == [
            {"text": "call", "id": 1, "tagId": 1, "tag": {"label": "work", "id": 1}}
        ]
        children = await client.get("/Tags/1/notes")
        assert children.json() == [{"text": "call", "id": 1, "tagId": 1}]
        child = await client.post("/Tags/1/notes", json={"text": "write"})
        assert child.json() == {"text": "write", "id": 2, "tagId": 1}
        owner = await client.get("/Notes/2/tag")
        assert owner.json() == {"label": "work", "id": 1}
        assert (await client.delete("/Notes/2")).json() == {"count": 1}
        back = await client.get("/Tags", params={"filter": '{"include": "notes"}'})
        assert back.json()[0]["notes"] == [{"text": "call", "id": 1, "tagId": 1}]
        across = await client.get("/Notes", params={"filter": '{"where": {"tag.label": "work"}}'})
        assert across.status_code == 400
        assert across.json()["error"]["message"] == (
            'a where on relation "tag" reads model "Tag", which is stored in another data '
            "source's database: filter it in a request of its own"
        )
    for db in app.databases.values():
        await db.close()
    note_url = urls["db"] if backend != "sqlite" else f"sqlite:///{tmp_path / 'db.sqlite'}"
    tag_url = urls["archive"] if other != "sqlite" else f"sqlite:///{tmp_path / 'archive.sqlite'}"
    note_table = "note" if backend == "postgresql" else "Note"
    tag_table = "tag" if other == "postgresql" else "Tag"
    assert len(_rows(note_url, note_table)) == 1 and len(_rows(tag_url, tag_table)) == 1
    with pytest.raises(sa.exc.DBAPIError):  # Tag is not in Note's database, nor the reverse
        _rows(note_url, tag_table)


async def test_db_overrides_every_data_source(tmp_path: Path) -> None:
    note = {"name": "Note", "properties": {"text": {"type": "string"}}}
    tag = {"name": "Tag", "properties": {"label": {"type": "string"}}}
    app_dir = write_app(
        tmp_path / "split",
        [note, tag],
        attach={"Tag": {"dataSource": "archive", "public": True}},
        datasources={"db": {"connector": "memory"}, "archive": {"connector": "mongodb"}},
    )
    _, files, _ = compile_app(app_dir, tmp_path / "override_pkg")
    write_package(files, tmp_path / "override_pkg")
    package = load_generated(tmp_path / "override_pkg")
    app = package.create_app(db_url="sqlite://")
    assert app.models["Note"].db is app.models["Tag"].db is app.db
    await app.db.close()
    # without --db, the mongodb data source's models go to the default SQL data source "db"
    app = package.create_app()
    assert app.models["Tag"].db is app.db
    await app.db.close()


def test_migrate_creates_each_models_table_in_its_own_database(tmp_path: Path) -> None:
    from runtime.migrate import run_migrate

    note = {"name": "Note", "properties": {"text": {"type": "string"}}}
    tag = {"name": "Tag", "properties": {"label": {"type": "string"}}}
    app_dir = write_app(
        tmp_path / "split",
        [note, tag],
        attach={"Tag": {"dataSource": "archive", "public": True}},
        datasources={
            "db": {"connector": "memory", "file": str(tmp_path / "db.json")},
            "archive": {"connector": "memory", "file": str(tmp_path / "archive.json")},
        },
    )
    _, files, _ = compile_app(app_dir, tmp_path / "migrate_split")
    write_package(files, tmp_path / "migrate_split")
    assert run_migrate(app_dir, tmp_path / "migrate_split", db=None, drop=False, dry_run=False) == 0
    with sync_engine(f"sqlite:///{tmp_path / 'db.sqlite'}") as engine:
        assert sa.inspect(engine).get_table_names() == ["Note"]
    with sync_engine(f"sqlite:///{tmp_path / 'archive.sqlite'}") as engine:
        assert sa.inspect(engine).get_table_names() == ["Tag"]
