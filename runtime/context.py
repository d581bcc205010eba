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


@dataclass(slots=True)
class Principal:
    """Who is calling. Empty (anonymous) until users and access tokens exist."""

    user_id: Any = None
    user_model: str | None = None
    access_token: Any = None
    roles: frozenset[str] = frozenset()

    @property
    def authenticated(self) -> bool:
        return self.user_id is not None


@dataclass(slots=True)
class Context:
    """LB3's `options` plus what the runtime knows about the call.

    `request` is None for Python callers; `system` marks a context no access rule restricts (boot
    scripts, Python callers that did not pass one); `options` is LB3's free-form options object that
    hooks see as `ctx.options`; `session` is the transaction's session while one is open, so a hook
    that calls another model joins the same transaction.
    """

    request: LbRequest | None = None
    principal: Principal = field(default_factory=Principal)
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
    def req(self) -> LbRequest | None:
        """LB3's `ctx.req`: the HTTP request (None for Python callers)."""
        return self.request

    @classmethod
    def for_system(cls, **options: Any) -> Context:
        return cls(system=True, options=dict(options))


def context_or_system(ctx: Context | None) -> Context:
    """The caller's context, or a system context for Python callers that passed none."""
    return ctx if ctx is not None else Context.for_system()
