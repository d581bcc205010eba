"""A model's remote methods (its `methods` block, LB3's `remoteMethod`) as OpenAPI operations: one
per `http` entry, with typed parameters (LB3's `accepts`: `http.source` query, path, body, form,
header; no source: the query, or the path when the path names the argument), request body and
responses (LB3's `returns`: one `root` value, or an object of the named values).

Each carries `x-lb-operation: {model, method, handler, remote: true}`; the method's declaration
travels in `x-lb-models` for the runtime, and specgen.render writes each one's typed argument binder.
The runtime builds the operations of methods declared from Python (`Model.remote_method`) with the
same `method_paths`, from an `Owner` and the declarations (runtime/operations/surface.py).
"""

from __future__ import annotations

import re
from collections.abc import Iterable
from dataclasses import dataclass
from typing import Any

from .. import naming
from ..ir import MethodSpec, ModelSpec
from .operations import base_path, error_response
from .schemas import ref, value_schema

SIMPLE: dict[str, dict[str, Any]] = {
    "number": {"type": "number"},
    "integer": {"type": "integer", "minimum": -(2**53 - 1), "maximum": 2**53 - 1},  # LB3: safe
    "string": {"type": "string"},
    "boolean": {"type": "boolean"},
    "date": {"type": "string", "format": "date-time"},
    "object": {"type": "object"},
    "array": {"type": "array", "items": {}},
    "any": {},
    "buffer": {"type": "string", "format": "byte"},
    "geopoint": {"type": "object"},
}
VERBS = {"get": "get", "post": "post", "put": "put", "patch": "patch", "delete": "delete",
         "del": "delete", "head": "head", "all": "post"}  # fmt: skip
# Values the server supplies from the request's caller, never the client: LB3 declares these with
# a function as `http` (user.js: logout's token id, changePassword's and setPassword's user id,
# verify's options), which JSON cannot hold; the runtime computes each (runtime/operations/supplied.py)
SUPPLIED = ("accessTokenId", "userIdFromToken", "verifyOptions")
NOT_IN_DOCUMENT = ("req", "res", "context", *SUPPLIED)  # the server supplies these
# descriptions of the statuses an `http.errors` list names (User's methods declare theirs)
ERRORS = {
    401: "Not authenticated: no valid access token, or the credentials were refused",
    403: "The access token may not do this",
    404: "Not found: an id or token the arguments name matches no instance",
    429: "Too many failed attempts: retry after the seconds in the Retry-After header",
}


@dataclass(frozen=True)
class Arg:
    name: str
    type: Any
    required: bool
    source: str  # query | path | body | form | header | req | res | context
    description: str | None
    default: Any = None
    has_default: bool = False


@dataclass(frozen=True)
class Owner:
    """The model a remote method belongs to, as much as its operations need."""

    name: str
    root: str  # the model's base path: /Shops
    id_schema: dict[str, Any] | None  # None: the model has no id (no instance methods)

    @classmethod
    def of(cls, model: ModelSpec) -> Owner:
        ids = model.id_properties
        return cls(model.name, base_path(model), value_schema(ids[0]) if ids else None)


@dataclass(frozen=True)
class RemoteOperation:
    """One route of a remote method."""

    model: Owner
    method: MethodSpec
    verb: str
    path: str  # full path, with {id} for an instance method and {x} for path arguments
    index: int  # which `http` entry (0 for the first)
    several: bool  # the method has several routes: operationIds are disambiguated

    @property
    def lb_name(self) -> str:
        return self.method.name if self.method.is_static else f"prototype.{self.method.name}"

    @property
    def python_name(self) -> str:
        prefix = "remote_" if self.method.is_static else "remote_prototype_"
        suffix = f"_{self.index + 1}" if self.index else ""
        return f"{prefix}{naming.module_name(self.method.name).rstrip('_')}{suffix}"

    @property
    def operation_id(self) -> str:
        oid = f"{self.model.name}.{self.lb_name}"
        if self.several:
            oid += f"__{self.verb}_{self.path.strip('/').replace('/', '_')}"
        return oid

    @property
    def summary(self) -> str:
        return self.method.description or f"Remote method {self.model.name}.{self.lb_name}."

    @property
    def args(self) -> tuple[Arg, ...]:
        return accepted(self.method, self.path)

    @property
    def status(self) -> int:
        return success_status(self.method, self.index)


