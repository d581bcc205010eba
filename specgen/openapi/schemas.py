"""JSON Schemas (OpenAPI 3.0 dialect) for models, their request bodies, their filters and LB3 errors.

Per public model `X`:
- `X`: an instance as the API returns it (hidden properties left out).
- `NewX`: the body of create (no id when LB3's forceId applies).
- `XReplace`: the body of replaceOrCreate (id allowed, null meaning absent; required properties required).
- `NewX` is also the body of replaceById: the id is in the URL.
- `XPatch`: a partial body (patchAttributes, updateAll); every property optional, no id.
- `XPatchById`: patchOrCreate's body when it names the instance to patch (id required).
- The filter schemas (`XFilter`, `XWhere`...) are built by `filter_schemas`.
Request bodies forbid unknown properties: a value the database has no column for would be lost silently.
"""

from __future__ import annotations

from typing import Any

from ..ir import NO_DEFAULT, ModelSpec, PropertySpec
from .rule_schemas import PropertyRules, property_rules


def ref(name: str) -> dict[str, Any]:
    return {"$ref": f"#/components/schemas/{name}"}


def is_integer_key(p: PropertySpec) -> bool:
    """A generated number id, or a foreign key to one: an int64, never a double."""
    return p.integer or (bool(p.id) and p.generated and p.type == "number")


def value_schema(p: PropertySpec, *, body: bool = False) -> dict[str, Any]:
    """JSON Schema of one property's value (`body`: as a request sends it)."""
    if is_integer_key(p):
        return {"type": "integer", "format": "int64", "minimum": 1}
    if p.model:  # an embedded model: its instance schema (its create body in a request), or a list
        item = ref(f"New{p.model}" if body else p.model)
        return {"type": "array", "items": item} if p.type == "array" else item
    return _type_schema(p.type, p.item_type)


def _type_schema(typ: str, item_type: str | None = None) -> dict[str, Any]:
    if typ == "string":
        return {"type": "string"}
    if typ == "number":
        return {"type": "number"}
    if typ == "boolean":
        return {"type": "boolean"}
    if typ == "date":
        return {"type": "string", "format": "date-time"}
    if typ == "object":
        return {"type": "object"}
    if typ == "array":
        items = _type_schema(item_type or "any")
        return {"type": "array", "items": items}
    if typ == "geopoint":
        return {
            "type": "object",
            "properties": {
                "lat": {"type": "number", "minimum": -90, "maximum": 90},
                "lng": {"type": "number", "minimum": -180, "maximum": 180},
            },
            "required": ["lat", "lng"],
            "additionalProperties": False,
        }
    if typ == "buffer":
        return {"type": "string", "format": "byte"}
    return {}  # any


def _property_schema(
    p: PropertySpec, *, nullable: bool, user: bool = False, body: bool = False
) -> dict[str, Any]:
    schema = dict(value_schema(p, body=body))
    if "$ref" in schema:  # OpenAPI 3.0 ignores keywords beside a $ref; an allOf of one carries them
        schema = {"allOf": [schema]}
    if user and p.name == "email":  # LB3's User validates the email format
        schema["format"] = "email"
    if p.description:
        schema["description"] = p.description
    if p.default is not NO_DEFAULT and p.default is not None and not _server_default(p):
        schema["default"] = p.default
    if nullable and schema:
        if (
            "allOf" in schema
        ):  # `nullable` needs a `type` beside it; a model-typed value is an object
            schema["type"] = "object"
        schema["nullable"] = True
    return schema


def _server_default(p: PropertySpec) -> bool:
    """LB3's `"$now"` date default is the time of the write, not a date a schema can hold."""
    return p.type == "date" and p.default == "$now"


def _request_property(p: PropertySpec, user: bool, required: bool) -> dict[str, Any]:
    """LB3 counts null and "" as blank for a required property (422 presence) in every write, partial
    ones included; say so in the schema. An optional id may be null: it then counts as absent."""
    nullable = not (p.required or (p.id and required))
    schema = _property_schema(p, nullable=nullable, user=user, body=True)
    if p.required and p.type == "string":
        schema["minLength"] = 1
    return schema


def model_schemas(model: ModelSpec) -> dict[str, Any]:
    name = model.name
    ids = sorted(p.name for p in model.id_properties)
    visible = [p for p in model.properties if not p.hidden]
    writable = list(model.properties)
    without_id = [p for p in writable if not p.id]

    rules = property_rules(model)

    def required_of(props: list[PropertySpec]) -> list[str]:
        return [
            p.name
            for p in props
            if (p.required or (p.name in rules and rules[p.name].required)) and not p.id
        ]

    instance = {
        "type": "object",
        "description": model.description or f"A {name} instance.",
        "properties": {
            p.name: _property_schema(p, nullable=not (p.required or p.id)) for p in visible
        },
        # no `required`: a `fields` filter may leave any property out
        "additionalProperties": False,
    }
    create_props = without_id if model.force_id else writable
    # an id nothing generates must be sent on create (the runtime answers 422 "can't be blank")
    sent_ids = [
        p.name
        for p in create_props
        if p.id and not p.generated and p.default is NO_DEFAULT and not p.default_fn
    ]
    create_required = [*sent_ids, *required_of(create_props)] if model.persisted else None
    return {
        name: instance,
        f"New{name}": _body(
            "create", model, create_props, create_required or required_of(create_props), rules
        ),
        f"{name}Replace": _body("replace", model, writable, required_of(writable), rules),
        f"{name}Patch": _body("patch", model, without_id, [], rules),
        f"{name}PatchById": _body("patch by id", model, writable, ids, rules),
    }


def _body(
    kind: str,
    model: ModelSpec,
    props: list[PropertySpec],
    required: list[str],
    rules: dict[str, PropertyRules],
) -> dict[str, Any]:
    properties = {p.name: _request_property(p, model.is_user, p.name in required) for p in props}
    for prop, found in rules.items():  # the validators the model module registers
        if prop in properties and prop not in {p.name for p in model.id_properties}:
            properties[prop] = found.apply(properties[prop])
    for p in model.id_properties:
        if p.name not in properties:  # the server assigns it; null means "no id", as in LB3
            properties[p.name] = {
                **value_schema(p),
                "nullable": True,
                "enum": [None],
                "description": "Set by the server: absent or null.",
            }
    schema: dict[str, Any] = {
        "type": "object",
        "description": f"{model.name} data for {kind}.",
        "properties": properties,
        "additionalProperties": False,
    }
    if model.strict is False or model.strict == "filter":  # unknown properties are dropped
        del schema["additionalProperties"]
    if required:
        schema["required"] = required
    return schema


def error_schemas() -> dict[str, Any]:
    return {
        "LoopBackError": {
            "type": "object",
            "description": "LoopBack 3 error envelope.",
            "properties": {
                "error": {
                    "type": "object",
                    "properties": {
                        "statusCode": {"type": "integer"},
                        "name": {"type": "string"},
                        "message": {"type": "string"},
                        "code": {"type": "string"},
                        "details": {},
                    },
                    "required": ["statusCode", "name", "message"],
                }
            },
            "required": ["error"],
        }
    }
