"""The JSON files of an LB3 app's `server/` directory, read without ever raising.

A file that cannot be read or parsed becomes a problem with its line and column; config.json and
datasources.json are checked here, so later stages only see values of the right JSON kind.
"""

from __future__ import annotations

import json
from collections.abc import Callable
from pathlib import Path
from typing import Any

from ..errors import pointer
from ..ir import DataSourceSpec, ModelSpec
from .problems import Collector, reading

# `transient` stores nothing: it holds models that are only embedded in others (no table)
CONNECTORS = {"memory", "postgresql", "mysql", "sqlite3", "sqlite", "transient"}
# served by runtime/mail: the Email models attached to it send through its transports
MAIL_CONNECTOR = "mail"

# how a path is named in messages (relative to the app's parent; built-ins as LB3 names them)
Display = Callable[[Path], str]


def read_json(path: Path, errors: Collector, display: str) -> Any:
    """Parse a JSON file; a syntax error is reported with its line and column."""
    reading.set(display)
    try:
        text = path.read_text(encoding="utf-8-sig")  # Node's require() skips a byte-order mark too
    except (OSError, UnicodeDecodeError) as exc:
        errors.error(display, "", f"cannot read file: {exc}")
        return None
    try:
        return json.loads(text)
    except json.JSONDecodeError as exc:
        errors.error(
            display, "", f"invalid JSON at line {exc.lineno}, column {exc.colno}: {exc.msg}"
        )
        return None


def app_root(path: Path) -> Path:
    """The directory holding model-config.json: PATH itself, or PATH/server for an LB3 project."""
    if not (path / "model-config.json").exists() and (path / "server/model-config.json").exists():
        return path / "server"
    return path


def load_optional(path: Path, errors: Collector, display: Display) -> Any:
    return read_json(path, errors, display(path)) if path.exists() else None


def load_datasources(
    data: Any, origin: Callable[[str], str], errors: Collector
) -> list[DataSourceSpec]:
    """The data sources of the merged datasources*.json; ORIGIN names the file that wrote one. A
    connector we do not serve is a warning: its models are served from another database (see
    `unserved_warning`)."""
    if data is None:
        return []
    if not isinstance(data, dict):
        errors.error(origin(""), "", "must be a JSON object")
        return []
    out = []
    for name, settings in sorted(data.items()):
        if not isinstance(settings, dict):
            errors.error(origin(name), pointer(name), "must be an object")
            continue
        connector = settings.get("connector", "memory")
        if not isinstance(connector, str):
            errors.error(origin(name), pointer(name, "connector"), "must be a string")
            continue
        short = connector.removeprefix("loopback-connector-")
        out.append(DataSourceSpec(name=name, connector=short, settings=dict(settings)))
    served = [d for d in out if d.connector in CONNECTORS]
    fallback = default_sql_datasource(served)
    for ds in out:
        if ds.connector not in CONNECTORS and ds.connector != MAIL_CONNECTOR:
            errors.warn(
                origin(ds.name), pointer(ds.name, "connector"), unserved_warning(ds, fallback)
            )
    return out


def stored_on_mail(
    models: dict[str, ModelSpec],
    datasources: list[DataSourceSpec],
    mc_file: str,
    errors: Collector,
) -> None:
    """A stored model attached to a mail data source (which sends, and stores nothing) is served
    from the default SQL data source, as an unserved connector's models are: say so."""
    mail = {d.name for d in datasources if d.connector == MAIL_CONNECTOR}
    fallback = default_sql_datasource([d for d in datasources if d.connector in CONNECTORS])
    for model in models.values():
        if isinstance(model.datasource, str) and model.datasource in mail and model.persisted:
            spec = DataSourceSpec(name=model.datasource, connector=MAIL_CONNECTOR, settings={})
            where = unserved_warning(spec, fallback).split(": ", 1)[1]
            errors.warn(
                mc_file,
                pointer(model.name, "dataSource"),
                f'data source "{model.datasource}" only sends mail (Email models); {where}',
            )


def default_sql_datasource(served: list[DataSourceSpec]) -> DataSourceSpec | None:
    """Where the models of an unserved connector go without --db: the data source named "db" (LB3's
    default), else the only one that stores rows."""
    storing = [d for d in served if d.connector != "transient"]
    named = [d for d in storing if d.name == "db"]
    return named[0] if named else (storing[0] if len(storing) == 1 else None)


def unserved_warning(ds: DataSourceSpec, fallback: DataSourceSpec | None) -> str:
    instead = (
        f'its models are served from --db, else from data source "{fallback.name}" ({fallback.connector})'
        if fallback is not None
        else "its models are served only with --db URL (a SQL database)"
    )
    return f'connector "{ds.connector}" is not served here: {instead}'


def js_defined_datasources(
    root: Path,
    model_config: dict[str, Any],
    known: set[str],
    datasources: list[DataSourceSpec],
    mc_file: str,
    errors: Collector,
) -> list[DataSourceSpec]:
    """Data sources model-config.json names that the JSON files do not define, when a
    datasources*.js file (which LB3 would run, and we cannot) may define them: served like a
    connector we do not serve, with a warning, instead of refusing the app LB3 boots."""
    scripts = sorted(p.name for p in root.glob("datasources*.js"))
    if not scripts:
        return []
    fallback = default_sql_datasource([d for d in datasources if d.connector in CONNECTORS])
    found: dict[str, DataSourceSpec] = {}
    for model, entry in model_config.items():
        ds = entry.get("dataSource") if isinstance(entry, dict) and model != "_meta" else None
        if not isinstance(ds, str) or ds in known or ds in found:
            continue
        spec = DataSourceSpec(name=ds, connector="unknown", settings={})
        found[ds] = spec
        where = unserved_warning(spec, fallback).split(": ", 1)[1]
        errors.warn(
            mc_file,
            pointer(model, "dataSource"),
            f'data source "{ds}" is not in datasources.json (it may be defined by '
            f"{', '.join(scripts)}, which we cannot run: write it in datasources.json); {where}",
        )
    return list(found.values())


def as_port(value: Any) -> int:
    try:
        return int(value)
    except (TypeError, ValueError):
        return 3000
