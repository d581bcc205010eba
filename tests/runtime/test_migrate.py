"""`specgen migrate` end to end on every configured database: a small LB3 app written to tmp_path,
compiled through the CLI's cache, migrated, then the database read back with sqlalchemy.inspect."""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

import pytest
import sqlalchemy as sa

from runtime.app import load_document
from runtime.db import sync_engine
from runtime.migrate import apply, model_metadata, plan, render_sql, run_migrate
from runtime.registry import build_registry
from specgen.cli import main
from tests.databases import ALL_BACKENDS, TestDatabases

ROOT = Path(__file__).resolve().parents[2]
COFFEE_SHOP = ROOT / "specs" / "coffee-shop"
COFFEE_SHOP_PACKAGE = ROOT / "generated" / "coffee_shop"

SHOP: dict[str, Any] = {
    "name": "Shop",
    "base": "PersistedModel",
    "idInjection": True,
    "properties": {
        "name": {"type": "string", "required": True},
        "city": {"type": "string", "index": True},
    },
    "indexes": {"name_city": {"keys": {"name": 1, "city": -1}}},
}
SHOP_V2: dict[str, Any] = {
    **SHOP,
    "properties": {
        **SHOP["properties"],
        "rating": {"type": "number", "index": True},
        "note": {"type": "string", "required": True},
    },
}

PUBLIC = {"dataSource": "db", "public": True}

pytestmark = pytest.mark.parametrize("backend", ALL_BACKENDS)

Run = Callable[..., tuple[int, str, str]]


@pytest.fixture
def url(backend: str, databases: TestDatabases, tmp_path: Path) -> str:
    """A new empty database (a file for SQLite: an in-memory one vanishes with its engine)."""
    return f"sqlite:///{tmp_path}/db.sqlite" if backend == "sqlite" else databases.fresh(backend)


@pytest.fixture
def app_dir(tmp_path: Path, monkeypatch: pytest.MonkeyPatch) -> Path:
    monkeypatch.setenv("SPECGEN_CACHE", str(tmp_path / "cache"))
    root = tmp_path / "app"
    (root / "models").mkdir(parents=True)
    _write(root / "model-config.json", {"_meta": {"sources": ["./models"]}, "Shop": PUBLIC})
    _write(root / "datasources.json", {"db": {"name": "db", "connector": "memory"}})
    _write(root / "models" / "shop.json", SHOP)
    return root


@pytest.fixture
def migrate(capsys: pytest.CaptureFixture[str], app_dir: Path, url: str) -> Run:
    """`specgen migrate APP --db URL [args]`: (exit status, stdout, stderr)."""

    def run(*args: str, db: str | None = None) -> tuple[int, str, str]:
        capsys.readouterr()
        status = main(["migrate", str(app_dir), "--db", db or url, *args])
        out, err = capsys.readouterr()
        return status, out, err

    return run


def _write(path: Path, data: dict[str, Any]) -> None:
    path.write_text(json.dumps(data), encoding="utf-8")


def _shop_table(backend: str) -> str:
    return "shop" if backend == "postgresql" else "Shop"


def _city_index(backend: str) -> str:
    table = "shop" if backend == "postgresql" else "Shop"
    return "city" if backend == "mysql" else f"{table}_city_idx"


def _inspect(url: str, fn: Callable[[sa.Inspector], Any]) -> Any:
    with sync_engine(url) as engine, engine.connect() as conn:
        return fn(sa.inspect(conn))


def _columns(url: str, table: str) -> dict[str, dict[str, Any]]:
    return {c["name"]: c for c in _inspect(url, lambda i: i.get_columns(table))}


def _indexes(url: str, table: str) -> set[str]:
    return {str(ix["name"]) for ix in _inspect(url, lambda i: i.get_indexes(table))}


def _sql(url: str, *statements: str) -> list[Any]:
    """Run raw SQL; `"name"` quoting is rewritten to backticks on MySQL."""
    rows: list[Any] = []
    with sync_engine(url) as engine, engine.begin() as conn:
        for statement in statements:
            if conn.dialect.name == "mysql":
                statement = statement.replace('"', "`")
            result = conn.execute(sa.text(statement))
            if result.returns_rows:
                rows = [tuple(r) for r in result]
    return rows


