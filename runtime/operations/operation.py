"""One REST endpoint's operation: its LB3 method, argument binder, call step and matched hooks."""

from __future__ import annotations

from collections.abc import Awaitable, Callable
from typing import TYPE_CHECKING, Any

from ..context import Context
from ..errors import ModelNotFound
from ..http import NO_CONTENT, LbRequest
from .hooks import Hook, run

if TYPE_CHECKING:
    from ..model import Model

Binder = Callable[[LbRequest], Awaitable[dict[str, Any]]]
Call = Callable[[Context], Awaitable[Any]]


class Operation:
    """What LB3 calls a SharedMethod bound to one route: `name` is the method's LB3 name as hook
    patterns see it (`find`, `prototype.patchAttributes`, `prototype.__get__reviews`, `status`),
    `string_name` the full one (`CoffeeShop.prototype.cancel`)."""

    __slots__ = (
        "__name__",
        "after",
        "before",
        "bind",
        "call",
        "guard",
        "is_static",
        "model",
        "name",
        "nested",
        "on_error",
        "relation",
        "remote",
        "route_index",
        "status",
        "string_name",
    )  # fmt: skip

    def __init__(
        self,
        model: Model,
        name: str,
        bind: Binder,
        call: Call,
        *,
        relation: str | None = None,
        nested: str | None = None,
        status: int = 200,
        remote: Any = None,
        route_index: int = 0,
    ) -> None:
        self.model = model
        self.name = name
        self.is_static = not name.startswith("prototype.")
        self.string_name = f"{model.name}.{name}"
        self.bind = bind
        self.call = call
        self.relation = relation
        self.nested = nested
        self.status = status  # the success status (a remote method's `http.status`)
        self.remote = remote  # a remote method's declaration (runtime/operations/remote.py)
        self.route_index = route_index  # which of its `http` routes this is
        self.before: tuple[Hook, ...] = ()
        self.after: tuple[Hook, ...] = ()
        self.on_error: tuple[Hook, ...] = ()
        # the ACL check (runtime/auth/enforce.py), set at start-up when auth is enabled and the
        # ACLs can refuse this operation; None: nothing to check
        self.guard: Callable[[Context], Awaitable[None]] | None = None
        self.__name__ = self.string_name

    def __repr__(self) -> str:
        return f"<Operation {self.string_name}>"

    async def __call__(self, request: LbRequest) -> Any:
        """Bind, hooks, call: the request's Context is made here and passed down explicitly."""
        if self.guard is None:
            ctx = Context(request=request, method=self, args=await self.bind(request))
        else:  # authorized before the arguments are read, as in LB3
            ctx = Context(request=request, method=self)
            await self.guard(ctx)
            ctx.args = await self.bind(request)
        if not (self.before or self.after or self.on_error):  # the hot path: no hooks, no extras
            return await self.call(ctx)
        try:
            await ctx.load_principal()  # hooks may ask who calls (ctx.access_token, ctx.user_id)
            if not self.is_static and "id" in ctx.args and (self.before or self.after):
                await self.load_instance(ctx)
            if self.before:
                await run(self.before, ctx)
            result = await self.call(ctx)
            empty = result is NO_CONTENT  # hooks see None, as LB3's see undefined
            ctx.result = None if empty else result
            if self.after:
                await run(self.after, ctx)
        except Exception as exc:
            if not self.on_error:
                raise
            ctx.error = exc
            await run(self.on_error, ctx)
            raise
        return NO_CONTENT if empty and ctx.result is None else ctx.result

    async def load_instance(self, ctx: Context) -> None:
        """LB3's sharedCtor: a prototype method's hooks see the instance (404 when there is none)."""
        instance = await self.model.find_by_id(ctx.args["id"], ctx=ctx)
        if instance is None:
            raise ModelNotFound(f"could not find a model with id {ctx.args['id']}")
        ctx.instance = instance
