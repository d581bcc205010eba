"""The PersistedModel REST operations, each in two steps: bind (HTTP request -> `ctx.args`, LB3's
`accepts`) and call (`ctx.args` -> model API call -> JSON-ready result).

The operation layer (runtime/operations) runs the bind step, then the before-remote hooks (which may
read and change `ctx.args`), then the call step through the generated handler. Status codes and
messages follow LB3 3.28 as observed on the real server (see tests/http); deliberate differences are
listed in docs/lb3-differences.md.
"""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from .context import Context
from .errors import NOT_AN_OBJECT, BadRequest, ModelNotFound, NotFound
from .http import NO_CONTENT, LbRequest
from .operations.arguments import boolean

if TYPE_CHECKING:
    from .model import Model

Binder = Callable[[LbRequest], Awaitable[dict[str, Any]]]
ID_MISSING = 'Unknown "{model}" id "{id}".'
NO_MODEL = "could not find a model with id {id}"

# ---- bind: the request's arguments, read, checked and converted before any hook runs -------------


async def _object_body(req: LbRequest) -> dict[str, Any]:
    body = await req.json_body()
    if body is None:
        return {}  # LB3: no body and `{}` are both an empty object
    if not isinstance(body, dict):
        raise BadRequest(NOT_AN_OBJECT)
    return body


def _path_id(req: LbRequest, missing: str = ID_MISSING) -> str:
    """The id in the URL. One that no instance can have (0, negative, or past 64 bits for an
    integer id, which the schema documents as a positive int64) is a 404 MODEL_NOT_FOUND on every
    id operation; LB3 answers DELETE `{"count":0}` and exists `{"exists":false}` there."""
    raw = req.path_id
    if not _possible_id(req.model, raw):
        raise ModelNotFound(missing.format(model=req.model.name, id=raw))
    return raw


def _possible_id(model: Model, raw: str) -> bool:
    key = model.codec.coerce_id(raw)
    id_prop = model.meta.id_property
    return key is not None and not (id_prop is not None and id_prop.integer_id and key < 1)


async def bind_create(req: LbRequest) -> dict[str, Any]:
    body = await req.json_body()
    if body is None:
        body = {}
    if not isinstance(body, dict | list):
        raise BadRequest("The request body must be a JSON object or array. Value is not an object.")
    if req.model.meta.is_user:
        body = _unverified(body)
    return {"data": body}


def _unverified(body: Any) -> Any:
    """LB3's User: a client cannot sign up with a verified email (`emailVerified` true becomes
    false). LB3 forgets the items of an array body; this does not."""
    if isinstance(body, list):
        return [_unverified(item) for item in body]
    if isinstance(body, dict) and body.get("emailVerified") is True:
        return {**body, "emailVerified": False}
    return body


async def bind_filter(req: LbRequest) -> dict[str, Any]:
    return {"filter": req.filter()}


async def bind_where(req: LbRequest) -> dict[str, Any]:
    return {"where": req.where()}


async def bind_id(req: LbRequest) -> dict[str, Any]:
    return {"id": _path_id(req)}


async def bind_id_filter(req: LbRequest) -> dict[str, Any]:
    return {"id": _path_id(req), "filter": req.filter()}


async def bind_data(req: LbRequest) -> dict[str, Any]:
    return {"data": await _object_body(req)}


async def bind_where_data(req: LbRequest) -> dict[str, Any]:
    return {"where": req.where(), "data": await _object_body(req)}


async def bind_id_data(req: LbRequest) -> dict[str, Any]:
    return {"id": _path_id(req), "data": await _object_body(req)}


async def bind_patch_attributes(req: LbRequest) -> dict[str, Any]:
    return {"id": _path_id(req, NO_MODEL), "data": await _object_body(req)}


def _parent(req: LbRequest) -> dict[str, Any]:
    """A relation endpoint's parent id (and a nestRemoting endpoint's child id `nk`)."""
    args = {"id": _path_id(req, NO_MODEL)}
    if req.nested is not None:
        args["nk"] = req.path_nk
    return args


async def bind_related(req: LbRequest) -> dict[str, Any]:
    return _parent(req)


