"""The PersistedModel REST operations: HTTP request -> model API call -> JSON-ready result.

Generated handlers call these. Status codes and messages follow LB3 3.28 as observed on the real server
(see tests/http); deliberate differences are listed in docs/lb3-differences.md.
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from .errors import NOT_AN_OBJECT, BadRequest, ModelNotFound, NotFound
from .http import NO_CONTENT, LbRequest

if TYPE_CHECKING:
    from .model import Model


async def _object_body(req: LbRequest) -> dict[str, Any]:
    body = await req.json_body()
    if body is None:
        return {}  # LB3: no body and `{}` are both an empty object
    if not isinstance(body, dict):
        raise BadRequest(NOT_AN_OBJECT)
    return body


async def create(req: LbRequest) -> Any:
    body = await req.json_body()
    if body is None:
        body = {}
    if not isinstance(body, dict | list):
        raise BadRequest("The request body must be a JSON object or array. Value is not an object.")
    if req.model.meta.is_user:
        body = _unverified(body)
    return await req.model.create(body)


def _unverified(body: Any) -> Any:
    """LB3's User: a client cannot sign up with a verified email (`emailVerified` true becomes
    false). LB3 forgets the items of an array body; this does not."""
    if isinstance(body, list):
        return [_unverified(item) for item in body]
    if isinstance(body, dict) and body.get("emailVerified") is True:
        return {**body, "emailVerified": False}
    return body


async def find(req: LbRequest) -> Any:
    return await req.model.find(req.filter())


def _path_id(req: LbRequest, missing: str = 'Unknown "{model}" id "{id}".') -> str:
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


async def find_by_id(req: LbRequest) -> Any:
    instance = await req.model.find_by_id(_path_id(req), req.filter())
    if instance is None:
        raise ModelNotFound(f'Unknown "{req.model.name}" id "{req.path_id}".')
    return instance


async def find_one(req: LbRequest) -> Any:
    instance = await req.model.find_one(req.filter())
    if instance is None:
        raise ModelNotFound(f'Unknown "{req.model.name}" id "undefined".')
    return instance


async def count(req: LbRequest) -> Any:
    return {"count": await req.model.count(req.where())}


async def exists(req: LbRequest) -> Any:
    return {"exists": await req.model.exists(_path_id(req))}


async def exists_head(req: LbRequest) -> Any:
    if not await req.model.exists(_path_id(req)):
        raise NotFound(f'Unknown "{req.model.name}" id "{req.path_id}".')
    return None


async def replace_or_create(req: LbRequest) -> Any:
    return await req.model.replace_or_create(await _object_body(req))


async def patch_or_create(req: LbRequest) -> Any:
    return await req.model.patch_or_create(await _object_body(req))


async def upsert_with_where(req: LbRequest) -> Any:
    where = req.where()
    return await req.model.upsert_with_where(where, await _object_body(req))


async def update_all(req: LbRequest) -> Any:
    where = req.where()
    return {"count": await req.model.update_all(where, await _object_body(req))}


async def replace_by_id(req: LbRequest) -> Any:
    return await req.model.replace_by_id(_path_id(req), await _object_body(req))


async def patch_attributes(req: LbRequest) -> Any:
    path_id = _path_id(req, "could not find a model with id {id}")
    return await req.model.patch_attributes(path_id, await _object_body(req))


async def delete_by_id(req: LbRequest) -> Any:
    return {"count": await req.model.destroy_by_id(_path_id(req))}


# ---- relations ---------------------------------------------------------------------------------


async def _related(req: LbRequest) -> Any:
    """The relation the endpoint serves, for the parent in the URL. A nestRemoting endpoint
    (`/Authors/{id}/books/{nk}/tags`) first finds the child `nk` through the outer relation (404
    unless it is that parent's), then serves the child's relation."""
    path_id = _path_id(req, "could not find a model with id {id}")
    related = req.model.related(path_id, str(req.relation))
    if req.nested is None:
        return related
    child = await related.find_by_id(req.path_nk)
    target = related.target
    return target.related(child[target.meta.id_name], req.nested)


async def related_get(req: LbRequest) -> Any:
    refresh = req.query_param("refresh")
    if refresh not in (None, "", "true", "false"):
        raise BadRequest(f"Value is not a boolean: refresh={refresh!r}")
    return await (await _related(req)).get()


async def related_find(req: LbRequest) -> Any:
    return await (await _related(req)).find(req.filter())


async def related_count(req: LbRequest) -> Any:
    return {"count": await (await _related(req)).count(req.where())}


async def related_find_by_id(req: LbRequest) -> Any:
    return await (await _related(req)).find_by_id(req.path_fk)


async def related_create(req: LbRequest) -> Any:
    related = await _related(req)
    body = await req.json_body()
    if body is None:
        body = {}
    if related.relation.target_meta is not None and related.relation.target_meta.is_user:
        body = _unverified(body)
    return await related.create(body)


async def related_update(req: LbRequest) -> Any:
    related = await _related(req)
    return await related.update(await _object_body(req))


async def related_destroy(req: LbRequest) -> Any:
    await (await _related(req)).destroy()
    return NO_CONTENT


async def related_delete_all(req: LbRequest) -> Any:
    await (await _related(req)).destroy_all()
    return NO_CONTENT


async def related_update_by_id(req: LbRequest) -> Any:
    related = await _related(req)
    return await related.update_by_id(req.path_fk, await _object_body(req))


async def related_destroy_by_id(req: LbRequest) -> Any:
    await (await _related(req)).destroy_by_id(req.path_fk)
    return NO_CONTENT


async def related_link(req: LbRequest) -> Any:
    """PUT rel/{fk}: link (through/HABTM: an optional body of the join model's extra properties)."""
    related = await _related(req)
    body = await req.json_body()
    if body is not None and not isinstance(body, dict):
        raise BadRequest(NOT_AN_OBJECT)
    return await related.link(req.path_fk, body)


async def related_unlink(req: LbRequest) -> Any:
    """DELETE rel/{fk}: unlinking what is not linked is a no-op 204 (as LB3), but a key no target
    can have is a 404, as on every other id operation."""
    related = await _related(req)
    if not _possible_id(related.target, req.path_fk):
        raise ModelNotFound(f'Unknown "{related.target.name}" id "{req.path_fk}".')
    await related.unlink(req.path_fk)
    return NO_CONTENT


async def related_exists(req: LbRequest) -> Any:
    """HEAD rel/{fk}: 200 when linked, 404 when not."""
    if not await (await _related(req)).exists(req.path_fk):
        raise NotFound(
            f'{req.model.name} {req.path_id} has no "{req.relation}" link to {req.path_fk}'
        )
    return True
