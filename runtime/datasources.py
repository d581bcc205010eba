"""LB3 data sources -> database URLs and pool settings, read from the application directory at
start-up (never from the served document: datasources.json may hold credentials).

Configuration is LB3's (loopback-boot): `datasources.json`, overridden per data source by
`datasources.local.json` and then `datasources.<env>.json`, where env is `$LB_ENV`, else `$NODE_ENV`,
else "development". String values may reference `${NAME}`: config.json's setting NAME, else the
environment variable NAME. A value that is exactly `${NAME}` takes the referenced value's type.
"""

from __future__ import annotations

import json
import os
import re
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import sqlalchemy as sa

SQLITE_MAGIC = b"SQLite format 3\x00"
_REFERENCE = re.compile(r"\$\{([^}]+)\}")
# LB3 connector names -> the SQLAlchemy backend we serve them with
SERVER_CONNECTORS = {"postgresql": "postgresql", "mysql": "mysql"}


class DataSourceError(Exception):
    pass


@dataclass(frozen=True)
class PoolSettings:
    """Connection pool limits, from LB3's names: `max`/`min` (postgresql), `connectionLimit`
    (mysql); timeouts in milliseconds as LB3 writes them."""

    size: int = 10
    acquire_timeout: float = 10.0  # seconds a request waits for a free connection
    connect_timeout: float = 5.0  # seconds to reach the server: a dead database is a quick 503

    @classmethod
    def from_settings(cls, settings: dict[str, Any]) -> PoolSettings:
        size = _positive(settings, "max", "connectionLimit", "poolSize") or cls.size
        acquire = _positive(settings, "acquireTimeout", "acquireTimeoutMillis")
        connect = _positive(settings, "connectionTimeoutMillis", "connectTimeout")
        return cls(
            size=int(size),
            acquire_timeout=acquire / 1000 if acquire else cls.acquire_timeout,
            connect_timeout=connect / 1000 if connect else cls.connect_timeout,
        )


@dataclass(frozen=True)
class DataSource:
    name: str
    url: str
    pool: PoolSettings


def environment() -> str:
    return os.environ.get("LB_ENV") or os.environ.get("NODE_ENV") or "development"


def read_datasources(app_dir: Path, env: str | None = None) -> dict[str, dict[str, Any]]:
    """Every data source's settings, overrides merged and `${NAME}` references resolved."""
    merged = _read_merged(app_dir, "datasources", env)
    config = _read_config(app_dir)
    return {ds: _resolve(settings, config, f"datasource {ds!r}") for ds, settings in merged.items()}


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
    """LB3's settings of one data source as a URL: `url` wins, then host/port/user/password/database."""
    connector = str(settings.get("connector", "memory")).removeprefix("loopback-connector-")
    if connector in ("memory", "sqlite", "sqlite3"):
        file = settings.get("file") or (connector != "memory" and settings.get("database"))
        return sqlite_file_url(file, base) if isinstance(file, str) and file else "sqlite://"
    backend = SERVER_CONNECTORS.get(connector)
    if backend is None:
        raise DataSourceError(
            f'connector "{connector}" is not supported '
            f"(supported: memory, sqlite, {', '.join(sorted(SERVER_CONNECTORS))})"
        )
    if isinstance(settings.get("url"), str) and settings["url"]:
        return str(settings["url"])
    port = settings.get("port")
    try:
        url = sa.URL.create(
            backend,
            username=_text(settings.get("user") or settings.get("username")),
            password=_text(settings.get("password")),
            host=_text(settings.get("host")) or "localhost",
            port=int(port) if port not in (None, "") else None,
            database=_text(settings.get("database")),
        )
    except (TypeError, ValueError) as exc:
        raise DataSourceError(f"invalid {connector} settings: {exc}") from None
    return url.render_as_string(hide_password=False)


def resolve(app_dir: Path, datasource: str | None, override: str | None) -> DataSource:
    """The database of a data source: `--db` wins, then the data source's settings, then SQLite in
    memory. Pool settings come from the data source either way."""
    name = datasource or ""
    settings = read_datasources(app_dir).get(name, {"connector": "memory"})
    url = override or url_for(settings, Path.cwd())
    return DataSource(name=name, url=url, pool=PoolSettings.from_settings(settings))


# connectors served from a SQL database (memory and sqlite as SQLite)
SERVED = {"memory", "sqlite", "sqlite3", "transient", *SERVER_CONNECTORS}


