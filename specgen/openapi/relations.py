"""The read endpoints of a model's relations, with LB3's paths, operationIds and summaries.

    belongsTo, hasOne        GET /M/{id}/rel                prototype.__get__rel
    hasMany                  GET /M/{id}/rel                prototype.__get__rel (filter)
                             GET /M/{id}/rel/count          prototype.__count__rel (where)
                             GET /M/{id}/rel/{fk}           prototype.__findById__rel

Only relations whose target model is served get endpoints (LB3 would expose a private target, such
as a User's access tokens, through its owner). hasMany through a model, polymorphic relations,
embedded relations, referencesMany and the write endpoints are not generated yet.
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


SINGLE = (RelationEndpoint("get", "get", "", "Fetches {type} relation {rel}."),)
MANY = (
    RelationEndpoint("find", "get", "", "Queries {rel} of {M}."),
    RelationEndpoint("count", "get", "/count", "Counts {rel} of {M}."),
    RelationEndpoint("findById", "get", "/{fk}", "Find a related item by id for {rel}."),
)
METHOD = {"get": "__get__", "find": "__get__", "count": "__count__", "findById": "__findById__"}


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
    return MANY if relation.type == "hasMany" else SINGLE


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


def relation_paths(model: ModelSpec, served: dict[str, ModelSpec]) -> dict[str, Any]:
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
                "responses": _responses(target, ep),
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
    if ep.kind == "findById":
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


def _responses(target: ModelSpec, ep: RelationEndpoint) -> dict[str, Any]:
    if ep.kind == "find":
        schema: dict[str, Any] = {"type": "array", "items": ref(target.name)}
    elif ep.kind == "count":
        schema = {
            "type": "object",
            "properties": {"count": {"type": "integer", "minimum": 0}},
            "required": ["count"],
        }
    else:
        schema = ref(target.name)
    return {
        "200": {
            "description": "Request was successful",
            "content": {"application/json": {"schema": schema}},
        },
        "400": error_response("Bad request: malformed filter, where or parameter"),
        "404": error_response("The model instance, or the related one, was not found"),
    }
