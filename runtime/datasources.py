"""LB3 data sources -> SQLAlchemy URLs, read from the application directory at start-up (never from
the served document: datasources.json may hold credentials)."""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

SQLITE_MAGIC = b"SQLite format 3\x00"


class DataSourceError(Exception):
    pass


def read_datasources(app_dir: Path) -> dict[str, dict[str, Any]]:
    path = app_dir / "datasources.json"
    if not path.exists():
        return {}
    data = json.loads(path.read_text(encoding="utf-8"))
    return {k: v for k, v in data.items() if isinstance(v, dict)}


def sqlite_file_url(file: str, base: Path) -> str:
    """LB3's memory connector persists to a JSON `file`; we keep a SQLite database beside it instead and
    never write over the JSON (or any file that is not SQLite)."""
    path = Path(file)
    if not path.is_absolute():
        path = base / path
    if path.suffix == ".json":
        path = path.with_suffix(".sqlite")
    if path.exists() and path.stat().st_size and path.read_bytes()[:16] != SQLITE_MAGIC:
        raise DataSourceError(
            f"{path} exists and is not a SQLite database; refusing to overwrite it"
        )
    return f"sqlite:///{path}"


def url_for(settings: dict[str, Any], base: Path) -> str:
    connector = str(settings.get("connector", "memory")).removeprefix("loopback-connector-")
    if connector == "memory":
        file = settings.get("file")
        return sqlite_file_url(file, base) if isinstance(file, str) and file else "sqlite://"
    if connector in ("sqlite", "sqlite3"):
        file = settings.get("file") or settings.get("database")
        return sqlite_file_url(file, base) if isinstance(file, str) and file else "sqlite://"
    if isinstance(settings.get("url"), str) and settings["url"].startswith("sqlite"):
        return str(settings["url"])
    raise DataSourceError(
        f'connector "{connector}" is not supported by this release yet; '
        "serve on SQLite, or pass --db with a sqlite URL"
    )


def resolve_url(app_dir: Path, datasource: str | None, override: str | None) -> str:
    """The database for a data source: `--db` wins, then datasources.json, then SQLite in memory."""
    if override:
        return override
    settings = read_datasources(app_dir).get(datasource or "", {"connector": "memory"})
    return url_for(settings, Path.cwd())
