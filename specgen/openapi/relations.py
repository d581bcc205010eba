"""The endpoints of a model's relations, with LB3's paths, operationIds and summaries.

    belongsTo                GET    /M/{id}/rel             prototype.__get__rel
    hasOne                   GET    /M/{id}/rel             prototype.__get__rel
                             POST   /M/{id}/rel             prototype.__create__rel
                             PUT    /M/{id}/rel             prototype.__update__rel
                             DELETE /M/{id}/rel             prototype.__destroy__rel
    hasMany                  GET    /M/{id}/rel             prototype.__get__rel (filter)
                             POST   /M/{id}/rel             prototype.__create__rel
                             DELETE /M/{id}/rel             prototype.__delete__rel
                             GET    /M/{id}/rel/count       prototype.__count__rel (where)
                             GET    /M/{id}/rel/{fk}        prototype.__findById__rel
                             PUT    /M/{id}/rel/{fk}        prototype.__updateById__rel
                             DELETE /M/{id}/rel/{fk}        prototype.__destroyById__rel

Only relations whose target model is served get endpoints (LB3 would expose a private target, such
as a User's access tokens, through its owner). hasMany through a model, polymorphic relations,
embedded relations and referencesMany are not generated yet.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .. import naming
from ..ir import ModelSpec, RelationSpec
from .operations import FILTER_DESCRIPTION, WHERE_DESCRIPTION, base_path, error_response
from .schemas import ref, value_schema


@dataclass(frozen=True)
class RelationEndpoint:
    kind: str  # get | find | count | findById
    verb: str
    suffix: str  # after /M/{id}/rel
    summary: str


BELONGS_TO = (RelationEndpoint("get", "get", "", "Fetches {type} relation {rel}."),)
HAS_ONE = (
    *BELONGS_TO,
    RelationEndpoint("create", "post", "", "Creates a new instance in {rel} of this model."),
    RelationEndpoint("update", "put", "", "Update {rel} of this model."),
    RelationEndpoint("destroy", "delete", "", "Deletes {rel} of this model."),
)
HAS_MANY = (
    RelationEndpoint("find", "get", "", "Queries {rel} of {M}."),
    RelationEndpoint("create", "post", "", "Creates a new instance in {rel} of this model."),
    RelationEndpoint("deleteAll", "delete", "", "Deletes all {rel} of this model."),
    RelationEndpoint("count", "get", "/count", "Counts {rel} of {M}."),
    RelationEndpoint("findById", "get", "/{fk}", "Find a related item by id for {rel}."),
    RelationEndpoint("updateById", "put", "/{fk}", "Update a related item by id for {rel}."),
    RelationEndpoint("destroyById", "delete", "/{fk}", "Delete a related item by id for {rel}."),
)
METHOD = {
    "get": "__get__",
    "find": "__get__",
    "count": "__count__",
    "findById": "__findById__",
    "create": "__create__",
    "update": "__update__",
    "destroy": "__destroy__",
    "deleteAll": "__delete__",
    "updateById": "__updateById__",
    "destroyById": "__destroyById__",
}
BODIES = {"create": "New{T}", "update": "{T}Patch", "updateById": "{T}Patch"}
NO_CONTENT = ("destroy", "deleteAll", "destroyById")


def served_relations(model: ModelSpec, served: dict[str, ModelSpec]) -> list[RelationSpec]:
    """The relations that get endpoints today: to a served model, not through, not polymorphic."""
    return [
        r
        for r in model.relations
        if r.type in ("belongsTo", "hasOne", "hasMany")
        and r.model in served
        and not r.through
        and not r.polymorphic
        and r.foreign_key
    ]


def endpoints(relation: RelationSpec) -> tuple[RelationEndpoint, ...]:
    return {"hasMany": HAS_MANY, "hasOne": HAS_ONE}.get(relation.type, BELONGS_TO)


def python_name(relation: RelationSpec, ep: RelationEndpoint) -> str:
    """`reviews_find`, `coffee_shop_get`: unique beside the PersistedModel handler names."""
    return f"{naming.module_name(relation.name)}_{naming.module_name(ep.kind)}"


def method(relation: RelationSpec, ep: RelationEndpoint) -> str:
    return f"prototype.{METHOD[ep.kind]}{relation.name}"


def operation_id(model: ModelSpec, relation: RelationSpec, ep: RelationEndpoint) -> str:
    return f"{model.name}.{method(relation, ep)}"


def path(model: ModelSpec, relation: RelationSpec, ep: RelationEndpoint) -> str:
    return f"{base_path(model)}/{{id}}/{relation.name}{ep.suffix}"


def summary(model: ModelSpec, relation: RelationSpec, ep: RelationEndpoint) -> str:
    return ep.summary.format(type=relation.type, rel=relation.name, M=model.name)


def relation_paths(
    model: ModelSpec, served: dict[str, ModelSpec], schemas: dict[str, Any]
) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    if not model.id_properties:
        return paths
    for rel in served_relations(model, served):
        target = served[str(rel.model)]
        for ep in endpoints(rel):
            op: dict[str, Any] = {
                "tags": [model.name],
                "summary": summary(model, rel, ep),
                "operationId": operation_id(model, rel, ep),
                "parameters": _parameters(model, target, ep),
                **_request_body(relation=rel, target=target, ep=ep, schemas=schemas),
                "responses": _responses(model, rel, target, ep),
                "x-lb-operation": {
                    "model": model.name,
                    "method": method(rel, ep),
                    "handler": python_name(rel, ep),
                    "relation": rel.name,
                },
            }
            paths.setdefault(path(model, rel, ep), {})[ep.verb] = op
    return paths


def _parameters(model: ModelSpec, target: ModelSpec, ep: RelationEndpoint) -> list[dict[str, Any]]:
    params = [_path_param("id", model, "Model id")]
    if ep.kind in ("findById", "updateById", "destroyById"):
        params.append(_path_param("fk", target, "Foreign key for the related instance"))
    if ep.kind == "find":
        params.append(_json_query("filter", f"{target.name}Filter", FILTER_DESCRIPTION))
    if ep.kind == "count":
        params.append(_json_query("where", f"{target.name}Where", WHERE_DESCRIPTION))
    if ep.kind == "get":
        params.append(
            {
                "name": "refresh",
                "in": "query",
                "required": False,
                "description": "LB3 clients send it to bypass a cache; every read is fresh here",
                "schema": {"type": "boolean"},
            }
        )
    return params


def _child_links(model: ModelSpec, relation: RelationSpec, target: ModelSpec) -> dict[str, Any]:
    """The child a create returns, reached through the relation: tells clients and the stateful
    fuzzer how the {fk} operations get a real key."""
    id_name = target.id_properties[0].name if target.id_properties else "id"
    return {
        ep.kind: {
            "operationId": operation_id(model, relation, ep),
            "parameters": {"id": "$request.path.id", "fk": f"$response.body#/{id_name}"},
        }
        for ep in HAS_MANY
        if ep.kind in ("findById", "updateById", "destroyById")
    }


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


def _json_query(name: str, schema: str, description: str) -> dict[str, Any]:
    return {
        "name": name,
        "in": "query",
        "required": False,
        "description": description,
        "content": {"application/json": {"schema": ref(schema)}},
    }


def _request_body(
    *, relation: RelationSpec, target: ModelSpec, ep: RelationEndpoint, schemas: dict[str, Any]
) -> dict[str, Any]:
    """The target's own body schemas. The foreign key in them is the server's: it is set to the
    parent's key whatever the body says, so no relation endpoint moves a child to another parent."""
    if ep.kind not in BODIES:
        return {}
    name = BODIES[ep.kind].format(T=target.name)
    schema: dict[str, Any] = ref(name)
    if ep.kind == "create" and relation.type == "hasMany":
        schema = {"oneOf": [schema, {"type": "array", "items": schema}]}
    body = {
        "required": bool(schemas[name].get("required")),
        "description": f"{target.name} data; its {relation.foreign_key} is set by the server",
        "content": {"application/json": {"schema": schema}},
    }
    return {"requestBody": body}


def _responses(
    model: ModelSpec, relation: RelationSpec, target: ModelSpec, ep: RelationEndpoint
) -> dict[str, Any]:
    if ep.kind in NO_CONTENT:
        return {
            "204": {"description": "Deleted"},
            "400": error_response("Bad request: malformed parameter"),
            "404": error_response("The model instance, or the related one, was not found"),
        }
    one = ref(target.name)
    creates_many = ep.kind == "create" and relation.type == "hasMany"
    schema: dict[str, Any] = one
    if ep.kind == "find":
        schema = {"type": "array", "items": one}
    elif ep.kind == "count":
        schema = {
            "type": "object",
            "properties": {"count": {"type": "integer", "minimum": 0}},
            "required": ["count"],
        }
    elif creates_many:
        schema = {"oneOf": [one, {"type": "array", "items": one}]}
    ok: dict[str, Any] = {
        "description": "Request was successful",
        "content": {"application/json": {"schema": schema}},
    }
    if creates_many:
        ok["links"] = _child_links(model, relation, target)
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
    if ep.kind not in BODIES:
        return out
    return {
        **out,
        "409": error_response("Conflict with data already stored"),
        "415": error_response("Unsupported content type: send application/json"),
        "422": error_response("Validation failed"),
    }