def connector_of(settings: dict[str, Any]) -> str:
    return str(settings.get("connector", "memory")).removeprefix("loopback-connector-")


def default_sql(settings: dict[str, dict[str, Any]]) -> str | None:
    """The data source that serves the models of a connector we do not serve (the loader's rule):
    the one named "db" (LB3's default), else the only one storing rows."""
    storing = [n for n, s in settings.items() if connector_of(s) in SERVED - {"transient"}]
    return "db" if "db" in storing else (storing[0] if len(storing) == 1 else None)


def resolve_all(
    app_dir: Path, used: dict[str, list[str]], override: str | None
) -> dict[str, DataSource]:
    """The database of each data source that has models, as LB3 serves each model from its own data
    source. `--db` serves them all; a connector we do not serve (mongodb, rest, ...) is served from
    the default SQL data source, or refused naming the connector and the fix."""
    settings = read_datasources(app_dir)
    out: dict[str, DataSource] = {}
    for name, models in sorted(used.items()):
        # a model without a data source is served from memory; one naming a data source the JSON
        # files do not define (a datasources.*.js may) is served like an unserved connector's
        own = settings.get(name, {"connector": "memory" if not name else None})
        pool = PoolSettings.from_settings(own)
        if override:
            out[name] = DataSource(name=name, url=override, pool=pool)
            continue
        connector = connector_of(own)
        if connector not in SERVED:
            fallback = default_sql(settings)
            if fallback is None:
                what = (
                    f'uses connector "{connector}", which is not served here'
                    if name in settings
                    else "is not defined in datasources.json"
                )
                raise DataSourceError(
                    f'data source "{name}" {what} (models {", ".join(sorted(models))}): pass '
                    "--db URL to serve them from a SQL database, or attach them to a SQL data "
                    "source in model-config.json"
                )
            own = settings[fallback]
            pool = PoolSettings.from_settings(own)
        out[name] = DataSource(name=name, url=url_for(own, Path.cwd()), pool=pool)
    return out


def _read_config(app_dir: Path) -> dict[str, Any]:
    try:
        return _read_merged(app_dir, "config", None)
    except DataSourceError:
        return {}  # the loader reports a broken config.json; references then use the environment


def _read_merged(app_dir: Path, name: str, env: str | None) -> dict[str, Any]:
    """NAME.json with NAME.local.json and NAME.<env>.json merged over it, deeply, as loopback-boot
    merges them (the loader reports what it refuses; here a value of another kind is skipped)."""
    main = app_dir / f"{name}.json"
    if not main.exists():
        return {}
    merged: dict[str, Any] = {}
    for path in (
        main,
        app_dir / f"{name}.local.json",
        app_dir / f"{name}.{env or environment()}.json",
    ):
        if not path.exists():
            continue
        try:
            data = json.loads(path.read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise DataSourceError(f"{path}: cannot read it ({exc})") from None
        if not isinstance(data, dict):
            raise DataSourceError(f"{path}: must be a JSON object")
        _deep_merge(merged, data)
    return merged


def _deep_merge(target: dict[str, Any], extra: dict[str, Any]) -> None:
    for key, value in extra.items():
        if isinstance(target.get(key), dict) and isinstance(value, dict):
            _deep_merge(target[key], value)
        else:
            target[key] = value


def _resolve(value: Any, config: dict[str, Any], where: str) -> Any:
    if isinstance(value, dict):
        return {k: _resolve(v, config, where) for k, v in value.items()}
    if isinstance(value, list):
        return [_resolve(v, config, where) for v in value]
    if not isinstance(value, str) or "${" not in value:
        return value
    whole = _REFERENCE.fullmatch(value)
    if whole:
        return _lookup(whole.group(1), config, where)
    return _REFERENCE.sub(lambda m: str(_lookup(m.group(1), config, where)), value)


def _lookup(name: str, config: dict[str, Any], where: str) -> Any:
    if name in config:
        return config[name]
    if name in os.environ:
        return os.environ[name]
    raise DataSourceError(
        f"{where} refers to ${{{name}}}, which is neither a config.json setting nor an "
        "environment variable"
    )


def _positive(settings: dict[str, Any], *names: str) -> float | None:
    for name in names:
        value = settings.get(name)
        if isinstance(value, int | float | str) and not isinstance(value, bool):
            try:
                number = float(value)
            except ValueError:
                raise DataSourceError(f'"{name}" must be a number, not {value!r}') from None
            if number > 0:
                return number
    return None


def _text(value: Any) -> str | None:
    return None if value is None or value == "" else str(value)
