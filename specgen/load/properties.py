"""Parse a model's `properties` and merge them with the inherited ones, as juggler's ModelBuilder.

Types are normalised to the names in `ir.SCALAR_TYPES` (LB3 reads them case-insensitively); a type,
defaultFn or default LB3 would not accept is reported here, with the property's JSON pointer.
"""

from __future__ import annotations

import json
from typing import Any

from ..errors import pointer
from ..ir import NO_DEFAULT, SCALAR_TYPES, ModelSpec, PropertySpec
from .defaults import coerce_default
from .problems import Collector
from .values import text

# LB3's Model itself has this id (juggler injects it when Model is defined), so every model inherits it
# unless it declares an id of its own
IMPLICIT_ID = PropertySpec(name="id", type="number", id=1, generated=True)

PROPERTY_KEYS = {
    "type", "required", "default", "defaultFn", "id", "generated", "index", "hidden", "protected",
    "description", "doc", "length", "precision", "scale", "postgresql", "mysql", "mssql", "oracle",
    "mongodb", "sqlite3", "memory", "columnName", "dataType", "jsonSchema", "min", "max", "comments",
    "format", "unique", "updateOnly", "useDefaultIdType", "deprecated", "ttl", "title", "nullable",
    "dataLength", "dataPrecision", "dataScale", "example", "enum",
}  # fmt: skip
DEFAULT_FNS = {"now", "guid", "uuid", "uuidv4", "shortid", "nanoid"}
# the properties' settings that PropertySpec has fields for; the others are kept in `settings`
_SPEC_FIELDS = {"type", "required", "default", "defaultFn", "id", "generated", "index", "hidden",
                "protected", "description", "doc"}  # fmt: skip
# type names juggler registers (lib/types.js) besides those in SCALAR_TYPES. "int", "integer",
# "float", "double", "bool" and "datetime" are not registered: LB3 boots with such a type as a
# placeholder model, then answers 500 to every write of the property, so here they are errors.
_TYPE_ALIASES = {"text": "string", "json": "object", "datestring": "string", "binary": "buffer"}


def merge_properties(
    parent: ModelSpec | None,
    data: dict[str, Any],
    file: str,
    errors: Collector,
    model_names: set[str],
) -> dict[str, PropertySpec]:
    """LB3's `ModelClass.extend` order: the model's own properties first, then the inherited ones it does
    not redefine. Declaring an id drops every inherited id; `null`/`false` and the names listed in
    `excludeBaseProperties` remove a property."""
    raw_props = data.get("properties", {})
    if raw_props is None:
        raw_props = {}
    if not isinstance(raw_props, dict):
        errors.error(file, "/properties", "must be an object")
        raw_props = {}
    excluded = data.get("excludeBaseProperties")
    if excluded is None:
        excluded = []
    elif not isinstance(excluded, list) or not all(isinstance(v, str) for v in excluded):
        errors.error(file, "/excludeBaseProperties", "must be an array of property names")
        excluded = []
    props: dict[str, PropertySpec] = {}
    for pname, pdata in raw_props.items():
        if pdata is None or pdata is False:
            continue
        prop = parse_property(pname, pdata, file, errors, model_names)
        if prop is not None:
            props[pname] = prop
    own_ids = any(isinstance(v, dict) and v.get("id") for v in raw_props.values())
    for inherited in parent.properties if parent is not None else (IMPLICIT_ID,):
        if inherited.name in raw_props or (own_ids and inherited.id):
            continue
        props[inherited.name] = inherited
    return {n: p for n, p in props.items() if n not in excluded}


def normalise_type(raw: Any, model_names: set[str]) -> tuple[str, str | None] | None:
    """LB3 type declaration -> (type, item type); None when it is not a type LB3 knows."""
    if isinstance(raw, list):
        if not raw:
            return ("array", "any")
        inner = normalise_type(raw[0], model_names)
        if inner is None or inner[0] == "array":
            return None
        return ("array", inner[0])
    if isinstance(raw, dict):  # an anonymous nested model definition
        return ("object", None)
    if not isinstance(raw, str):
        return None
    lowered = raw.lower()
    lowered = _TYPE_ALIASES.get(lowered, lowered)
    if lowered in SCALAR_TYPES:
        return (lowered, "any" if lowered == "array" else None)
    if raw in model_names:  # a model used as a type: stored as an embedded object
        return ("object", None)
    return None


def parse_property(
    name: str, data: Any, file: str, errors: Collector, model_names: set[str]
) -> PropertySpec | None:
    ptr = pointer("properties", name)
    if "." in name:  # juggler refuses the model: the name would be read as a nested path
        errors.error(file, ptr, "property names containing dots are not supported")
        return None
    if not isinstance(data, dict):
        data = {"type": data}  # shorthand: "prop": "string" or "prop": ["string"]
    if data and not data.get("type") and not any(k in PROPERTY_KEYS for k in data):
        # LB3 (ModelBuilder.resolveType) reads an object without `type` as an anonymous nested model,
        # as in the built-in Application's `pushSettings: {apns: {...}, gcm: {...}}`
        return PropertySpec(name=name, type="object")
    for key in data:
        if key not in PROPERTY_KEYS:
            errors.warn(file, pointer("properties", name, key), f'unknown property setting "{key}"')
    if "type" not in data:
        errors.error(file, ptr + "/type", "property type is missing")
        return None
    typ = normalise_type(data["type"], model_names)
    if typ is None:
        errors.error(file, ptr + "/type", f"unknown type {json.dumps(data['type'])}")
        return None
    default_fn = data.get("defaultFn")
    if default_fn is not None and (
        not isinstance(default_fn, str) or default_fn not in DEFAULT_FNS
    ):
        errors.error(
            file,
            ptr + "/defaultFn",
            f"unknown defaultFn {json.dumps(default_fn)} (known: {', '.join(sorted(DEFAULT_FNS))})",
        )
        default_fn = None
    default = coerce_default(
        typ[0], data.get("default", NO_DEFAULT), file, ptr + "/default", errors
    )
    raw_id = data.get("id", False)
    id_pos = (
        (int(raw_id) if isinstance(raw_id, int) and not isinstance(raw_id, bool) else 1)
        if raw_id
        else 0
    )
    return PropertySpec(
        name=name,
        type=typ[0],
        item_type=typ[1],
        required=bool(data.get("required", False)),
        id=id_pos,
        generated=bool(data.get("generated", False)),
        default=default,
        default_fn=default_fn,
        index=data.get("index"),
        hidden=bool(data.get("hidden", False)),
        protected=bool(data.get("protected", False)),
        description=text(data.get("description", data.get("doc"))),
        settings={k: v for k, v in data.items() if k not in _SPEC_FIELDS},
    )
