"""The LB3 application directory around the discovered models: model-config.json, datasources.json
and config.json beside models/, so that `specgen serve DIR --db URL` serves it as written.

Files are JSON with two-space indents and a final newline, keys in a fixed order, so discovering
the same database twice writes the same bytes (and a diff shows only what changed in the schema).
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import sqlalchemy as sa

from .models import Model, model_json
from .read import DiscoverError, Schema

# loopback-boot's model sources: LB3's own models (for relations to User and the like) and ours
SOURCES = ["loopback/common/models", "./models"]
MIXINS = ["loopback/common/mixins", "loopback/server/mixins", "../common/mixins", "./mixins"]
# what `lb app` writes (specs/coffee-shop/config.json)
CONFIG: dict[str, Any] = {
    "restApiRoot": "/api",
    "host": "0.0.0.0",
    "port": 3000,
    "remoting": {
        "context": False,
        "rest": {"handleErrors": False, "normalizeHttpPath": False, "xml": False},
        "json": {"strict": False, "limit": "100kb"},
        "urlencoded": {"extended": True, "limit": "100kb"},
        "cors": False,
    },
    "legacyExplorer": False,
}


def app_files(
    models: list[Model], schema: Schema, url: sa.URL, model_schema: str | None
) -> dict[str, Any]:
    """Relative path -> JSON value of every file discover writes."""
    files: dict[str, Any] = {
        f"models/{m.file_stem}.json": model_json(m, schema.backend, model_schema) for m in models
    }
    files["model-config.json"] = {
        "_meta": {"sources": SOURCES, "mixins": MIXINS},
        **{m.name: {"dataSource": "db", "public": True} for m in models},
    }
    files["datasources.json"] = {"db": datasource(schema.backend, url)}
    files["config.json"] = CONFIG
    return files


def datasource(backend: str, url: sa.URL) -> dict[str, Any]:
    """LB3's settings for the database read, without the password: datasources.json is often
    committed, and `specgen serve --db URL` (or a `${DB_PASSWORD}` reference) supplies it."""
    if backend == "sqlite":
        return {
            "name": "db",
            "connector": "sqlite3",
            "file": str(Path(url.database or "").resolve()),
        }
    settings = {
        "host": url.host,
        "port": url.port,
        "database": url.database,
        "user": url.username,
    }
    return {
        "name": "db",
        "connector": backend,
        **{k: v for k, v in settings.items() if v not in (None, "")},
    }


def write_app(out_dir: Path, files: dict[str, Any]) -> list[Path]:
    """Write every file or none: an existing file is the user's, maybe edited since, so it is
    never replaced."""
    if out_dir.exists() and not out_dir.is_dir():
        raise DiscoverError(f"{out_dir} exists and is not a directory")
    existing = [rel for rel in files if (out_dir / rel).exists()]  # model files first
    if existing:
        more = f" and {len(existing) - 3} more" if len(existing) > 3 else ""
        raise DiscoverError(
            f"{out_dir} already holds {', '.join(existing[:3])}{more}; "
            "discover writes only into a new or empty directory"
        )
    written = []
    for rel, data in files.items():
        path = out_dir / rel
        path.parent.mkdir(parents=True, exist_ok=True)
        path.write_text(json.dumps(data, indent=2, ensure_ascii=False) + "\n", encoding="utf-8")
        written.append(path)
    return written
