"""The server/ config files as loopback-boot reads them: `NAME.json`, then `NAME.local.json`, then
`NAME.<env>.json` merged over it (env: `$LB_ENV`, else `$NODE_ENV`, else "development").

loopback-boot merges deeply: objects key by key, arrays item by item (same length only), scalars
replaced; a value of another kind is refused. It would `require()` a `NAME.local.js` or
`NAME.<env>.js` in preference to the JSON form; we cannot run it, so it is a warning naming it.
"""

from __future__ import annotations

import os
from pathlib import Path
from typing import Any

from ..errors import pointer
from .files import Display, read_json
from .problems import Collector


def environment() -> str:
    """loopback-boot's env: NODE_ENV (LB_ENV first, as the runtime reads it), else development."""
    return os.environ.get("LB_ENV") or os.environ.get("NODE_ENV") or "development"


class MergedConfig:
    """One config file merged with its overrides, remembering which file last set each top-level key
    (so a problem in a data source is reported against the file that wrote it)."""

    def __init__(self, main: Path, data: Any, origins: dict[str, Path]) -> None:
        self.main = main
        self.data = data
        self.origins = origins

    def origin(self, key: str) -> Path:
        return self.origins.get(key, self.main)


def load_config(
    root: Path, name: str, errors: Collector, display: Display, env: str | None = None
) -> MergedConfig | None:
    """NAME.json merged with NAME.local.json and NAME.<env>.json; None when NAME.json is absent or
    unreadable (loopback-boot then ignores the overrides too)."""
    main = root / f"{name}.json"
    overrides = [_candidate(root, f"{name}.local", errors, display)]
    overrides.append(_candidate(root, f"{name}.{env or environment()}", errors, display))
    if not main.exists():
        for extra in overrides:
            if extra is not None:
                message = (
                    f"ignored: {name}.json is missing (loopback-boot reads overrides only over it)"
                )
                errors.warn(display(extra), "", message)
        return None
    data = read_json(main, errors, display(main))
    if data is None:
        return None
    origins: dict[str, Path] = {}
    for path in overrides:
        if path is None:
            continue
        extra = read_json(path, errors, display(path))
        if extra is None:
            continue
        if not isinstance(data, dict) or not isinstance(extra, dict):
            errors.error(display(path), "", "must be a JSON object")
            continue
        for key, value in extra.items():
            problem = _merge_item(data, key, value, (key,))
            if problem is not None:
                errors.error(
                    display(path),
                    pointer(*problem),
                    "cannot merge a value of another kind over the one in "
                    f"{name}.json (loopback-boot refuses it too)",
                )
            else:
                origins[key] = path
    return MergedConfig(main, data, origins)


def _candidate(root: Path, stem: str, errors: Collector, display: Display) -> Path | None:
    """loopback-boot's `ifExistsWithAnyExt`: STEM.js wins over STEM.json."""
    js, json_file = root / f"{stem}.js", root / f"{stem}.json"
    if js.exists():
        also = f" ({json_file.name} is read instead)" if json_file.exists() else ""
        errors.warn(
            display(js), "", f"JavaScript config file ignored: write it as {stem}.json{also}"
        )
    return json_file if json_file.exists() else None


def _merge_item(
    target: Any, key: Any, value: Any, path: tuple[str | int, ...]
) -> tuple[str | int, ...] | None:
    """loopback-boot's `_mergeSingleItemOrProperty`; the path of a refused value, else None."""
    original = target[key] if isinstance(target, list) else target.get(key)
    if not _compatible(original, value):
        return path
    if isinstance(original, list):
        if len(original) != len(value):
            return path
        for i, item in enumerate(value):
            problem = _merge_item(original, i, item, (*path, i))
            if problem is not None:
                return problem
        return None
    if value is not None and isinstance(original, dict):
        for k, v in value.items():
            problem = _merge_item(original, k, v, (*path, k))
            if problem is not None:
                return problem
        return None
    target[key] = value
    return None


def _compatible(original: Any, value: Any) -> bool:
    if original is None:
        return True
    if isinstance(original, list):
        return isinstance(value, list)
    if isinstance(original, dict):
        return isinstance(value, dict | list) or value is None
    return not isinstance(value, dict | list) and value is not None  # JS: typeof null is 'object'
