"""Parse one relation declaration (from a model file or a model-config.json entry).

Every setting of the wrong kind and every unknown related model is reported; the foreign keys LB3
derives at attach time are filled in later, by `relation_keys`.
"""

from __future__ import annotations

import json
from typing import Any

from ..errors import pointer
from ..ir import RelationSpec
from .problems import Collector

RELATION_TYPES = {
    "belongsTo",
    "hasOne",
    "hasMany",
    "hasManyThrough",
    "hasAndBelongsToMany",
    "embedsOne",
    "embedsMany",
    "referencesMany",
}
RELATION_KEYS = {
    "type", "model", "foreignKey", "primaryKey", "through", "keyThrough", "keyFrom", "keyTo",
    "polymorphic", "as", "scope", "options", "properties", "invert", "property", "embed", "methods",
    "default", "description",
}  # fmt: skip


def parse_relation(
    name: str, data: Any, file: str, errors: Collector, model_names: set[str], at: str = ""
) -> RelationSpec | None:
    ptr = at + pointer("relations", name)
    if not isinstance(data, dict):
        errors.error(file, ptr, "a relation must be an object")
        return None
    for key in data:
        if key not in RELATION_KEYS:
            errors.warn(file, f"{ptr}{pointer(key)}", f'unknown relation setting "{key}"')
    ok = True

    def problem(key: str, message: str) -> None:
        nonlocal ok
        errors.error(file, f"{ptr}/{key}", message)
        ok = False

    rtype = data.get("type")
    if not isinstance(rtype, str) or rtype not in RELATION_TYPES:
        known = ", ".join(sorted(RELATION_TYPES))
        problem("type", f"unknown relation type {json.dumps(rtype)} (known: {known})")
    for key in ("foreignKey", "primaryKey", "keyThrough", "property", "as"):
        if data.get(key) is not None and not isinstance(data[key], str):
            problem(key, "must be a property name")
    for key in ("scope", "options", "properties"):
        if data.get(key) is not None and not isinstance(data[key], dict):
            problem(key, "must be an object")
    polymorphic = data.get("polymorphic")
    if polymorphic is not None and not isinstance(polymorphic, (bool, str, dict)):
        problem("polymorphic", "must be true, a relation name or an object")
    for key in ("foreignKey", "discriminator", "selector", "as", "idType"):
        if isinstance(polymorphic, dict) and not isinstance(polymorphic.get(key, ""), str):
            problem(f"polymorphic/{key}", "must be a name")
    target, through = data.get("model"), data.get("through")
    if target is None and not (polymorphic and rtype == "belongsTo"):
        problem("model", "the related model is missing")
    for key, value in (("model", target), ("through", through)):
        if value is not None and (not isinstance(value, str) or value not in model_names):
            if key == "model" and isinstance(value, str) and not str(rtype).startswith("embeds"):
                # LB3 boots and leaves the relation undefined ("Relation ... is not defined")
                errors.warn(
                    file,
                    f"{ptr}/model",
                    f"unknown model {json.dumps(value)}: the relation is not served (LB3 boots "
                    "without it too); define the model or remove the relation",
                )
                return None
            problem(key, f"unknown model {json.dumps(value)}")
    if not ok:
        return None
    if through and rtype == "hasMany":
        rtype = "hasManyThrough"
    return RelationSpec(
        name=name,
        type=str(rtype),
        model=target,
        foreign_key=data.get("foreignKey") or None,
        primary_key=data.get("primaryKey") or None,
        through=through,
        key_through=data.get("keyThrough") or None,
        polymorphic=polymorphic,
        as_=data.get("as"),
        scope=data.get("scope"),
        options=data.get("options") or {},
        properties=data.get("properties"),
        invert=bool(data.get("invert", False)),
        property=data.get("property"),
    )
