"""The context of one call: who asks, through which request, with which options.

Created once per request at the HTTP boundary (or as a system context for Python callers and boot
scripts) and passed explicitly, keyword `ctx`, through the operation layer, the model methods,
relations and include loading. Hooks and, later, access checks read it; nothing here is global, so the
context of one request never leaks into another.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from .db import Session
    from .http import LbRequest


@dataclass(frozen=True, slots=True)
class Principal:
    """Who is calling, from the request's access token (runtime/auth/principal.py).

    `access_token` is the token row as LB3's `ctx.accessToken` (its `id` the raw id the client sent,
    `userId`, `ttl`, `created`, `scopes`, `principalType`), `user_id` its user, `user_model` the user's
    model (LB3's principalType), `app_id` the token's `appId` (an APP principal), `roles` ROLE
    principals the caller holds directly (a Python caller may grant some). Anonymous: all empty."""

    user_id: Any = None
    user_model: str | None = None
    access_token: Any = None
    roles: frozenset[str] = frozenset()
    app_id: Any = None

    @property
    def authenticated(self) -> bool:
        return self.user_id is not None

    @property
    def scopes(self) -> list[str] | None:
        """The token's scopes (None: LB3's DEFAULT scope)."""
        token = self.access_token
        scopes = token.get("scopes") if isinstance(token, dict) else None
        return list(scopes) if isinstance(scopes, list) else None


ANONYMOUS = Principal()
# a Context's principal before anyone asked: anonymous, and not yet read from the request
UNRESOLVED = Principal()


@dataclass(slots=True)
class Context:
    """LB3's `options` plus what the runtime knows about the call.

    `request` is None for Python callers; `system` marks a context no access rule restricts (boot
    scripts, Python callers that did not pass one); `options` is LB3's free-form options object that
    hooks see as `ctx.options`; `session` is the transaction's session while one is open, so a hook
    that calls another model joins the same transaction.
    """

    request: LbRequest | None = None
    principal: Principal = UNRESOLVED  # read from the request on first need: `load_principal`
    options: dict[str, Any] = field(default_factory=dict)
    session: Session | None = None
    system: bool = False
    # the remote call (LB3's remoting ctx), set by the operation layer (runtime/operations):
    args: dict[str, Any] = field(
        default_factory=dict
    )  # bound, converted arguments; hooks edit them
    result: Any = (
        None  # after the method: what the response will carry (an after hook may replace it)
    )
    method: Any = (
        None  # the Operation: .name ("prototype.cancel"), .string_name, .is_static, .model
    )
    instance: Any = None  # a prototype method's instance (a dict), loaded before the hooks run
    error: BaseException | None = None  # what after_remote_error hooks see

    @property
    def access_token(self) -> Any:
        """LB3's `ctx.accessToken` / `options.accessToken`: the caller's token row (raw `id`), or
        None. Filled before ACL checks, remote hooks, remote methods and operation hooks run; other
        code awaits `load_principal()` first."""
        return self.principal.access_token

    @property
    def user_id(self) -> Any:
        """The calling user's id (None: anonymous)."""
        return self.principal.user_id

    async def load_principal(self) -> Principal:
        """The caller, read from the request's access token once (and only when something asks, so
        a request to a model without ACLs or hooks does no token lookup)."""
        if self.principal is UNRESOLVED:
            request = self.request
            app = request.model.app if request is not None else None
            self.principal = ANONYMOUS  # an expired token's 401 leaves no half-read caller
            if app is not None and app.principals is not None:
                self.principal = await app.principals.resolve(request)
                if self.principal.access_token is not None:  # LB3's `ctx.options.accessToken`
                    self.options.setdefault("accessToken", self.principal.access_token)
                    if self.principal.scopes is not None:  # a scoped token, on any method
                        app.auth.check_scopes(self)
        return self.principal

    @property
    def req(self) -> LbRequest | None:
        """LB3's `ctx.req`: the HTTP request (None for Python callers)."""
        return self.request

    @classmethod
    def for_system(cls, **options: Any) -> Context:
        return cls(system=True, options=dict(options))


def context_or_system(ctx: Context | None) -> Context:
    """The caller's context, or a system context for Python callers that passed none."""
    return ctx if ctx is not None else Context.for_system()
