"""OpenAPI operations for a model's relation endpoints (the table of endpoints is
`relation_endpoints`): parameters, request bodies, responses and links.

Keys that tie a related instance to its parent (the foreign key, a polymorphic discriminator, a join
row's keys) are the server's: bodies may carry them but the server sets them, so no relation endpoint
moves a child to another parent.
"""

from __future__ import annotations

from typing import Any

from ..ir import ModelSpec
from .filter_schemas import query_parameter
from .operations import FILTER_DESCRIPTION, WHERE_DESCRIPTION, error_response
from .relation_endpoints import (
    ENDPOINTS,
    MANY,
    THROUGH,
    RelationOperation,
    Surface,
    relation_operations,
)
from .schemas import ref, value_schema

BODIES = {"create": "New{T}", "update": "{T}Patch", "patch": "{T}Patch", "updateById": "{T}Patch"}
NO_CONTENT = ("destroy", "deleteAll", "destroyById", "unlink")
BY_FK = ("findById", "updateById", "destroyById", "link", "unlink", "exists")
CHILD_LINKS = ("findById", "updateById", "destroyById")
# hasMany-likes whose create takes an object or an array (an embedsMany item is one object)
CREATES_MANY = ("hasMany", "hasManyThrough", "hasAndBelongsToMany", "referencesMany")


def relation_paths(
    model: ModelSpec, surface: Surface, schemas: dict[str, Any]
) -> dict[str, dict[str, Any]]:
    paths: dict[str, dict[str, Any]] = {}
    for op in relation_operations(model, surface):
        x_lb: dict[str, Any] = {
            "model": model.name,
            "method": op.method,
            "handler": op.python_name,
            "relation": op.relation_name,
        }
        if op.nested:
            x_lb["nested"] = op.nested
        paths.setdefault(op.path, {})[op.endpoint.verb] = {
            "tags": [model.name],
            "summary": op.summary,
            "operationId": op.operation_id,
            "parameters": _parameters(op),
            **_request_body(op, schemas),
            "responses": _responses(op),
            "x-lb-operation": x_lb,
        }
    return paths


def _target(op: RelationOperation) -> ModelSpec:
    target = op.related.target
    assert target is not None, "only a polymorphic belongsTo has no target, and it has only get"
    return target


def _parameters(op: RelationOperation) -> list[dict[str, Any]]:
    params = [_path_param("id", op.model, "Model id")]
    if op.parent is not None and op.parent.target is not None:
        params.append(_path_param("nk", op.parent.target, f"Foreign key for {op.relation_name}"))
    kind = op.endpoint.kind
    if kind in BY_FK:
        params.append(_path_param("fk", _target(op), "Foreign key for the related instance"))
    if kind == "find":
        params.append(query_parameter("filter", _target(op).name, FILTER_DESCRIPTION))
    if kind == "count":
        params.append(query_parameter("where", _target(op).name, WHERE_DESCRIPTION))
    if kind == "get":
        params.append(
            {
                "name": "refresh",
                "in": "query",
                "required": False,
                "allowEmptyValue": True,  # LB3 reads `?refresh=` as refresh not sent
                "description": "LB3 clients send it to bypass a cache; every read is fresh here",
                "schema": {"type": "boolean"},
            }
        )
    return params


def _path_param(name: str, model: ModelSpec, description: str) -> dict[str, Any]:
    id_prop = model.id_properties[0] if model.id_properties else None
    schema = value_schema(id_prop) if id_prop else {"type": "string"}
    return {
        "name": name,
        "in": "path",
        "required": True,
        "description": description,
        "schema": schema,
    }


def _request_body(op: RelationOperation, schemas: dict[str, Any]) -> dict[str, Any]:
    """The target's own body schemas; a link's optional body is the join row's extra data."""
    kind, rel = op.endpoint.kind, op.related.relation
    if kind == "link" and op.related.through is not None:
        through = op.related.through.name
        body = {
            "required": False,
            "description": f"{through} data for the link; its {rel.foreign_key} and "
            f"{rel.key_through} are set by the server",
            "content": {"application/json": {"schema": ref(f"New{through}")}},
        }
        return {"requestBody": body}
    if kind not in BODIES:
        return {}
    target = _target(op)
    name = BODIES[kind].format(T=target.name)
    schema: dict[str, Any] = ref(name)
    if kind == "create" and rel.type in CREATES_MANY:
        schema = {"oneOf": [schema, {"type": "array", "items": schema}]}
    body = {
        "required": bool(schemas[name].get("required")),
        "description": _body_description(op, target),
        "content": {"application/json": {"schema": schema}},
    }
    return {"requestBody": body}