def _insert_shops(url: str, backend: str, *names: str) -> None:
    table = _shop_table(backend)
    _sql(url, *(f"INSERT INTO \"{table}\" (name, city) VALUES ('{n}', 'Oslo')" for n in names))


def _progress_lines(out: str) -> list[str]:
    return [line for line in out.splitlines() if line.startswith("[")]


def test_creates_every_table_on_an_empty_database(
    backend: str, url: str, capsys: pytest.CaptureFixture[str]
) -> None:
    status = run_migrate(COFFEE_SHOP, COFFEE_SHOP_PACKAGE, db=url, drop=False, dry_run=False)

    out = capsys.readouterr().out
    registry = build_registry(load_document(COFFEE_SHOP_PACKAGE / "openapi.yaml"))
    expected = {t.name for t in model_metadata(registry, backend).sorted_tables}
    assert status == 0
    assert set(_inspect(url, lambda i: i.get_table_names())) == expected
    assert len(expected) == 8
    progress = _progress_lines(out)
    assert progress[0].startswith(f"[1/{len(progress)}] create table ")
    assert sum("create table" in line for line in progress) == 8
    # RoleMapping's principalId index, and one per foreign key: AccessToken.userId,
    # Review.coffeeShopId and publisherId, Reviewer.coffeeShopId, RoleMapping.roleId
    assert "migrate: 8 tables created, 0 columns added, 6 indexes created; 0 warnings" in out
    rolemapping = "rolemapping" if backend == "postgresql" else "RoleMapping"
    assert len(_indexes(url, rolemapping)) == 2  # principalId and roleId came with their table
    review = "review" if backend == "postgresql" else "Review"
    assert len(_indexes(url, review)) == 2


def test_creates_model_indexes(backend: str, url: str, migrate: Run) -> None:
    status, out, _ = migrate()

    assert status == 0
    assert _indexes(url, _shop_table(backend)) >= {_city_index(backend), "name_city"}
    assert "migrate: 1 table created, 0 columns added, 2 indexes created; 0 warnings" in out


def test_autoupdate_adds_columns_and_indexes_and_keeps_rows(
    backend: str, url: str, app_dir: Path, migrate: Run
) -> None:
    # MySQL names a property's index after its column, per table: Kiosk's "rating" index is a
    # second one of that name (SQLite and PostgreSQL, where index names are per database, prefix
    # the table)
    kiosk: dict[str, Any] = {"name": "Kiosk", "base": "PersistedModel", "properties": {}}
    config = {"_meta": {"sources": ["./models"]}, "Shop": PUBLIC, "Kiosk": PUBLIC}
    _write(app_dir / "model-config.json", config)
    _write(app_dir / "models" / "kiosk.json", kiosk)
    assert migrate()[0] == 0
    _insert_shops(url, backend, "Bel Cafe", "Three Bees")
    _write(app_dir / "models" / "shop.json", SHOP_V2)
    kiosk["properties"] = {"rating": {"type": "number", "index": True}}
    _write(app_dir / "models" / "kiosk.json", kiosk)

    status, out, _ = migrate()

    table = _shop_table(backend)
    assert status == 0
    rows = _sql(url, f'SELECT name, city FROM "{table}" ORDER BY name')
    assert rows == [("Bel Cafe", "Oslo"), ("Three Bees", "Oslo")]
    columns = _columns(url, table)
    assert {"rating", "note"} <= set(columns)
    assert columns["note"]["nullable"]  # required, yet added nullable: the rows have no value
    rating_index = "rating" if backend == "mysql" else f"{table}_rating_idx"
    assert rating_index in _indexes(url, table)
    assert f"add column {table}.rating" in out
    assert f"create index {rating_index} on {table}" in out
    assert _sql(url, f'SELECT COUNT(*) FROM "{table}" WHERE rating IS NULL') == [(2,)]
    assert "migrate: 0 tables created, 3 columns added, 2 indexes created; 0 warnings" in out
    kiosk_table = "kiosk" if backend == "postgresql" else "Kiosk"
    kiosk_index = "rating" if backend == "mysql" else f"{kiosk_table}_rating_idx"
    assert kiosk_index in _indexes(url, kiosk_table)


