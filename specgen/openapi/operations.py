"""The PersistedModel REST surface of one model, with LB3's paths, verbs, operationIds and summaries.

Each operation carries `x-lb-operation: {model, method}`; the generated handler for it is
`handlers.<module>.<python name>`, so connexion resolves every operation once, at start-up.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from ..ir import ModelSpec
from .filter_schemas import query_parameter
from .schemas import ref, value_schema

FILTER_DESCRIPTION = (
    "Filter defining fields, where, order, offset, and limit - must be a JSON-encoded string "
    '(`{"where":{"something":"value"}}`). The bracket form `filter[where][something]=value` is '
    "accepted too."
)
WHERE_DESCRIPTION = (
    "Criteria to match model instances, a JSON-encoded string; the bracket form "
    "`where[something]=value` is accepted too."
)


@dataclass(frozen=True)
class Endpoint:
    method: str  # LB3 method name, e.g. "prototype.patchAttributes"
    python_name: str  # handler function name
    verb: str
    path: str  # relative to the model's base path
    summary: str
    params: tuple[str, ...] = ()  # "id", "filter", "where"
    body: str | None = None  # schema name pattern ({M}: the model name); "A|B" for either
    body_array: bool = False  # create also takes an array of instances
    response: str = "instance"  # instance | instances | count | exists | empty
    disambiguate: bool = False  # LB3 suffixes the operationId with verb and path


# In LB3's order (loopback-swagger lists them this way).
ENDPOINTS: tuple[Endpoint, ...] = (
    Endpoint("create", "create", "post", "", "Create a new instance of the model and persist it into the data source.", body="New{M}", body_array=True),
    Endpoint("patchOrCreate", "patch_or_create", "patch", "", "Patch an existing model instance or insert a new one into the data source.", body="{M}PatchById|New{M}"),
    Endpoint("replaceOrCreate", "replace_or_create", "put", "", "Replace an existing model instance or insert a new one into the data source.", body="{M}Replace", disambiguate=True),
    Endpoint("find", "find", "get", "", "Find all instances of the model matched by filter from the data source.", params=("filter",), response="instances"),
    Endpoint("replaceOrCreate", "replace_or_create_post", "post", "/replaceOrCreate", "Replace an existing model instance or insert a new one into the data source.", body="{M}Replace", disambiguate=True),
    Endpoint("upsertWithWhere", "upsert_with_where", "post", "/upsertWithWhere", "Update an existing model instance or insert a new one into the data source based on the where criteria.", params=("where",), body="New{M}"),
    Endpoint("exists", "exists", "get", "/{id}/exists", "Check whether a model instance exists in the data source.", params=("id",), response="exists", disambiguate=True),
    Endpoint("exists", "exists_head", "head", "/{id}", "Check whether a model instance exists in the data source.", params=("id",), response="empty", disambiguate=True),
    Endpoint("findById", "find_by_id", "get", "/{id}", "Find a model instance by {{id}} from the data source.", params=("id", "filter")),
    Endpoint("replaceById", "replace_by_id", "put", "/{id}", "Replace attributes for a model instance and persist it into the data source.", params=("id",), body="New{M}", disambiguate=True),
    Endpoint("deleteById", "delete_by_id", "delete", "/{id}", "Delete a model instance by {{id}} from the data source.", params=("id",), response="count"),
    Endpoint("prototype.patchAttributes", "patch_attributes", "patch", "/{id}", "Patch attributes for a model instance and persist it into the data source.", params=("id",), body="{M}Patch"),
    Endpoint("replaceById", "replace_by_id_post", "post", "/{id}/replace", "Replace attributes for a model instance and persist it into the data source.", params=("id",), body="New{M}", disambiguate=True),
    Endpoint("findOne", "find_one", "get", "/findOne", "Find first instance of the model matched by filter from the data source.", params=("filter",)),
    Endpoint("updateAll", "update_all", "post", "/update", "Update instances of the model matched by {{where}} from the data source.", params=("where",), body="{M}Patch", response="count"),
    Endpoint("count", "count", "get", "/count", "Count instances of the model matched by where from the data source.", params=("where",), response="count"),
)  # fmt: skip


def base_path(model: ModelSpec) -> str:
    return "/" + (model.http_path or model.plural).strip("/")


def operation_id(model: ModelSpec, ep: Endpoint) -> str:
    """LB3 names: `CoffeeShop.find`, or `CoffeeShop.exists__head_CoffeeShops_{id}` where one method
    has several routes."""
    oid = f"{model.name}.{ep.method}"
    if ep.disambiguate:
        route = (base_path(model) + ep.path).strip("/").replace("/", "_")
        oid += f"__{ep.verb}_{route}"
    return oid


def error_response(description: str) -> dict[str, Any]:
    return {
        "description": description,
        "content": {"application/json": {"schema": ref("LoopBackError")}},
    }


def _responses(model: ModelSpec, ep: Endpoint) -> dict[str, Any]:
    name = model.name
    ok: dict[str, Any]
    if ep.response == "instance":
        schema: dict[str, Any] = ref(name)
        if ep.body_array:
            schema = {"oneOf": [ref(name), {"type": "array", "items": ref(name)}]}
        ok = {
            "description": "Request was successful",
            "content": {"application/json": {"schema": schema}},
        }
    elif ep.response == "instances":
        ok = {
            "description": "Request was successful",
            "content": {"application/json": {"schema": {"type": "array", "items": ref(name)}}},
        }
    elif ep.response == "count":
        count = {
            "type": "object",
            "properties": {"count": {"type": "integer", "minimum": 0}},
            "required": ["count"],
        }
        ok = {
            "description": "The number of instances",
            "content": {"application/json": {"schema": count}},
        }
    elif ep.response == "exists":
        exists = {
            "type": "object",
            "properties": {"exists": {"type": "boolean"}},
            "required": ["exists"],
        }
        ok = {
            "description": "Whether the instance exists",
            "content": {"application/json": {"schema": exists}},
        }
    else:
        ok = {"description": "The instance exists (no body)"}
    out: dict[str, Any] = {
        "200": ok,
        "400": error_response("Bad request: malformed filter, where or body"),
    }
    if "id" in ep.params or ep.response == "instance":
        out["404"] = error_response("Model instance not found")
    if ep.verb == "head":  # a HEAD response never has a body
        out = {status: {"description": r["description"]} for status, r in out.items()}
    if ep.body:
        out["409"] = error_response("Conflict with data already stored")
        out["415"] = error_response("Unsupported content type: send application/json")
        out["422"] = error_response("Validation failed")
        if model.is_user:  # runtime/users.py: a password changes only through its own methods
            out["401"] = error_response(
                "A user's password changes only through change-password or reset-password"
            )
    return dict(sorted(out.items()))


def _parameters(model: ModelSpec, ep: Endpoint) -> list[dict[str, Any]]:
    params: list[dict[str, Any]] = []
    for p in ep.params:
        if p == "id":
            id_prop = model.id_properties[0] if model.id_properties else None
            schema = value_schema(id_prop) if id_prop else {"type": "string"}
            params.append(
                {
                    "name": "id",
                    "in": "path",
                    "required": True,
                    "description": "Model id",
                    "schema": schema,
                }
            )
        elif p == "filter":
            params.append(query_parameter("filter", model.name, FILTER_DESCRIPTION))
        elif p == "where":
            params.append(query_parameter("where", model.name, WHERE_DESCRIPTION))
    return params


def _request_body(model: ModelSpec, ep: Endpoint, schemas: dict[str, Any]) -> dict[str, Any]:
    """LB3 reads a missing body as `{}`, so the body is required only where `{}` cannot pass."""
    names = (ep.body or "").format(M=model.name).split("|")
    alternatives = [ref(n) for n in names]
    schema: dict[str, Any] = alternatives[0] if len(names) == 1 else {"anyOf": alternatives}
    if ep.body_array:
        schema = {"oneOf": [schema, {"type": "array", "items": schema}]}
    return {
        "required": all(schemas[n].get("required") for n in names),
        "description": "Model instance data",
        "content": {"application/json": {"schema": schema}},
    }


def model_paths(model: ModelSpec, schemas: dict[str, Any]) -> dict[str, Any]:
    paths: dict[str, dict[str, Any]] = {}
    root = base_path(model)
    has_id = bool(model.id_properties)
    for ep in ENDPOINTS:
        if "id" in ep.params and not has_id:
            continue
        op: dict[str, Any] = {
            "tags": [model.name],
            "summary": ep.summary,
            "operationId": operation_id(model, ep),
        }
        params = _parameters(model, ep)
        if params:
            op["parameters"] = params
        if ep.body:
            op["requestBody"] = _request_body(model, ep, schemas)
        op["responses"] = _responses(model, ep)
        op["x-lb-operation"] = {"model": model.name, "method": ep.method, "handler": ep.python_name}
        paths.setdefault(root + ep.path, {})[ep.verb] = op
    return paths