def accepted(method: MethodSpec, path: str = "") -> tuple[Arg, ...]:
    out = []
    in_path = set(re.findall(r"\{([^}]+)\}", path))
    for a in method.accepts:
        name = str(a.get("arg", ""))
        if not name:
            continue
        http = a.get("http")
        source = http.get("source") if isinstance(http, dict) else None
        if isinstance(http, str):  # LB3's `http: 'optionsFromRequest'`
            source = "context"
        if source is None:
            source = "path" if name in in_path else "query"
        out.append(
            Arg(
                name=name,
                type=a.get("type", "any"),
                required=bool(a.get("required", False)) or source == "path",
                source=str(source),
                description=a.get("description") if isinstance(a.get("description"), str) else None,
                default=a.get("default"),
                has_default="default" in a,
            )
        )
    return tuple(out)


def success_status(method: MethodSpec, index: int = 0) -> int:
    http = method.http[index] if index < len(method.http) else {}
    status = http.get("status")
    if isinstance(status, int):
        return status
    return 200 if method.returns else 204


def remote_operations(owner: Owner, methods: Iterable[MethodSpec]) -> list[RemoteOperation]:
    """Every route of every one of the model's remote methods, in declaration order."""
    out = []
    root = owner.root
    for method in methods:
        if not method.is_static and owner.id_schema is None:
            continue
        routes = method.http or ({},)
        for i, http in enumerate(routes):
            verb = VERBS.get(str(http.get("verb", "post")).lower(), "post")
            sub = str(http.get("path") or f"/{method.name}")
            sub = "/" + re.sub(r":(\w+)", r"{\1}", sub).strip("/")
            prefix = root if method.is_static else f"{root}/{{id}}"
            path = prefix if sub == "/" else prefix + sub
            out.append(RemoteOperation(owner, method, verb, path, i, len(routes) > 1))
    return out


def type_schema(typ: Any, models: dict[str, Any]) -> dict[str, Any]:
    """An LB3 type (`number`, `[string]`, `Product`...) as JSON Schema."""
    if isinstance(typ, list):
        return {"type": "array", "items": type_schema(typ[0] if typ else "any", models)}
    if not isinstance(typ, str):
        return {}
    if typ in models:
        return ref(typ)
    schema: dict[str, Any] = dict(SIMPLE.get(typ.lower(), {}))
    return schema


def _parameter(arg: Arg, schemas: dict[str, Any]) -> dict[str, Any]:
    schema = type_schema(arg.type, schemas)
    if arg.required and schema.get("type") == "string":
        schema["minLength"] = 1  # LB3 reads an empty value as a missing one
    if arg.has_default and arg.default is not None:
        schema = {**schema, "default": arg.default}
    param: dict[str, Any] = {"name": arg.name, "in": arg.source, "required": arg.required}
    if arg.source == "query" and not arg.required:
        param["allowEmptyValue"] = True  # LB3 reads `?x=` as x not sent
    if arg.description:
        param["description"] = arg.description
    simple = schema.get("type") in ("number", "integer", "string", "boolean")
    items = schema.get("items", {})
    if simple or (schema.get("type") == "array" and items.get("type") in SCALARS):
        param["schema"] = schema
    else:  # an object (or a model) travels as JSON text, as LB3's filter does
        param["content"] = {"application/json": {"schema": schema}}
    return param


SCALARS = ("number", "integer", "string", "boolean")


