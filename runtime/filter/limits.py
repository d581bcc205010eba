"""The bounds every filter is checked against, with their defaults; an app sets its own in
config.json (`"filterLimits": {"maxLimit": 5000}`). A filter over a bound is a 400 that names it."""

from __future__ import annotations

import json
from dataclasses import dataclass
from pathlib import Path
from typing import Any


@dataclass(frozen=True)
class FilterLimits:
    max_limit: int = 1000  # the largest `limit` (scopes included); no limit stays "every row"
    max_include_depth: int = 4  # include levels (`{a: {b: {c: d}}}` is 4)
    max_where_depth: int = 32  # and/or nesting and related-model paths
    max_inq_size: int = 1000  # values in one inq/nin
    max_regexp_length: int = 512  # characters of one regexp (or like) pattern


DEFAULT_LIMITS = FilterLimits()

# config.json's camelCase key of each limit, as error messages and docs name them
CONFIG_KEYS = {
    "max_limit": "maxLimit",
    "max_include_depth": "maxIncludeDepth",
    "max_where_depth": "maxWhereDepth",
    "max_inq_size": "maxInqSize",
    "max_regexp_length": "maxRegexpLength",
}


class LimitsError(ValueError):
    """config.json's filterLimits cannot be used: the app must not start with a bound it ignores."""


def limit_hint(limit_name: str) -> str:
    """The end of a 400 for a filter over a bound: which config.json key sets it."""
    return f"(the limit is {CONFIG_KEYS[limit_name]} in config.json's filterLimits)"


def limits_from_config(config: Any) -> FilterLimits:
    """`{"filterLimits": {"maxLimit": 5000, ...}}` -> FilterLimits; absent keys keep defaults."""
    raw = config.get("filterLimits") if isinstance(config, dict) else None
    if raw is None:
        return DEFAULT_LIMITS
    if not isinstance(raw, dict):
        raise LimitsError("config.json: filterLimits must be an object")
    by_key = {v: k for k, v in CONFIG_KEYS.items()}
    values: dict[str, int] = {}
    for key, value in raw.items():
        if key not in by_key:
            known = ", ".join(CONFIG_KEYS.values())
            raise LimitsError(f'config.json: unknown filterLimits key "{key}" (known: {known})')
        if isinstance(value, bool) or not isinstance(value, int) or value < 1:
            raise LimitsError(f"config.json: filterLimits.{key} must be a positive integer")
        values[by_key[key]] = value
    return FilterLimits(**values)


def load_limits(app_dir: Path) -> FilterLimits:
    """The app's limits from its config.json (a missing file or key keeps the defaults)."""
    path = app_dir / "config.json"
    if not path.exists():
        return DEFAULT_LIMITS
    try:
        config = json.loads(path.read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return DEFAULT_LIMITS  # the loader reports a broken config.json (as for data sources)
    return limits_from_config(config)
