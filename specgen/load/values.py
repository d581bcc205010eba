"""Read model settings that must be of one JSON kind, reporting any other kind as a problem.

Shared by the property, method and model parsers, so a wrong kind is worded the same everywhere.
"""

from __future__ import annotations

from typing import Any

from ..errors import pointer
from .problems import Collector


def text(value: Any) -> str | None:
    """A description: LB3 accepts a string or an array of lines."""
    if isinstance(value, list):
        return "\n".join(str(v) for v in value)
    return str(value) if value is not None else None


def object_setting(data: dict[str, Any], key: str, file: str, errors: Collector) -> dict[str, Any]:
    value = data.get(key, {})
    if value is None:
        return {}
    if not isinstance(value, dict):
        errors.error(file, pointer(key), "must be an object")
        return {}
    return value


def name_list(data: dict[str, Any], key: str, file: str, errors: Collector) -> set[str]:
    value = data.get(key, [])
    if not isinstance(value, list) or not all(isinstance(v, str) for v in value):
        errors.error(file, pointer(key), "must be an array of property names")
        return set()
    return set(value)
