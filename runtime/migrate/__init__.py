"""`specgen migrate`: LB3's autoupdate (the default) and automigrate (`--drop`), over alembic.

The Python API, for tests and boot scripts:

    metadata = model_metadata(registry, backend)
    with sync_engine(url) as engine, engine.connect() as conn:
        todo = plan(conn, metadata)            # reads the database, changes nothing
        print(render_sql(conn.dialect, todo.steps))
        apply(conn, todo.steps)                # one progress line per step
        conn.commit()
"""

from __future__ import annotations

import sys
from pathlib import Path

import sqlalchemy as sa

from ..app import load_document
from ..datasources import DataSource, DataSourceError, PoolSettings, resolve, resolve_all
from ..db import backend_of, display, in_memory, sync_engine
from ..db.urls import UnsupportedDatabase
from ..registry import Registry, build_registry
from ..sql.tables import TableDefinitionError, build_tables
from .compare import plan
from .steps import Plan, Progress, Step, StepFailed, apply, reason, render_sql

__all__ = [
    "Plan",
    "Step",
    "StepFailed",
    "apply",
    "migrate",
    "model_metadata",
    "plan",
    "render_sql",
    "run_migrate",
    "summary",
]


def run_migrate(app_dir: Path, pkg_dir: Path, *, db: str | None, drop: bool, dry_run: bool) -> int:
    """The command: exit status 0, or 1 after one line on stderr saying what went wrong. Each data
    source's database is migrated with its own models (one database under --db)."""
    try:
        registry = build_registry(load_document(pkg_dir / "openapi.yaml"))
        sources = resolve_all(app_dir, registry.datasources(), db)
        if not sources:
            sources = {"": resolve(app_dir, registry.datasource, db)}
        by_url: dict[str, tuple[DataSource, list[str]]] = {}
        for name, source in sorted(sources.items()):
            by_url.setdefault(source.url, (source, []))[1].extend(
                registry.datasources().get(name, [])
            )
        work = [
            (source, model_metadata(registry, backend_of(source.url), set(models)))
            for source, models in by_url.values()
        ]
    except (OSError, DataSourceError, UnsupportedDatabase, TableDefinitionError) as exc:
        return _error(str(exc))
    stored = [(source, metadata) for source, metadata in work if not in_memory(source.url)]
    if not stored:
        return _error(
            "the database is SQLite in memory, which the server creates afresh at each start; "
            "give --db or a data source with a file"
        )
    status = 0
    for source, metadata in stored:
        status |= migrate(source.url, metadata, drop=drop, dry_run=dry_run, pool=source.pool)
    return status


def model_metadata(registry: Registry, backend: str, names: set[str] | None = None) -> sa.MetaData:
    """The models' tables (those named, else all), each tagged with its model's name for the
    warnings."""
    models = [
        m for m in registry.models.values() if m.has_table and (names is None or m.name in names)
    ]
    metadata, tables = build_tables(models, backend)
    for name, model_table in tables.items():
        model_table.table.info["model"] = name
    return metadata


def migrate(
    url: str,
    metadata: sa.MetaData,
    *,
    drop: bool = False,
    dry_run: bool = False,
    pool: PoolSettings | None = None,
    out: Progress = print,
) -> int:
    """Plan, then apply it (or print its SQL); the exit status. Errors are one line on stderr,
    naming the database without its password."""
    where = display(url)
    with sync_engine(url, pool) as engine:
        try:
            conn = engine.connect()
        except sa.exc.SQLAlchemyError as exc:
            return _error(f"cannot connect to {where}: {reason(exc)}")
        with conn:
            try:
                todo = plan(conn, metadata, drop=drop)
            except sa.exc.SQLAlchemyError as exc:
                return _error(f"cannot read the tables of {where}: {reason(exc)}")
            if dry_run:
                _print_sql(conn.dialect, todo, out)
                conn.rollback()
                return 0
            _print_warnings(todo, out)
            try:
                apply(conn, todo.steps, out)
                conn.commit()
            except StepFailed as exc:
                conn.rollback()
                # PostgreSQL's DDL is transactional; MySQL's and (through sqlite3) SQLite's is not
                done = exc.number - 1
                kept = (
                    "nothing changed"
                    if conn.dialect.name == "postgresql" or not done
                    else f"step{'s 1-' if done > 1 else ' '}{done} stayed applied"
                )
                return _error(f"failed at {exc} ({where}; {kept})")
            except sa.exc.SQLAlchemyError as exc:
                return _error(f"cannot commit on {where}: {reason(exc)}")
    out(f"migrate: {summary(todo)}")
    return 0


def summary(todo: Plan) -> str:
    """One line: what was done (or would be), and how many warnings."""
    warnings = _n(len(todo.warnings), "warning")
    if not todo.steps:
        return "nothing to do" + (f"; {warnings}" if todo.warnings else "")
    parts = [
        _n(todo.count("create table"), "table") + " created",
        _n(todo.count("add column"), "column") + " added",
        _n(todo.count("create index"), "index", "indexes") + " created",
    ]
    if todo.count("drop table"):
        parts.insert(0, _n(todo.count("drop table"), "table") + " dropped")
    if todo.count("create schema"):
        parts.insert(0, _n(todo.count("create schema"), "schema") + " created")
    return f"{', '.join(parts)}; {warnings}"


def _print_warnings(todo: Plan, out: Progress, prefix: str = "") -> None:
    if todo.dropped:
        out(
            f"{prefix}warning: --drop deletes every row of {', '.join(todo.dropped)}: "
            "the tables are dropped and created empty"
        )
    for warning in todo.warnings:
        out(f"{prefix}warning: {warning}")


def _print_sql(dialect: sa.Dialect, todo: Plan, out: Progress) -> None:
    """A script one can read or feed to the database: SQL, everything else as `--` comments."""
    _print_warnings(todo, out, prefix="-- ")
    rendered = render_sql(dialect, todo.steps)
    for number, (step, statements) in enumerate(zip(todo.steps, rendered, strict=True), 1):
        out(f"-- [{number}/{len(todo.steps)}] {step}")
        for statement in statements:
            out(statement)
    out(f"-- migrate --dry-run, nothing changed: {summary(todo)}")


def _n(count: int, singular: str, plural: str | None = None) -> str:
    return f"{count} {singular if count == 1 else plural or singular + 's'}"


def _error(message: str) -> int:
    print(f"migrate: {message}", file=sys.stderr)
    return 1
