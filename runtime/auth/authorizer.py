"""The authorization step as the operation layer will call it: built once at start-up from the document.

`Authorizer` compiles a `MethodPolicy` for every operation the document serves (its `x-lb-operation`
model and method) when it is built, and for any other method (a User method, a Python caller's
`check_access`) the first time it is asked, then keeps it; a method no rule can touch gets no policy and
is allowed without building a context. `check` answers a `Decision` (an awaitable one only when a role
resolver or role source is async); `error` is LB3's denial for it.
"""

from __future__ import annotations

from collections.abc import Awaitable, Iterable, Mapping
from typing import TYPE_CHECKING, Any

from .access_types import MethodAccess, method_access
from .acl import Decision, MethodPolicy, compile_policy, decide
from .denial import AccessError, denial
from .owner import is_user_model, multiple_users
from .roles import RoleRegistry
from .subject import AccessContext, principals_of

if TYPE_CHECKING:
    from ..context import Context, Principal

ALLOWED = Decision("ALLOW")


class Authorizer:
    """The app's ACLs, its ACL table rows and its roles; `models` is the document's `x-lb-models`,
    `app_settings` the app's settings (`aclErrorStatus`)."""

    def __init__(
        self,
        document: Mapping[str, Any],
        roles: RoleRegistry,
        *,
        acl_table: Iterable[Mapping[str, Any]] = (),
        app_settings: Mapping[str, Any] | None = None,
    ) -> None:
        self.models: Mapping[str, Mapping[str, Any]] = document.get("x-lb-models", {})
        self.roles = roles
        self.app_settings = dict(app_settings or {})
        self.user_models = frozenset(m for m in self.models if is_user_model(m, self.models))
        self.multiple_users = any(multiple_users(self.models.get(m)) for m in self.user_models)
        self._operations = [
            (op["model"], op["method"])
            for item in document.get("paths", {}).values()
            for op in (o.get("x-lb-operation") for o in item.values() if isinstance(o, dict))
            if isinstance(op, dict) and op.get("model") in self.models
        ]
        self.reload_table(acl_table)

    def reload_table(self, rows: Iterable[Mapping[str, Any]]) -> None:
        """Take the ACL table's rows (again) and recompile every policy with them."""
        self.table = tuple(dict(r) for r in rows)
        self._policies: dict[tuple[str, str], tuple[MethodAccess, MethodPolicy | None]] = {}
        self._version = self.roles.version
        for model, method in self._operations:
            self.policy(model, method)

    def policy(self, model: str, method: str) -> tuple[MethodAccess, MethodPolicy | None]:
        if self._version != self.roles.version:  # a resolver registered since: compile again
            self.reload_table(self.table)
        key = (model, method)
        found = self._policies.get(key)
        if found is None:
            entry = self.models[model]
            access = method_access(model, entry, method)
            policy = compile_policy(model, entry, access, table=self.table, roles=self.roles)
            found = self._policies[key] = (access, policy)
        return found

    def context(
        self,
        model: str,
        method: str,
        principal: Principal | None,
        *,
        model_id: Any = None,
        ctx: Context | None = None,
    ) -> AccessContext:
        access, _ = self.policy(model, method)
        user_id = principal.user_id if principal else None
        token = getattr(principal, "access_token", None) if principal else None
        return AccessContext(
            model=model,
            method=access.name,
            access_type=access.access_type,
            method_names=access.method_names,
            model_id=model_id,
            principals=principals_of(
                user_id,
                # LB3's token.principalType: the user model's name when the app has several
                principal_type=principal.user_model if principal and self.multiple_users else None,
                app_id=getattr(principal, "app_id", None),
                roles=principal.roles if principal else (),
            ),
            user_models=self.user_models,
            scopes=_scopes(token),
            has_token=token is not None,
            ctx=ctx,
        )

    def check(
        self,
        model: str,
        method: str,
        principal: Principal | None,
        *,
        model_id: Any = None,
        ctx: Context | None = None,
    ) -> Decision | Awaitable[Decision]:
        """The decision for `principal` calling `method` (x-lb-operation's name) on `model`, about
        the row `model_id` (the path's id: the only id that counts)."""
        _, policy = self.policy(model, method)
        if policy is None:
            return ALLOWED
        actx = self.context(model, method, principal, model_id=model_id, ctx=ctx)
        return decide(policy, actx, self.roles)

    def error(
        self, model: str, principal: Principal | None, *, model_id: Any = None
    ) -> AccessError:
        has_token = principal is not None and principal.access_token is not None
        return denial(
            model, self.models[model], self.app_settings, has_token=has_token, model_id=model_id
        )


def _scopes(token: Any) -> tuple[str, ...] | None:
    if token is None:
        return None
    scopes = token.get("scopes") if isinstance(token, dict) else getattr(token, "scopes", None)
    return tuple(scopes) if isinstance(scopes, (list, tuple)) else None
