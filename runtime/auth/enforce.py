"""ACL enforcement wired into the app: one Authorizer, one guard per operation that has a policy.

`Enforcement` is the app's (`app.auth`). It holds the app's `RoleRegistry` (`app.roles`: the built-in
resolvers, the app's own from `Role.register_resolver(name, fn)`, static roles read from the Role and
RoleMapping tables, `$owner` answered by one count query through the read stage), and builds the
`Authorizer` from the served document and the ACL table's rows on first need. `app.enable_auth()`
attaches a `Guard` to every operation whose (model, method) has a policy; an operation without one
keeps `guard = None`, so a model without ACLs pays one attribute test per request.

A guard runs before the operation binds its arguments (LB3 authorizes before it validates them): it
reads the caller (`Context.load_principal`), decides with the path's id only (`model_id`: a `?id=`
or a body id cannot change the decision) and raises LB3's 401/403/404 when denied.

Role, RoleMapping and ACL declare no ACLs in LB3: served publicly with auth enabled, anyone could grant
themselves a role. Here such a model without ACLs of its own gets `$everyone DENY` (an app that
wants them served writes its own rules).
"""

from __future__ import annotations

import inspect
import logging
import re
from collections.abc import Iterable, Mapping
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..context import Context
from .authorizer import Authorizer
from .owner import OwnerCheck, Where
from .roles import RoleRegistry
from .rows import RowAccess, decide_rows
from .subject import PrincipalRef, _text

if TYPE_CHECKING:
    from ..app import LoopBackApp
    from ..model import Model
    from ..operations import Operation

logger = logging.getLogger("runtime.auth")

ADMIN_MODELS = ("Role", "RoleMapping", "ACL")  # LB3 declares no ACLs on these
BUILTIN_MODELS = ("AccessToken", *ADMIN_MODELS)
DENY_ALL = {"principalType": "ROLE", "principalId": "$everyone", "permission": "DENY"}
_ENABLE_AUTH = re.compile(r"\.enableAuth\s*\(")


class TableRoles:
    """Static roles as LB3's Role.isInRole reads them: the Role with the name, then a RoleMapping
    from its id to one of the caller's principals (ids as strings, an empty id never mapped)."""

    def __init__(self, roles: Model, mappings: Model) -> None:
        self.roles = roles
        self.mappings = mappings

    def has_role(self, role: str, principals: tuple[PrincipalRef, ...]) -> Any:
        wanted = [(p.type, _text(p.id)) for p in principals if p.id not in (None, "", 0, False)]
        if not wanted:
            return False
        return self._has(role, wanted)

    async def _has(self, role: str, wanted: list[tuple[str, str]]) -> bool:
        system = Context.for_system()
        found = await self.roles.find_one({"where": {"name": role}}, ctx=system)
        if found is None:
            return False
        anyone = [{"principalType": t, "principalId": i} for t, i in wanted]
        where = {"and": [{"roleId": found[self.roles.meta.id_name]}, {"or": anyone}]}
        return await self.mappings.count(where, ctx=system) > 0


class NoRoles:
    def has_role(self, role: str, principals: tuple[PrincipalRef, ...]) -> bool:
        return False


def owner_lookup(models: Mapping[str, Model]) -> Any:
    """`$owner`'s row test: does the row with this id match the owner where (one count query)?"""

    async def lookup(model: str, model_id: Any, where: Where) -> bool:
        found = models.get(model)
        key = found.codec.coerce_id(model_id) if found is not None else None
        if found is None or key is None:
            return False
        both = {"and": [{found.meta.id_name: key}, where]}
        return await found.count(both, ctx=Context.for_system()) > 0

    return lookup


def role_registry(app: LoopBackApp) -> RoleRegistry:
    """The app's roles, made before boot scripts run so they can register resolvers."""
    models = app.models
    mappings: Any = NoRoles()
    role, mapping = _model_based_on(models, "Role"), _model_based_on(models, "RoleMapping")
    if role is not None and mapping is not None:
        mappings = TableRoles(role, mapping)
    entries = app.document.get("x-lb-models", {})
    owner = OwnerCheck.for_models(entries, owner_lookup(models))
    registry = RoleRegistry(mappings, owner)
    if role is not None:  # LB3's `Role.registerResolver(name, fn)`, in Python
        role.register_resolver = registry.register_resolver  # type: ignore[attr-defined]
    return registry


def _model_based_on(models: Mapping[str, Model], base: str) -> Model | None:
    """The model LB3's registry would use for a built-in: the first based on it, else itself."""
    for model in models.values():
        if base in model.meta.base_chain:
            return model
    return models.get(base)


def js_enables_auth(app_dir: Path) -> list[str]:
    """The JavaScript boot scripts that call `enableAuth()` (LB3's server/boot/authentication.js).
    They cannot run here; what they say about auth is honoured."""
    boot = app_dir / "boot"
    found = []
    for script in sorted(boot.glob("*.js")) if boot.is_dir() else []:
        try:
            text = script.read_text(encoding="utf-8")
        except (OSError, UnicodeDecodeError):
            continue
        code = re.sub(r"/\*.*?\*/|//[^\n]*", "", text, flags=re.DOTALL)
        if _ENABLE_AUTH.search(code):
            found.append(script.name)
    return found


def _document_for_acls(document: Mapping[str, Any]) -> dict[str, Any]:
    """The document the Authorizer reads: Role, RoleMapping and ACL (and models based on them)
    without ACLs of their own get `$everyone DENY`."""
    models = dict(document.get("x-lb-models", {}))
    for name, entry in models.items():
        chain = (name, *entry.get("baseChain", ()))
        if any(m in chain for m in ADMIN_MODELS) and not entry.get("acls"):
            models[name] = {**entry, "acls": [DENY_ALL]}
    return {**document, "x-lb-models": models}


