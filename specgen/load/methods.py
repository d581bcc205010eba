"""Parse one remote-method declaration from a model's `methods`.

`prototype.` names and `isStatic: false` make an instance method; accepts, returns and http are
kept as declared (an object or an array of objects) for the OpenAPI builder. What authorization needs
is kept too: the declared `accessType`, `aliases`, `accessScopes`, and whether `http` was an array
(LB3 reads an object's verb to find a GET's READ access, never an array's).
"""

from __future__ import annotations

from typing import Any

from ..errors import pointer
from ..ir import MethodSpec
from .problems import Collector
from .values import text

# the access types a remote method may declare (LB3's `_getAccessTypeForMethod` asserts them)
METHOD_ACCESS_TYPES = ("READ", "REPLICATE", "WRITE", "EXECUTE")


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

    access_type = data.get("accessType")
    if access_type is not None and access_type not in METHOD_ACCESS_TYPES:
        # LB3 asserts this when it authorizes a call to the method
        errors.error(
            file, f"{ptr}/accessType", f"accessType must be one of {', '.join(METHOD_ACCESS_TYPES)}"
        )
        access_type = None
    aliases = data.get("aliases", [])
    if not isinstance(aliases, list) or not all(isinstance(a, str) for a in aliases):
        errors.error(file, f"{ptr}/aliases", "must be an array of method names")
        aliases = []
    scopes = data.get("accessScopes")
    if scopes is not None and (
        not isinstance(scopes, list) or not all(isinstance(s, str) for s in scopes)
    ):
        errors.error(file, f"{ptr}/accessScopes", "must be an array of scope names")
        scopes = None
    return MethodSpec(
        access_type=access_type,
        aliases=tuple(aliases),
        access_scopes=tuple(scopes) if scopes is not None else None,
        http_list=isinstance(data.get("http"), list),
        name=name.removeprefix("prototype."),
        is_static=is_static,
        accepts=as_tuple("accepts"),
        returns=as_tuple("returns"),
        http=as_tuple("http"),
        description=text(data.get("description")),
    )
