"""The read stage: where every read's filter gets what the caller did not write.

Every read (find, findOne, findById, count, exists, include targets, relation reads, and the EXISTS of
a where on a related model's properties) passes `restrict` before it is planned, so an `access`
hook's where and the rows the caller's ACLs allow (`model.acl`, runtime/auth/scoping.py: `$owner`)
are ANDed in this one place, for every statement kind the plan becomes (select, count, update,
delete, EXISTS). A model without observers and ACLs, in an app where no related model has an access
hook or ACLs, passes through untouched.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from .context import Context, context_or_system
from .filter.ast import And, Condition, Exists, Filter, Or, Where
from .hooks import HookQuery, Operation

if TYPE_CHECKING:
    from .model import Model


def needed(model: Model, where: Where | None) -> bool:
    """Whether a read has anything to restrict: the model is observed, or its where reaches a
    related model (whose access hooks join the EXISTS). Checked inline, so an unobserved model's
    read makes no call here."""
    return (
        bool(model.hooks)
        or model.acl is not None
        or (where is not None and type(where) is not Condition and _has_exists(where))
    )


async def restrict(
    model: Model,
    flt: Filter,
    ctx: Context | None,
    op: Operation | None = None,
    *,
    write: str | None = None,
) -> tuple[Filter, Operation | None]:
    """The filter with every access restriction ANDed in, and the operation whose hooks (`loaded`)
    the read still fires (None for a model without observers). A write passes its own operation,
    so its `access` and `before save` hooks share one hook_state, and its method (`write`:
    `updateAll`, `destroyAll`, `upsertWithWhere`) when its ACLs, not `find`'s, decide the rows."""
    where = flt.where
    if where is not None and _has_exists(where) and _any_access(model):
        where = await _scope_exists(model, where, ctx)
    if op is None and model.hooks:
        op = Operation(model, context_or_system(ctx))
    if op is not None and op.has("access"):
        where = _and(where, await access_where(op, replace(flt, where=where)))
    if model.acl is not None:  # the rows the caller's ACLs allow (`$owner`): in the SQL
        where = _and(where, await model.acl.where(ctx, write))
    return (flt if where is flt.where else replace(flt, where=where)), op


async def restrict_where(
    model: Model,
    where: Where | None,
    ctx: Context | None,
    op: Operation | None = None,
    *,
    write: str | None = None,
) -> Where | None:
    """`restrict` for the reads and writes that take a where alone (count, updateAll, destroyAll)."""
    if not needed(model, where):
        return where
    restricted, _ = await restrict(model, Filter(where=where), ctx, op, write=write)
    return restricted.where


async def access_where(op: Operation, flt: Filter) -> Where | None:
    """Fire `access`; the where its hooks left in `ctx.query.where`, parsed (None when none)."""
    hctx = await op.fire("access", query=HookQuery(flt))
    query = hctx.query
    added: Any = query.get("where") if query is not None else None
    if not added:
        return None
    return op.model.parse_where(added)  # a dict in LB3 where syntax, or a parsed Where


async def target_where(target: Model, flt: Filter, ctx: Context | None) -> Where | None:
    """What an include's (or a related where's) target model adds to its where: the rows the
    caller may `find` (none when it may read none: left out, never an error) and its access
    hooks' where."""
    scoped = await target.acl.visible(ctx) if target.acl is not None else None
    if not target.hooks.has("access"):
        return scoped
    return _and(scoped, await access_where(Operation(target, context_or_system(ctx)), flt))


def _and(first: Where | None, second: Where | None) -> Where | None:
    if second is None:
        return first
    return second if first is None else And((first, second))


def _has_exists(where: Where) -> bool:
    if isinstance(where, Exists):
        return True
    if isinstance(where, And | Or):
        return any(_has_exists(item) for item in where.items)
    return False


def _any_access(model: Model) -> bool:
    models = model.app.models if model.app is not None else {}
    return any(m.hooks.has("access") or m.acl is not None for m in models.values())


async def _scope_exists(model: Model, where: Where, ctx: Context | None) -> Where:
    """A where on related properties: the related model's access where joins the EXISTS."""
    if isinstance(where, And | Or):
        items = tuple([await _scope_exists(model, item, ctx) for item in where.items])
        return type(where)(items)
    if not isinstance(where, Exists):
        return where
    target = model.relation(where.relation).target
    if target is None:
        return where
    inner = await _scope_exists(target, where.where, ctx) if where.where is not None else None
    return Exists(where.relation, _and(inner, await target_where(target, Filter(where=inner), ctx)))
