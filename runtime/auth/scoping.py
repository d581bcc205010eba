"""The rows a caller may read or write, as a where the read stage ANDs into the SQL of every read.

An ACL decides a call; for a call about no single row (find, count, updateAll, an include, a relation's
targets) `$owner` decides which rows. `decide_rows` (rows.py) answers ALLOW (all rows), DENY, or the
owner where; `RowScope` turns that into a parsed `Where` of the model (`Or(())` for none) so it runs in
SQL through `runtime/read.py`, never as a filter after the fact.

Which rules apply to a read is the method it serves:
- the operation's own model: the operation's method (`find`, `count`, `updateAll`, the parent's
  `prototype.__get__reviews` when a relation endpoint reads its parent);
- any other model (a relation's targets, an include's, the EXISTS of a where on a related model):
  that model's `find` (READ), or for a write the write's own method (`destroyAll`, `updateAll`);
- a custom remote method's own reads are its code's business (LB3 checks the method, not what it
  reads), and a system context (boot scripts, Python callers without a context) is never scoped.

A model is scoped only when it has rules (JSON acls, ACL table rows, or `defaultPermission: DENY`):
`attach` sets `model.acl` for those at `enable_auth`, so a model without ACLs pays one attribute test.
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable, Mapping
from typing import TYPE_CHECKING, Any

from ..coercion import Invalid, query_converter
from ..filter.ast import And, Condition, Exists, Or, Where
from .access_types import model_setting
from .acl import DEFAULT, DENY, MethodPolicy
from .denial import AccessError
from .rows import RowAccess, decide_rows
from .subject import ROLE

if TYPE_CHECKING:
    from ..context import Context
    from ..model import Model
    from .authorizer import Authorizer

NOTHING: Where = Or(())  # matches no row
# the REST methods about no single row: their guard refuses only a caller who may touch no row
ROW_METHODS = frozenset({"find", "findOne", "count", "updateAll", "upsertWithWhere", "destroyAll"})


class Refused(Exception):
    """The caller may read none of the rows (the read stage raises the authorizer's error)."""


class RowScope:
    """One model's row scoping: its authorizer, and the owner where compiled to the model's AST."""

    def __init__(self, model: Model, authorizer: Authorizer) -> None:
        self.model = model
        self.authorizer = authorizer

    def method_for(self, ctx: Context, write: str | None = None) -> str | None:
        """The method whose rules decide this read (None: not scoped)."""
        op = ctx.method
        if op is not None and getattr(op, "remote", None) is not None:
            return None  # a custom remote method: its code decides what it reads
        if op is not None and op.model is self.model:
            if op.relation is None and op.name not in ROW_METHODS:
                return (
                    None  # about the path's row (findById, exists, deleteById): its guard decided
                )
            return str(op.name)
        return write or "find"

    def _open(self, policy: MethodPolicy) -> bool:
        """The best rule allows everyone (`$everyone` ALLOW): every row, and no token to read."""
        first = policy.rules[0] if policy.rules else None
        return (
            first is not None
            and first.principal_type == ROLE
            and self.authorizer.roles.always(first.principal_id)
            and first.permission not in (DENY, DEFAULT)
        )

    def applies(self, ctx: Context | None) -> bool:
        """Whether this caller's read of the model is narrowed here at all (else the fast paths)."""
        return ctx is not None and not ctx.system and self.method_for(ctx) is not None

    async def rows(self, ctx: Context | None, write: str | None = None) -> RowAccess | None:
        """decide_rows for the caller, or None when nothing restricts this read."""
        if ctx is None or ctx.system:
            return None
        method = self.method_for(ctx, write)
        if method is None:
            return None
        name = self.model.name
        _, policy = self.authorizer.policy(name, method)
        if policy is None or self._open(policy):
            return None
        op = ctx.method
        if ctx.rows is not None and op is not None and op.model is self.model and op.name == method:
            cached: RowAccess = ctx.rows  # the operation's guard decided these rows already
            return cached
        principal = await ctx.load_principal()
        actx = self.authorizer.context(name, method, principal, ctx=ctx)
        return await decide_rows(policy, actx, self.authorizer.roles)

    async def where(self, ctx: Context | None, write: str | None = None) -> Where | None:
        """The where to AND into the read: None (all rows), NOTHING, or the owner where; raises
        the authorizer's LB3 error when the caller may touch no row at all."""
        access = await self.rows(ctx, write)
        if access is None or (access.allowed and access.where is None):
            return None
        if not access.allowed:
            assert ctx is not None
            raise self.authorizer.error(self.model.name, await ctx.load_principal())
        assert access.where is not None
        where = self.compile(access.where)
        return negate(where) if access.negate else where

    async def visible(self, ctx: Context | None) -> Where | None:
        """An include's or EXISTS' targets: the same, but a refusal is no rows, not an error."""
        try:
            return await self.where(ctx, "find")
        except AccessError:
            return NOTHING

    async def check(self, ctx: Context | None, method: str, model_id: Any = None) -> None:
        """A relation endpoint's write to this (target) model: the target's own ACL for the write
        (`create`, `prototype.patchAttributes` or `deleteById` about the child's id) must allow
        it too; LB3 checks only the parent's relation method."""
        if ctx is None or ctx.system or self.method_for(ctx) is None:
            return
        name = self.model.name
        principal = await ctx.load_principal()
        decision = self.authorizer.check(name, method, principal, model_id=model_id, ctx=ctx)
        if inspect.isawaitable(decision):
            decision = await decision
        if not decision.allowed:
            raise self.authorizer.error(name, principal, model_id=model_id)

    def compile(self, raw: Mapping[str, Any]) -> Where:
        """An owner where (`{"userId": 5}`, `{"or": [...]}`, `{"user.id": 5}`) as this model's AST.
        Built here, not by the filter parser: the owner's key may be a hidden property, which a
        client's where may not name."""
        return _compile(self.model, raw)


def _compile(model: Model, raw: Mapping[str, Any]) -> Where:
    parts: list[Where] = []
    for key, value in raw.items():
        if key in ("and", "or"):
            items = tuple(_compile(model, w) for w in value)
            parts.append(And(items) if key == "and" else Or(items))
        elif "." in key:
            rname, prop = key.split(".", 1)
            target = model.relation(rname).target_model()
            parts.append(Exists(rname, _compile(target, {prop: value})))
        else:
            parts.append(_condition(model, key, value))
    return parts[0] if len(parts) == 1 else And(tuple(parts))


def _condition(model: Model, prop: str, value: Any) -> Where:
    if value is None:
        return Condition(prop, "eq", None)
    try:
        converted = query_converter(model.meta.properties[prop])(value)
    except (Invalid, KeyError, ValueError, TypeError):
        return NOTHING  # a user id that no value of the key can equal: the caller owns nothing
    return Condition(prop, "eq", converted)


def negate(where: Where) -> Where:
    """NOT where, as LB3's `!isOwner`: a NULL key is "not owned". `neq` matches NULL (LB3's neq),
    De Morgan for and/or; a related-row test cannot be negated here, so it denies (fails closed)."""
    if isinstance(where, Condition) and where.op == "eq":
        return Condition(where.prop, "neq", where.value)
    if isinstance(where, And):
        return Or(tuple(negate(w) for w in where.items))
    if isinstance(where, Or):
        return And(tuple(negate(w) for w in where.items))
    return NOTHING


async def check_rows(authorizer: Authorizer, model: str, method: str, ctx: Context) -> None:
    """A ROW_METHODS operation's ACL check: LB3's error when `decide_rows` allows no row."""
    _, policy = authorizer.policy(model, method)
    principal = await ctx.load_principal()
    actx = authorizer.context(model, method, principal, ctx=ctx)
    ctx.rows = await decide_rows(policy, actx, authorizer.roles)  # the read stage reuses it
    if not ctx.rows.allowed:
        raise authorizer.error(model, principal)


def has_rules(authorizer: Authorizer, name: str) -> bool:
    """Whether any rule can restrict model `name`: its JSON acls, an ACL table row naming it (or
    `*`), or a default permission of DENY."""
    entry = authorizer.models.get(name) or {}
    if entry.get("acls") or model_setting(entry, "defaultPermission") == DENY:
        return True
    return any(row.get("model") in (name, "*") for row in authorizer.table)


def attach(models: Iterable[Model], authorizer: Authorizer) -> None:
    """Give every model with rules its RowScope (again after the ACL table changed); the others
    keep `acl = None` and pay nothing."""
    for model in models:
        model.acl = RowScope(model, authorizer) if has_rules(authorizer, model.name) else None


def row_lookup(models: Mapping[str, Model]) -> Any:
    """The `$owner` test of one row for `OwnerCheck`: one read of the row with that id and the
    owner where, in SQL, outside any scoping (a system read; `Model.matches`)."""

    async def lookup(name: str, model_id: Any, where: Mapping[str, Any]) -> bool:
        model = models[name]
        key = model.codec.coerce_id(model_id)
        if key is None:
            return False
        return await model.matches(key, _compile(model, where))

    return lookup