def test_keeps_and_reports_what_the_model_lacks(backend: str, url: str, migrate: Run) -> None:
    assert migrate()[0] == 0
    table = _shop_table(backend)
    _insert_shops(url, backend, "Bel Cafe")
    _sql(
        url,
        f'ALTER TABLE "{table}" ADD COLUMN oldcol INTEGER',
        f'UPDATE "{table}" SET oldcol = 7',
        f'CREATE INDEX oldcol_idx ON "{table}" (oldcol)',
        'CREATE TABLE "legacy" (id INTEGER PRIMARY KEY)',
    )

    status, out, _ = migrate()

    assert status == 0
    assert f"warning: kept: column {table}.oldcol is not in model Shop" in out
    assert f"warning: kept: index oldcol_idx on {table} is not in model Shop" in out
    assert "migrate: nothing to do; 2 warnings" in out
    assert "legacy" not in out  # not a model's table: neither reported nor touched
    assert _sql(url, f'SELECT oldcol FROM "{table}"') == [(7,)]
    assert "oldcol_idx" in _indexes(url, table)
    assert "legacy" in _inspect(url, lambda i: i.get_table_names())


def test_reports_a_type_that_differs_and_leaves_it(
    backend: str, url: str, app_dir: Path, migrate: Run
) -> None:
    assert migrate()[0] == 0
    changed = json.loads(json.dumps(SHOP))
    changed["properties"]["name"]["type"] = "boolean"
    _write(app_dir / "models" / "shop.json", changed)

    status, out, _ = migrate()

    table = _shop_table(backend)
    assert status == 0
    assert f"warning: differs: column {table}.name is " in out
    assert "; not altered" in out
    assert not isinstance(_columns(url, table)["name"]["type"], sa.Boolean)


def test_dry_run_prints_the_ddl_and_changes_nothing(
    backend: str, url: str, app_dir: Path, migrate: Run
) -> None:
    status, out, _ = migrate("--dry-run")

    assert status == 0
    lines = out.splitlines()  # the whole output is a script
    statements = [line for line in lines if line and not line.startswith("--")]
    assert statements[0].startswith("CREATE TABLE ")
    assert all(s.endswith(";") for s in statements)
    assert sum(s.startswith("CREATE INDEX ") for s in statements) == 2
    assert "-- migrate --dry-run, nothing changed: 1 table created" in out
    assert _inspect(url, lambda i: i.get_table_names()) == []

    assert migrate()[0] == 0
    _write(app_dir / "models" / "shop.json", SHOP_V2)
    status, out, _ = migrate("--dry-run")

    table = _shop_table(backend)
    assert status == 0
    assert [s for s in out.splitlines() if s.startswith("ALTER TABLE ")] == [
        s for s in out.splitlines() if "ADD COLUMN" in s and s.endswith(";")
    ]
    assert sum("ADD COLUMN" in line for line in out.splitlines()) == 2
    assert any(line.startswith("CREATE INDEX ") for line in out.splitlines())
    assert {"rating", "note"}.isdisjoint(_columns(url, table))
    assert not {f"{table}_rating_idx", "rating"} & _indexes(url, table)


def test_drop_recreates_the_tables_empty(backend: str, url: str, migrate: Run) -> None:
    assert migrate()[0] == 0
    table = _shop_table(backend)
    _insert_shops(url, backend, "Bel Cafe", "Three Bees")
    _sql(url, 'CREATE TABLE "legacy" (id INTEGER PRIMARY KEY)', 'INSERT INTO "legacy" VALUES (1)')

    status, out, _ = migrate("--drop")

    assert status == 0
    lines = out.splitlines()
    warning = (
        f"warning: --drop deletes every row of {table}: the tables are dropped and created empty"
    )
    assert warning in lines
    assert lines.index(warning) < min(i for i, line in enumerate(lines) if line.startswith("["))
    assert f"[1/4] drop table {table}" in lines
    assert _sql(url, f'SELECT COUNT(*) FROM "{table}"') == [(0,)]
    assert _indexes(url, table) >= {_city_index(backend), "name_city"}
    assert _sql(url, 'SELECT id FROM "legacy"') == [(1,)]
    assert "migrate: 1 table dropped, 1 table created, 0 columns added, 2 indexes created" in out