async def bind_related_get(req: LbRequest) -> dict[str, Any]:
    args = _parent(req)
    # LB3's boolean: true/false/1/0 in any case; `?refresh=` is refresh not sent; else a 400
    args["refresh"] = boolean(req.query_param("refresh") or None) is True
    return args


async def bind_related_filter(req: LbRequest) -> dict[str, Any]:
    return {**_parent(req), "filter": req.filter()}


async def bind_related_where(req: LbRequest) -> dict[str, Any]:
    return {**_parent(req), "where": req.where()}


async def bind_related_fk(req: LbRequest) -> dict[str, Any]:
    return {**_parent(req), "fk": req.path_fk}


async def bind_related_create(req: LbRequest) -> dict[str, Any]:
    args = _parent(req)
    body = await req.json_body()
    args["data"] = {} if body is None else body
    return args


async def bind_related_data(req: LbRequest) -> dict[str, Any]:
    return {**_parent(req), "data": await _object_body(req)}


async def bind_related_fk_data(req: LbRequest) -> dict[str, Any]:
    return {**_parent(req), "fk": req.path_fk, "data": await _object_body(req)}


async def bind_related_link(req: LbRequest) -> dict[str, Any]:
    """PUT rel/{fk}: link (through/HABTM: an optional body of the join model's extra properties)."""
    args = {**_parent(req), "fk": req.path_fk}
    body = await req.json_body()
    if body is not None and not isinstance(body, dict):
        raise BadRequest(NOT_AN_OBJECT)
    args["data"] = body
    return args


# ---- call: the model method, with the (possibly hook-edited) arguments ---------------------------


async def create(ctx: Context) -> Any:
    return await ctx.method.model.create(ctx.args["data"], ctx=ctx)


# find and findById answer with the JSON text the database wrote when the read allows it
# (Model.find_body); after-remote hooks read and may change the result, so they get the rows


async def find(ctx: Context) -> Any:
    op = ctx.method
    read = op.model.find if op.after else op.model.find_body
    return await read(ctx.args["filter"], ctx=ctx)


async def find_by_id(ctx: Context) -> Any:
    model, args = ctx.method.model, ctx.args
    read = model.find_by_id if ctx.method.after else model.find_by_id_body
    instance = await read(args["id"], args["filter"], ctx=ctx)
    if instance is None:
        raise ModelNotFound(ID_MISSING.format(model=model.name, id=args["id"]))
    return instance


async def find_one(ctx: Context) -> Any:
    model = ctx.method.model
    instance = await model.find_one(ctx.args["filter"], ctx=ctx)
    if instance is None:
        raise ModelNotFound(ID_MISSING.format(model=model.name, id="undefined"))
    return instance


async def count(ctx: Context) -> Any:
    return {"count": await ctx.method.model.count(ctx.args["where"], ctx=ctx)}


async def exists(ctx: Context) -> Any:
    return {"exists": await ctx.method.model.exists(ctx.args["id"], ctx=ctx)}


async def exists_head(ctx: Context) -> Any:
    model = ctx.method.model
    if not await model.exists(ctx.args["id"], ctx=ctx):
        raise NotFound(ID_MISSING.format(model=model.name, id=ctx.args["id"]))
    return None


async def replace_or_create(ctx: Context) -> Any:
    return await ctx.method.model.replace_or_create(ctx.args["data"], ctx=ctx)


async def patch_or_create(ctx: Context) -> Any:
    return await ctx.method.model.patch_or_create(ctx.args["data"], ctx=ctx)


async def upsert_with_where(ctx: Context) -> Any:
    args = ctx.args
    return await ctx.method.model.upsert_with_where(args["where"], args["data"], ctx=ctx)


async def update_all(ctx: Context) -> Any:
    args = ctx.args
    return {"count": await ctx.method.model.update_all(args["where"], args["data"], ctx=ctx)}


async def replace_by_id(ctx: Context) -> Any:
    return await ctx.method.model.replace_by_id(ctx.args["id"], ctx.args["data"], ctx=ctx)


async def patch_attributes(ctx: Context) -> Any:
    return await ctx.method.model.patch_attributes(ctx.args["id"], ctx.args["data"], ctx=ctx)


async def delete_by_id(ctx: Context) -> Any:
    return {"count": await ctx.method.model.destroy_by_id(ctx.args["id"], ctx=ctx)}