def app_settings(app_dir: Path) -> dict[str, Any]:
    """config.json's `aclErrorStatus` (LB3's `app.get('aclErrorStatus')`)."""
    import json

    try:
        config = json.loads((app_dir / "config.json").read_text(encoding="utf-8"))
    except (OSError, UnicodeDecodeError, json.JSONDecodeError):
        return {}
    if not isinstance(config, dict) or "aclErrorStatus" not in config:
        return {}
    return {"aclErrorStatus": config["aclErrorStatus"]}


class Enforcement:
    """The app's authorization: its Authorizer (built on first need), whether auth is enabled, and
    the guards attached to its operations."""

    def __init__(self, app: LoopBackApp, roles: RoleRegistry) -> None:
        self.app = app
        self.roles = roles
        self.enabled = False
        self._authorizer: Authorizer | None = None
        self.acl_model = _model_based_on(app.models, "ACL")
        self.table_loaded = self.acl_model is None
        self._watching = False

    @property
    def authorizer(self) -> Authorizer:
        if self._authorizer is None:
            document = _document_for_acls(self.app.document)
            settings = app_settings(self.app.app_dir)
            self._authorizer = Authorizer(document, self.roles, app_settings=settings)
        return self._authorizer

    async def load_table(self) -> None:
        """Read the ACL table's rows and recompile every policy with them."""
        self.table_loaded = True
        if self.acl_model is None:
            return
        rows = await self.acl_model.find(ctx=Context.for_system())
        self.authorizer.reload_table(rows)
        self.attach(self.app.operations())

    async def _table_changed(self, _hctx: Any) -> None:
        if self.table_loaded:
            await self.load_table()

    def attach(self, operations: Iterable[Operation]) -> None:
        """Give each operation with a policy its guard (and take it from one that lost it)."""
        if not self.enabled:
            return
        if self.acl_model is not None and not self._watching:
            # LB3 queries the table per check; we recompile when it changes (in this process)
            self._watching = True
            for hook in ("after save", "after delete"):
                self.acl_model.hooks.add(hook, self._table_changed, builtin=True)
        authorizer = self.authorizer
        for op in operations:
            _, policy = authorizer.policy(op.model.name, op.name)
            op.guard = Guard(self, op.model.name, op.name) if policy is not None else None

    async def check(self, ctx: Context | None, model: str, method: str, model_id: Any) -> bool:
        """LB3's `Model.checkAccess`: may the caller of `ctx` call `method` about `model_id`? A
        system context (a Python caller, a boot script) may."""
        if ctx is None or ctx.system:
            return True
        if not self.table_loaded:
            await self.load_table()
        principal = await ctx.load_principal()
        decision = self.authorizer.check(model, method, principal, model_id=model_id, ctx=ctx)
        if inspect.isawaitable(decision):
            decision = await decision
        return decision.allowed

    def check_scopes(self, ctx: Context) -> None:
        """LB3 checks a token's scopes before any rule, on every method, ACLs or not: a token
        limited to other scopes (a reset-password token) is refused (401) on a method that does not
        accept them, even one no rule restricts (its remote methods and hooks would otherwise
        act for the user)."""
        op, principal = ctx.method, ctx.principal
        if not self.enabled or op is None or principal.scopes is None:
            return
        access, _ = self.authorizer.policy(op.model.name, op.name)
        if not any(scope in principal.scopes for scope in access.scopes):
            raise self.authorizer.error(op.model.name, principal, model_id=_path_id(ctx))

    async def row_access(self, ctx: Context, model: str, method: str) -> RowAccess:
        """For a call about no single row (find, count, updateAll, an include's target): which
        rows the caller may touch (`decide_rows`: all, none, or the owner's where). The seam for
        `$owner` on list reads and bulk writes (the read stage ANDs the where in)."""
        if not self.table_loaded:
            await self.load_table()
        principal = await ctx.load_principal()
        authorizer = self.authorizer
        _, policy = authorizer.policy(model, method)
        actx = authorizer.context(model, method, principal, ctx=ctx)
        return await decide_rows(policy, actx, self.roles)


def _path_id(ctx: Context) -> Any:
    request = ctx.request
    return request.scope.get("path_params", {}).get("id") if request is not None else None


class Guard:
    """One operation's ACL check, run before its arguments are bound."""

    __slots__ = ("auth", "method", "model")

    def __init__(self, auth: Enforcement, model: str, method: str) -> None:
        self.auth = auth
        self.model = model
        self.method = method

    async def __call__(self, ctx: Context) -> None:
        auth = self.auth
        if not auth.table_loaded:
            await auth.load_table()
        principal = await ctx.load_principal()
        model_id = _path_id(ctx)
        authorizer = auth.authorizer
        decision = authorizer.check(self.model, self.method, principal, model_id=model_id, ctx=ctx)
        if inspect.isawaitable(decision):
            decision = await decision
        if not decision.allowed:
            raise authorizer.error(self.model, principal, model_id=model_id)


def unprotected_warnings(app: LoopBackApp) -> list[str]:
    """What a start-up without enforcement should say: ACLs that are not checked, and built-in
    models served to anyone."""
    out = []
    with_acls = sorted(n for n, m in app.models.items() if m.meta.public and m.meta.acls)
    if with_acls:
        out.append(
            f"ACLs are not enforced (no boot script calls app.enable_auth()): {', '.join(with_acls)} "
            "answer every caller"
        )
    exposed = sorted(
        n
        for n, m in app.models.items()
        if m.meta.public and any(b in (n, *m.meta.base_chain) for b in BUILTIN_MODELS)
    )
    if exposed:
        out.append(
            f"{', '.join(exposed)} are public and auth is not enabled: anyone can read and write "
            "them over REST"
        )
    return out
