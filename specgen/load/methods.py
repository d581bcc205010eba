"""Parse one remote-method declaration from a model's `methods`.

`prototype.` names and `isStatic: false` make an instance method; accepts, returns and http are
kept as declared (an object or an array of objects) for the OpenAPI builder.
"""

from __future__ import annotations

from typing import Any

from ..errors import pointer
from ..ir import MethodSpec
from .problems import Collector
from .values import text


def parse_method(name: str, data: Any, file: str, errors: Collector) -> MethodSpec | None:
    ptr = pointer("methods", name)
    if not isinstance(data, dict):
        errors.error(file, ptr, "a method must be an object")
        return None
    is_static = not name.startswith("prototype.") and data.get("isStatic", True) is not False

    def as_tuple(key: str) -> tuple[dict[str, Any], ...]:
        value = data.get(key, [])
        items = value if isinstance(value, list) else [value]
        if not all(isinstance(v, dict) for v in items):
            errors.error(file, f"{ptr}/{key}", "must be an object or an array of objects")
            return ()
        return tuple(items)

    return MethodSpec(
        name=name.removeprefix("prototype."),
        is_static=is_static,
        accepts=as_tuple("accepts"),
        returns=as_tuple("returns"),
        http=as_tuple("http"),
        description=text(data.get("description")),
    )
