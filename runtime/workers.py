"""Serving: uvicorn in this process, or worker processes (`specgen serve --workers N`, and granian,
whose workers are always processes).

Each worker imports the generated package by path and builds its own app: nothing is shared in
memory, so any worker can answer any request; the database is the only shared state. Tables are
created once, by the parent, before the workers start (two workers creating them would race);
a lone granian worker on an in-memory SQLite database creates its own (the parent's is gone).
"""

from __future__ import annotations

import importlib
import os
import sys
from pathlib import Path
from typing import Literal

from .app import LoopBackApp
from .db import in_memory

PACKAGE_ENV = "LB_SERVE_PACKAGE"
DB_ENV = "LB_SERVE_DB"
CREATE_ENV = "LB_SERVE_CREATE_TABLES"

Server = Literal["uvicorn", "granian"]
SERVERS: tuple[Server, ...] = ("uvicorn", "granian")


class WorkersRefused(ValueError):
    pass


def _in_memory(app: LoopBackApp) -> bool:
    return any(in_memory(db.url) for db in (app.db, *app.databases.values()))


def check_shareable(app: LoopBackApp) -> None:
    """An in-memory SQLite database lives in one process; workers would each have their own."""
    if _in_memory(app):
        raise WorkersRefused(
            "--workers needs a database the workers share: PostgreSQL, MySQL or a SQLite file "
            "(each worker would have its own in-memory database)"
        )


def export(package_dir: Path, db_url: str, *, create_tables: bool = False) -> None:
    """What each worker process reads to build its app."""
    os.environ[PACKAGE_ENV] = str(package_dir.resolve())
    os.environ[DB_ENV] = db_url
    os.environ[CREATE_ENV] = "1" if create_tables else ""


def worker_app() -> LoopBackApp:
    """The app factory of uvicorn's and granian's workers."""
    package_dir = Path(os.environ[PACKAGE_ENV])
    if str(package_dir.parent) not in sys.path:
        sys.path.insert(0, str(package_dir.parent))
    package = importlib.import_module(package_dir.name)
    # empty: the workers read the data sources themselves (several databases, one per data source)
    app: LoopBackApp = package.create_app(
        db_url=os.environ[DB_ENV] or None, create_tables=bool(os.environ.get(CREATE_ENV))
    )
    app.settle_heap = True
    return app


def run(
    app: LoopBackApp,
    package_dir: Path,
    *,
    server: Server,
    host: str,
    port: int,
    workers: int,
    log_level: str,
) -> None:
    """Serve `app` (built by the parent, tables created) until interrupted. One uvicorn worker
    serves the parent's app in this process; otherwise each worker process builds its own."""
    if workers > 1:
        check_shareable(app)
    if server == "uvicorn" and workers == 1:
        import uvicorn

        app.settle_heap = True
        uvicorn.run(app, host=host, port=port, log_level=log_level, access_log=False)
        return
    databases = {id(db): db for db in (app.db, *app.databases.values())}
    for db in databases.values():
        db.dispose()
    export(package_dir, app.db.url if len(databases) == 1 else "", create_tables=_in_memory(app))
    target = f"{__name__}:worker_app"
    if server == "uvicorn":
        import uvicorn

        uvicorn.run(
            target,
            factory=True,
            workers=workers,
            host=host,
            port=port,
            log_level=log_level,
            access_log=False,
        )
        return
    from granian.constants import Interfaces
    from granian.log import LogLevels
    from granian.server import Server as Granian

    Granian(
        target,
        address=host,
        port=port,
        interface=Interfaces.ASGI,
        workers=workers,
        factory=True,
        log_level=LogLevels(log_level.lower()),
        log_access=False,
    ).serve()