# ---- relations ---------------------------------------------------------------------------------


async def _related(ctx: Context) -> Any:
    """The relation the endpoint serves, for the parent in the URL. A nestRemoting endpoint
    (`/Authors/{id}/books/{nk}/tags`) first finds the child `nk` through the outer relation (404
    unless it is that parent's), then serves the child's relation."""
    op = ctx.method
    related = op.model.related(ctx.args["id"], op.relation, ctx=ctx)
    if op.nested is None:
        return related
    child = await related.find_by_id(ctx.args["nk"])
    target = related.target
    return target.related(child[target.meta.id_name], op.nested, ctx=ctx)


async def related_get(ctx: Context) -> Any:
    return await (await _related(ctx)).get()


async def related_find(ctx: Context) -> Any:
    return await (await _related(ctx)).find(ctx.args["filter"])


async def related_count(ctx: Context) -> Any:
    return {"count": await (await _related(ctx)).count(ctx.args["where"])}


async def related_find_by_id(ctx: Context) -> Any:
    return await (await _related(ctx)).find_by_id(ctx.args["fk"])


async def related_create(ctx: Context) -> Any:
    related = await _related(ctx)
    body = ctx.args["data"]
    if related.relation.target_meta is not None and related.relation.target_meta.is_user:
        body = _unverified(body)
    return await related.create(body)


async def related_update(ctx: Context) -> Any:
    return await (await _related(ctx)).update(ctx.args["data"])


async def related_destroy(ctx: Context) -> Any:
    await (await _related(ctx)).destroy()
    return NO_CONTENT


async def related_delete_all(ctx: Context) -> Any:
    await (await _related(ctx)).destroy_all()
    return NO_CONTENT


async def related_update_by_id(ctx: Context) -> Any:
    related = await _related(ctx)
    return await related.update_by_id(ctx.args["fk"], ctx.args["data"])


async def related_destroy_by_id(ctx: Context) -> Any:
    await (await _related(ctx)).destroy_by_id(ctx.args["fk"])
    return NO_CONTENT


async def related_link(ctx: Context) -> Any:
    return await (await _related(ctx)).link(ctx.args["fk"], ctx.args["data"])


async def related_unlink(ctx: Context) -> Any:
    """DELETE rel/{fk}: unlinking what is not linked is a no-op 204 (as LB3), but a key no target
    can have is a 404, as on every other id operation."""
    related = await _related(ctx)
    fk = ctx.args["fk"]
    if not _possible_id(related.target, fk):
        raise ModelNotFound(ID_MISSING.format(model=related.target.name, id=fk))
    await related.unlink(fk)
    return NO_CONTENT


async def related_exists(ctx: Context) -> Any:
    """HEAD rel/{fk}: 200 when linked, 404 when not."""
    args = ctx.args
    if not await (await _related(ctx)).exists(args["fk"]):
        op = ctx.method
        raise NotFound(f'{op.model.name} {args["id"]} has no "{op.relation}" link to {args["fk"]}')
    return True


# Each call step's bind step, by runtime function name (the generated handlers' BINDERS use it).
BINDERS: dict[str, Binder] = {
    "create": bind_create,
    "find": bind_filter,
    "find_one": bind_filter,
    "find_by_id": bind_id_filter,
    "count": bind_where,
    "exists": bind_id,
    "exists_head": bind_id,
    "replace_or_create": bind_data,
    "patch_or_create": bind_data,
    "upsert_with_where": bind_where_data,
    "update_all": bind_where_data,
    "replace_by_id": bind_id_data,
    "patch_attributes": bind_patch_attributes,
    "delete_by_id": bind_id,
    "related_get": bind_related_get,
    "related_find": bind_related_filter,
    "related_count": bind_related_where,
    "related_find_by_id": bind_related_fk,
    "related_create": bind_related_create,
    "related_update": bind_related_data,
    "related_destroy": bind_related,
    "related_delete_all": bind_related,
    "related_update_by_id": bind_related_fk_data,
    "related_destroy_by_id": bind_related_fk,
    "related_link": bind_related_link,
    "related_unlink": bind_related_fk,
    "related_exists": bind_related_fk,
}
