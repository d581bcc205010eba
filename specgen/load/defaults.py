"""A property's `default` read as LB3 reads it: juggler keeps whatever the JSON says and coerces it
when the instance is built, so `"default": 1` on a boolean is `true`, `0` on a date is the epoch
and `"3"` on a number is 3. Here the value is coerced once, at load, with a warning where the JSON
is odd; a value no coercion can read is dropped with a warning (LB3 boots with it, then stores
garbage or refuses every create)."""

from __future__ import annotations

import json
import math
from datetime import UTC, datetime
from typing import Any

from ..ir import NO_DEFAULT
from .problems import Collector

_TRUE, _FALSE = ("true", "1"), ("false", "0")


def coerce_default(type_name: str, value: Any, file: str, ptr: str, errors: Collector) -> Any:
    """The default to apply, or NO_DEFAULT when it is dropped."""
    if value is None or value is NO_DEFAULT:
        return value
    shown = json.dumps(value)
    coerced = _coerce(type_name, value)
    if coerced is NO_DEFAULT:
        errors.warn(file, ptr, f"default {shown} is not a {type_name}: ignored (no default)")
    elif type(coerced) is not type(value) or coerced != value:
        errors.warn(
            file, ptr, f"default {shown} is read as {json.dumps(coerced)} (type {type_name})"
        )
    return coerced


def _coerce(type_name: str, value: Any) -> Any:
    if type_name == "boolean":
        if isinstance(value, bool):
            return value
        if isinstance(value, str):
            if value in _TRUE:
                return True
            if value in _FALSE:
                return False
        if isinstance(value, int | float):  # juggler's BooleanType: Boolean(arg)
            return bool(value)
        return NO_DEFAULT
    if type_name == "number":
        if isinstance(value, int | float) and not isinstance(value, bool):
            return value
        if isinstance(value, str):
            try:
                number = float(value)
            except ValueError:
                return NO_DEFAULT
            if math.isfinite(number):
                return int(number) if number.is_integer() and "." not in value else number
        return NO_DEFAULT
    if type_name == "string":
        if isinstance(value, str):
            return value
        if isinstance(value, int | float) and not isinstance(value, bool):
            return str(value)  # JavaScript's String(5)
        return NO_DEFAULT
    if type_name == "date":
        if value == "$now":
            return value
        if isinstance(value, int | float) and not isinstance(value, bool):  # new Date(ms)
            try:
                when = datetime.fromtimestamp(value / 1000, UTC)
            except (OverflowError, OSError, ValueError):
                return NO_DEFAULT
            return when.strftime("%Y-%m-%dT%H:%M:%S.") + f"{when.microsecond // 1000:03d}Z"
        if isinstance(value, str):
            try:
                datetime.fromisoformat(value.replace("Z", "+00:00"))
            except ValueError:
                return NO_DEFAULT
            return value
        return NO_DEFAULT
    if type_name == "object":
        if isinstance(value, dict):
            return value
        if value == []:
            return {}
        return NO_DEFAULT
    if type_name == "array":
        return value if isinstance(value, list) else NO_DEFAULT
    return value
