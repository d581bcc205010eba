"""middleware.json as loopback-boot reads it: phases in LB3's order, entries in file order, each with
its `params`, `paths` and `enabled`; `middleware.local.json` and `middleware.<env>.json` merged over it.

Pure reading (no imports of the implementations): `specgen check` and the runtime both call
`read_middleware`, so a problem is worded the same in both places.
"""

from __future__ import annotations

import json
import re
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..datasources import environment

# LB3's built-in phases; each also has `:before` and `:after` sub-phases
PHASES = ("initial", "session", "auth", "parse", "routes", "files", "final")
_REFERENCE = re.compile(r"\$\{([^}]+)\}")
_NO_PARAMS: Any = object()


@dataclass(frozen=True)
class Problem:
    """A warning about one entry: file (relative to the app's parent), JSON pointer, message."""

    file: str
    pointer: str
    message: str

    def __str__(self) -> str:
        return f"warning: {self.file}#{self.pointer}: {self.message}"


@dataclass(frozen=True)
class Entry:
    """One middleware to install: `name` as written (`cors`, `helmet#hsts`, `./middleware/timing`)."""

    phase: str
    name: str
    params: Any = _NO_PARAMS
    paths: tuple[str, ...] = ()
    file: str = "middleware.json"
    pointer: str = ""
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def has_params(self) -> bool:
        return self.params is not _NO_PARAMS


def pointer(*parts: str | int) -> str:
    """JSON pointer (RFC 6901) from path parts."""
    return "/" + "/".join(str(p).replace("~", "~0").replace("/", "~1") for p in parts)


def phase_order(names: list[str]) -> list[str]:
    """LB3's phases with their sub-phases, and an app's own phases where the file puts them (after
    the phase written before them), as loopback-boot merges phase lists."""
    order = [f"{p}{s}" for p in PHASES for s in (":before", "", ":after")]
    last = -1
    for name in names:
        base = name.split(":")[0]
        if name in order:
            last = order.index(name)
        elif base in PHASES:
            continue
        else:
            for sub in (":before", "", ":after"):
                last += 1
                order.insert(last, f"{base}{sub}")
    return order


def read_middleware(app_dir: Path, env: str | None = None) -> tuple[list[Entry], list[Problem]]:
    """Every entry in installation order, and the problems found reading them. No middleware.json:
    no entries (the app is served as before)."""
    problems: list[Problem] = []
    base = app_dir / "middleware.json"
    if not base.exists():
        return [], problems
    config = _config(app_dir)
    merged: dict[str, Any] = {}
    sources: dict[tuple[str, str], str] = {}
    for name in (
        "middleware.json",
        "middleware.local.json",
        f"middleware.{env or environment()}.json",
    ):
        path = app_dir / name
        if not path.exists():
            continue
        shown = _display(app_dir, path)
        try:
            data = json.loads(path.read_text(encoding="utf-8-sig"))
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            problems.append(Problem(shown, "", f"cannot read it ({exc}): no middleware from it"))
            continue
        if not isinstance(data, dict):
            problems.append(Problem(shown, "", "must be a JSON object: no middleware from it"))
            continue
        for phase, entries in data.items():
            if not isinstance(entries, dict):
                problems.append(Problem(shown, pointer(phase), "must be an object: phase ignored"))
                continue
            target = merged.setdefault(phase, {})
            for mw, value in entries.items():
                target[mw] = _merge(target.get(mw), value)
                sources.setdefault((phase, mw), shown)
    out: list[Entry] = []
    for phase in phase_order(list(merged)):
        for name, value in merged.get(phase, {}).items():
            shown = sources[(phase, name)]
            configs = value if isinstance(value, list) else [value]
            for i, item in enumerate(configs):
                at = pointer(phase, name, i) if isinstance(value, list) else pointer(phase, name)
                entry = _entry(phase, name, item, shown, at, app_dir, config, problems)
                if entry is not None:
                    out.append(entry)
    return out, problems


def _entry(
    phase: str,
    name: str,
    item: Any,
    file: str,
    at: str,
    app_dir: Path,
    config: dict[str, Any],
    problems: list[Problem],
) -> Entry | None:
    if not isinstance(item, dict):
        problems.append(
            Problem(file, at, "must be an object with params, paths or enabled: ignored")
        )
        return None
    if item.get("enabled", True) is False:
        return None
    paths = item.get("paths", [])
    paths = [paths] if isinstance(paths, str) else paths
    if not isinstance(paths, list) or not all(isinstance(p, str) for p in paths):
        problems.append(Problem(file, f"{at}/paths", "must be a path or a list of paths: ignored"))
        return None
    known = {"params", "paths", "enabled", "optional"}
    for key in item:
        if key not in known:
            problems.append(Problem(file, f"{at}/{key}", f'unknown setting "{key}": ignored'))
    params = _substitute(item["params"], app_dir, config) if "params" in item else _NO_PARAMS
    return Entry(
        phase=phase,
        name=name,
        params=params,
        paths=tuple(_substitute(p, app_dir, config) for p in paths),
        file=file,
        pointer=at,
    )


def _merge(old: Any, new: Any) -> Any:
    """loopback-boot's merge of an override file: objects key by key, everything else replaced."""
    if isinstance(old, dict) and isinstance(new, dict):
        return {**old, **{k: _merge(old.get(k), v) for k, v in new.items()}}
    return new


def _substitute(value: Any, app_dir: Path, config: dict[str, Any]) -> Any:
    """`${restApiRoot}` -> the config.json value (a whole-string reference keeps its type); `$!x` -> x
    resolved against the directory of middleware.json when x starts with ./ or ../, as loopback-boot
    does."""
    if isinstance(value, dict):
        return {k: _substitute(v, app_dir, config) for k, v in value.items()}
    if isinstance(value, list):
        return [_substitute(v, app_dir, config) for v in value]
    if not isinstance(value, str):
        return value
    if value.startswith(("$!./", "$!../")):  # loopback-boot's MIDDLEWARE_PATH_PARAM_REGEX
        return str((app_dir / value[2:]).resolve())
    whole = _REFERENCE.fullmatch(value)
    if whole and whole.group(1) in config:
        return config[whole.group(1)]
    return _REFERENCE.sub(lambda m: str(config.get(m.group(1), m.group(0))), value)


def _config(app_dir: Path) -> dict[str, Any]:
    """config.json with LB3's defaults for what middleware.json refers to (`${restApiRoot}`)."""
    path = app_dir / "config.json"
    try:
        data = json.loads(path.read_text(encoding="utf-8-sig")) if path.exists() else {}
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        data = {}  # the loader reports a broken config.json
    return {"restApiRoot": "/api", **(data if isinstance(data, dict) else {})}


def _display(app_dir: Path, path: Path) -> str:
    """Paths in messages as the loader names them: relative to the app directory's parent."""
    try:
        return path.resolve().relative_to(app_dir.resolve().parent).as_posix()
    except ValueError:
        return str(path)