def _request_body(args: list[Arg], schemas: dict[str, Any]) -> dict[str, Any] | None:
    body = [a for a in args if a.source == "body"]
    form = [a for a in args if a.source == "form"]
    if body:
        arg = body[0]
        schema = type_schema(arg.type, schemas)
        if isinstance(arg.type, str) and arg.type in schemas and f"New{arg.type}" in schemas:
            schema = ref(f"New{arg.type}")  # a model argument is a new instance's data
        out: dict[str, Any] = {
            "required": arg.required,
            "content": {"application/json": {"schema": schema}},
        }
        if arg.description:
            out["description"] = arg.description
        return out
    if form:
        props = {  # an optional field may be null: LB3 reads it as not sent
            a.name: {**type_schema(a.type, schemas), **({} if a.required else {"nullable": True})}
            for a in form
        }
        schema = {"type": "object", "properties": props}
        required = [a.name for a in form if a.required]
        if required:
            schema["required"] = required
        return {"required": bool(required), "content": {"application/json": {"schema": schema}}}
    return None


def _responses(op: RemoteOperation, schemas: dict[str, Any]) -> dict[str, Any]:
    returns = op.method.returns
    status = str(op.status)
    ok: dict[str, Any] = {"description": "Request was successful"}
    if returns and status != "204":
        root = next((r for r in returns if r.get("root")), None)
        if root is not None:
            schema = type_schema(root.get("type", "any"), schemas)
        else:
            schema = {
                "type": "object",
                "properties": {
                    str(r["arg"]): type_schema(r.get("type", "any"), schemas)
                    for r in returns
                    if r.get("arg")
                },
            }
        ok["content"] = {"application/json": {"schema": schema}}
    out: dict[str, Any] = {
        status: ok,
        "400": error_response("Bad request: an argument is missing or malformed"),
    }
    if not op.method.is_static:
        out["404"] = error_response("Model instance not found")
    if any(a.source in ("body", "form") for a in op.args) and op.verb not in (
        "get",
        "head",
        "delete",
    ):
        out["422"] = error_response("The values sent are not valid")
    http = op.method.http[op.index] if op.index < len(op.method.http) else {}
    error_status = http.get("errorStatus")
    if isinstance(error_status, int) and str(error_status) not in out:
        out[str(error_status)] = error_response("The method failed")
    for code in http.get("errors") or ():  # ours: the statuses a method is known to answer
        if isinstance(code, int) and str(code) not in out:
            out[str(code)] = error_response(ERRORS.get(code, "The method failed"))
    out["501"] = error_response("The method is declared but has no implementation")
    if op.verb == "head":
        out = {s: {"description": r["description"]} for s, r in out.items()}
    return dict(sorted(out.items()))


def remote_paths(model: ModelSpec, schemas: dict[str, Any]) -> dict[str, dict[str, Any]]:
    return method_paths(Owner.of(model), model.methods, schemas)


def method_paths(
    owner: Owner, methods: Iterable[MethodSpec], schemas: dict[str, Any]
) -> dict[str, dict[str, Any]]:
    """The path items of the methods' routes: typed parameters, body and responses."""
    paths: dict[str, dict[str, Any]] = {}
    for op in remote_operations(owner, methods):
        args = list(op.args)
        params = []
        if not op.method.is_static:
            params.append({"name": "id", "in": "path", "required": True,
                           "description": "Model id", "schema": owner.id_schema})  # fmt: skip
        params += [_parameter(a, schemas) for a in args if a.source in ("query", "path", "header")]
        entry: dict[str, Any] = {
            "tags": [owner.name],
            "summary": op.summary,
            "operationId": op.operation_id,
        }
        if params:
            entry["parameters"] = params
        body = _request_body(args, schemas)
        if body is not None and op.verb not in ("get", "head", "delete"):
            entry["requestBody"] = body
        entry["responses"] = _responses(op, schemas)
        entry["x-lb-operation"] = {
            "model": owner.name,
            "method": op.lb_name,
            "handler": op.python_name,
            "remote": True,
        }
        if op.several:
            entry["x-lb-operation"]["route"] = op.index
        paths.setdefault(op.path, {})[op.verb] = entry
    return paths