def _body_description(op: RelationOperation, target: ModelSpec) -> str:
    rel, owner = op.related.relation, op.owner.name
    if rel.type in ("embedsOne", "embedsMany"):
        return f"{target.name} data, stored in the {owner}'s {rel.property}"
    if rel.type in THROUGH:
        return f"{target.name} data; the link to the {owner} is made by the server"
    if rel.type == "referencesMany":
        return f"{target.name} data; its id is added to the {owner}'s {rel.foreign_key}"
    keys = " and ".join(k for k in (rel.foreign_key, rel.discriminator) if k)
    return f"{target.name} data; its {keys} {'are' if ' and ' in keys else 'is'} set by the server"


def _responses(op: RelationOperation) -> dict[str, Any]:
    kind = op.endpoint.kind
    if kind in NO_CONTENT:
        return {
            "204": {"description": "Deleted"},
            "400": error_response("Bad request: malformed parameter"),
            "404": error_response("The model instance, or the related one, was not found"),
        }
    if kind == "exists":  # a HEAD response never has a body
        return {
            "200": {"description": "The relation exists"},
            "400": {"description": "Bad request: malformed parameter"},
            "404": {
                "description": "The model instance, the related one, or the link was not found"
            },
        }
    has_body = kind in BODIES or (kind == "link" and op.related.through is not None)
    creates_many = kind == "create" and op.related.relation.type in CREATES_MANY
    ok: dict[str, Any] = {
        "description": "Request was successful",
        "content": {"application/json": {"schema": _ok_schema(op, creates_many)}},
    }
    if kind == "create" and op.related.relation.type in MANY:
        ok["links"] = _child_links(op)
    out = {
        "200": ok,
        "400": error_response(
            "Bad request: malformed body or parameter"
            if creates_many
            else "Bad request: malformed filter, where or parameter"
        ),
        "404": error_response(
            "The model instance was not found"
            if creates_many
            else "The model instance, or the related one, was not found"
        ),
    }
    if not has_body:
        return out
    out = {
        **out,
        "409": error_response("Conflict with data already stored"),
        "415": error_response("Unsupported content type: send application/json"),
        "422": error_response("Validation failed"),
    }
    target = op.related.target
    if target is not None and target.is_user:  # runtime/users.py: passwords have their methods
        out["401"] = error_response(
            "A user's password changes only through change-password or reset-password"
        )
    return out


def _ok_schema(op: RelationOperation, creates_many: bool) -> dict[str, Any]:
    kind = op.endpoint.kind
    if op.related.target is None:  # polymorphic belongsTo: an instance of one of its owners
        owners = [ref(m.name) for m in op.related.owners]
        return {"anyOf": owners} if owners else {"type": "object"}
    if kind == "link" and op.related.through is not None:
        return ref(op.related.through.name)  # the join row
    one = ref(op.related.target.name)
    if kind == "find":
        return {"type": "array", "items": one}
    if kind == "count":
        return {
            "type": "object",
            "properties": {"count": {"type": "integer", "minimum": 0}},
            "required": ["count"],
        }
    if creates_many:
        return {"oneOf": [one, {"type": "array", "items": one}]}
    return one


def _child_links(op: RelationOperation) -> dict[str, Any]:
    """The child a create returns, reached through the same relation: tells clients and the stateful
    fuzzer how the {fk} operations get a real key."""
    target = _target(op)
    id_name = target.id_properties[0].name if target.id_properties else "id"
    parameters = {"id": "$request.path.id", "fk": f"$response.body#/{id_name}"}
    if op.parent is not None:
        parameters = {"id": "$request.path.id", "nk": "$request.path.nk", **parameters}
    return {
        ep.kind: {
            "operationId": RelationOperation(op.model, op.related, ep, op.parent).operation_id,
            "parameters": parameters,
        }
        for ep in ENDPOINTS[op.related.relation.type]
        if ep.kind in CHILD_LINKS
    }