def test_second_run_is_a_no_op(backend: str, url: str, migrate: Run) -> None:
    first = migrate()
    second = migrate()

    assert first[0] == second[0] == 0
    assert _progress_lines(first[1])
    assert _progress_lines(second[1]) == []
    assert second[1].strip().splitlines()[-1] == "migrate: nothing to do"
    # the Coffee Shop models too (several tables, a property index, string and JSON ids)
    assert run_migrate(COFFEE_SHOP, COFFEE_SHOP_PACKAGE, db=url, drop=False, dry_run=False) == 0
    _, again, _ = migrate()  # Shop: still nothing to do beside the Coffee Shop's tables
    assert again.strip().splitlines()[-1] == "migrate: nothing to do"
    assert run_migrate(COFFEE_SHOP, COFFEE_SHOP_PACKAGE, db=url, drop=False, dry_run=False) == 0


def test_unreachable_database_is_one_line_and_exit_1(
    backend: str, tmp_path: Path, migrate: Run
) -> None:
    unreachable = {
        "sqlite": f"sqlite:///{tmp_path}/no/such/dir/db.sqlite",
        "postgresql": "postgresql://postgres:s3cret@127.0.0.1:1/x",
        "mysql": "mysql://root:s3cret@127.0.0.1:1/x",
    }[backend]

    status, out, err = migrate(db=unreachable)

    assert status == 1
    assert err.count("\n") == 1
    assert err.startswith("migrate: cannot connect to ")
    assert "s3cret" not in err + out
    assert "Traceback" not in err


def test_failed_ddl_is_one_line_and_exit_1(
    backend: str, url: str, app_dir: Path, migrate: Run
) -> None:
    assert migrate()[0] == 0
    _insert_shops(url, backend, "Bel Cafe", "Bel Cafe")
    unique = json.loads(json.dumps(SHOP))
    unique["indexes"]["unique_name"] = {"keys": {"name": 1}, "options": {"unique": True}}
    _write(app_dir / "models" / "shop.json", unique)

    status, _, err = migrate()

    assert status == 1
    assert err.count("\n") == 1
    assert err.startswith("migrate: failed at [1/1] create index unique_name on ")
    assert err.rstrip().endswith("; nothing changed)")
    assert "unique_name" not in _indexes(url, _shop_table(backend))


def test_python_api_plans_renders_and_applies(backend: str, url: str) -> None:
    registry = build_registry(load_document(COFFEE_SHOP_PACKAGE / "openapi.yaml"))
    metadata = model_metadata(registry, backend)
    progress: list[str] = []
    with sync_engine(url) as engine, engine.connect() as conn:
        todo = plan(conn, metadata)
        sql = render_sql(conn.dialect, todo.steps)
        assert _inspect(url, lambda i: i.get_table_names()) == []
        apply(conn, todo.steps, progress.append)
        conn.commit()
        assert plan(conn, metadata).steps == []

    assert [str(s) for s in todo.steps][:1] == [f"create table {metadata.sorted_tables[0].name}"]
    assert len(sql) == len(todo.steps) == len(progress) == 14  # 8 tables, 6 indexes
    assert all(len(statements) == 1 and statements[0].endswith(";") for statements in sql)
    assert progress[-1].startswith("[14/14] ")


def test_creates_a_postgresql_schema(backend: str, url: str, app_dir: Path, migrate: Run) -> None:
    """`"postgresql": {"schema": ...}` puts the table in that schema, created when missing; the
    other backends ignore the setting."""
    _write(app_dir / "models" / "shop.json", {**SHOP, "postgresql": {"schema": "shopping"}})

    status, out, _ = migrate()

    assert status == 0
    schema = "shopping" if backend == "postgresql" else None
    assert _shop_table(backend) in _inspect(url, lambda i: i.get_table_names(schema=schema))
    assert ("[1/4] create schema shopping" in out) == (backend == "postgresql")
    assert migrate()[1].strip().splitlines()[-1] == "migrate: nothing to do"
