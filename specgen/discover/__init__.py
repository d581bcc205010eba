"""`specgen discover`: LB3's discoverModelDefinitions + discoverSchema, written out as an LB3
application directory that `specgen serve` serves as it is.

read.py inspects the database; models.py turns its tables into LB3 model definitions; write.py
writes them with model-config.json, datasources.json and config.json. See docs/discover.md.
"""

from __future__ import annotations

import sys
from collections.abc import Sequence
from pathlib import Path

import sqlalchemy as sa

from runtime.db import backend_of, display, sync_engine
from runtime.db.urls import UnsupportedDatabase

from .models import build_models
from .read import DiscoverError, default_schema, read_schema
from .write import app_files, write_app

__all__ = ["DiscoverError", "run_discover"]


def run_discover(
    db_url: str, out_dir: Path, *, schema: str | None, tables: list[str] | None
) -> int:
    """Exit status 1 with one line on stderr for anything the user can fix; no traceback."""
    try:
        return _discover(db_url, out_dir, schema, tables)
    except DiscoverError as exc:
        print(f"discover: {exc}", file=sys.stderr)
        return 1


def _discover(db_url: str, out_dir: Path, schema: str | None, tables: Sequence[str] | None) -> int:
    try:
        backend = backend_of(db_url)
    except UnsupportedDatabase as exc:
        raise DiscoverError(str(exc)) from None
    url = sa.make_url(db_url)
    file = url.database if backend == "sqlite" else None
    # connecting would create a missing file, and discover an empty database in it
    if file and file != ":memory:" and not Path(file).is_file():
        raise DiscoverError(f"{file}: no such SQLite database file")
    read_from = default_schema(backend, url, schema)
    try:
        with sync_engine(db_url, wal=False) as engine:  # reading leaves the file as it was
            found = read_schema(engine, backend, read_from, tables)
    except sa.exc.DBAPIError as exc:
        text = str(exc.orig).strip()
        reason = text.splitlines()[0] if text else type(exc.orig).__name__
        raise DiscoverError(f"cannot read {display(db_url)}: {reason}") from None
    kind = "schema" if backend == "postgresql" else "database"
    where = display(db_url) + (f' ({kind} "{read_from}")' if read_from else "")
    if not found.tables:
        raise DiscoverError(f"no tables in {where}")

    warnings: list[str] = []  # shown once the files are written: a refusal is the only news
    models = build_models(found, warnings.append)
    if not models:
        raise DiscoverError(f"no table in {where} has a primary key; nothing to write")
    # pin MySQL models to a database only when it is not the URL's, so that --db can move the app
    model_schema = read_from if backend == "postgresql" or read_from != url.database else None
    files = app_files(models, found, url, model_schema)
    write_app(out_dir, files)
    for message in warnings:
        print(f"warning: {message}", file=sys.stderr)
    for m in models:
        rel = f"models/{m.file_stem}.json"
        relations = f", {len(m.relations)} relation(s)" if m.relations else ""
        print(
            f"wrote {out_dir / rel}: {m.name} <- {m.table.name} ({len(m.properties)} properties{relations})"
        )
    skipped = len(found.tables) - len(models)
    print(
        f"discovered {_count(len(models), 'model', 'models')} from {where}"
        + (f", {_count(skipped, 'table', 'tables')} skipped" if skipped else "")
        + f"; wrote {out_dir}/model-config.json, datasources.json, config.json"
    )
    print(f"serve it with: specgen serve {out_dir} --db URL")
    return 0


def _count(n: int, one: str, many: str) -> str:
    return f"{n} {one if n == 1 else many}"
