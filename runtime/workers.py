"""Serving with several worker processes (`specgen serve --workers N`).

Each worker imports the generated package by path and builds its own app: nothing is shared in
memory, so any worker can answer any request; the database is the only shared state. Tables are
created once, by the parent, before the workers start (two workers creating them would race).
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path

from .app import LoopBackApp
from .db import in_memory

PACKAGE_ENV = "LB_SERVE_PACKAGE"
DB_ENV = "LB_SERVE_DB"


class WorkersRefused(ValueError):
    pass


def check_shareable(app: LoopBackApp) -> None:
    """An in-memory SQLite database lives in one process; workers would each have their own."""
    if any(in_memory(db.url) for db in (app.db, *app.databases.values())):
        raise WorkersRefused(
            "--workers needs a database the workers share: PostgreSQL, MySQL or a SQLite file "
            "(each worker would have its own in-memory database)"
        )


def export(package_dir: Path, db_url: str) -> None:
    """What each worker process reads to build its app."""
    os.environ[PACKAGE_ENV] = str(package_dir.resolve())
    os.environ[DB_ENV] = db_url


def worker_app() -> LoopBackApp:
    """uvicorn's app factory in every worker."""
    package_dir = Path(os.environ[PACKAGE_ENV])
    if str(package_dir.parent) not in sys.path:
        sys.path.insert(0, str(package_dir.parent))
    package = importlib.import_module(package_dir.name)
    # empty: the workers read the data sources themselves (several databases, one per data source)
    app: LoopBackApp = package.create_app(db_url=os.environ[DB_ENV] or None, create_tables=False)
    return app
