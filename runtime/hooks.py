"""Operation hooks: LB3's `Model.observe(name, fn)`, with LB3's ctx fields in snake_case.

    def setup(Order):
        async def total(ctx):                       # sync or async; raising aborts the operation
            if ctx.instance is not None:            # create, replace: the whole instance
                ctx.instance["total"] = ...
            else:                                   # patch, updateAll: the changed data + where
                ctx.data["total"] = ...
        Order.observe("before save", total)

Which fields each hook gets on each operation follows LB3 3.28 (recorded from the real server in
tests/runtime/test_hooks.py). Observers are kept per model and looked up by name; a model with none
has an empty table, which every read and write checks once (`model.hooks`), so it pays nothing else.
Every write with hooks runs in one transaction whose session is the Context's, so a hook that reads
or writes another model joins it, and a hook that raises rolls it back.
"""

from __future__ import annotations

import inspect
from collections.abc import Callable
from dataclasses import dataclass, field
from typing import TYPE_CHECKING, Any

from .context import Context

if TYPE_CHECKING:
    from .filter.ast import Filter
    from .model import Model

HOOK_NAMES = (
    "access",
    "before save",
    "after save",
    "before delete",
    "after delete",
    "loaded",
    "persist",
)
Observer = Callable[["HookContext"], Any]


class HookQuery(dict[str, Any]):
    """`ctx.query` of an `access` hook. `where` starts empty: what a hook puts there (LB3 where
    syntax) is ANDed with the caller's where, so an access hook narrows a read, never widens it
    (`ctx.query.where = {"ownerId": 1}` or `ctx.query["where"]["ownerId"] = 1`). The caller's
    filter, parsed, is `ctx.query.filter` (read it; changing it changes nothing)."""

    def __init__(self, flt: Filter) -> None:
        super().__init__(where={})
        self.filter = flt

    @property
    def where(self) -> Any:
        return self.get("where")

    @where.setter
    def where(self, value: Any) -> None:
        self["where"] = value


@dataclass(eq=False)
class HookContext:
    """What one hook call sees. Unset fields are None; `fields()` names the set ones (LB3's keys).

    `instance` is a whole instance (create, replace, after save); `data` + `where` a partial change
    (patch, updateAll, the upserts) or, for `loaded` and `persist`, the row; `current_instance` the
    stored instance a patch changes; `hook_state` is shared by every hook of one operation."""

    model: Model
    options: dict[str, Any]
    hook_state: dict[str, Any]
    context: Context
    query: HookQuery | None = None
    instance: dict[str, Any] | None = None
    data: dict[str, Any] | None = None
    where: dict[str, Any] | None = None
    is_new_instance: bool | None = None
    current_instance: dict[str, Any] | None = None
    info: dict[str, Any] | None = None
    id: Any = None  # persist: the id of the row written (None: a new row, or updateAll's rows)
    extra: dict[str, Any] = field(default_factory=dict)

    FIELDS = (
        "model",
        "options",
        "hook_state",
        "query",
        "instance",
        "data",
        "where",
        "is_new_instance",
        "current_instance",
        "info",
    )

    def fields(self) -> set[str]:
        """The names of the fields this call carries (LB3: the keys of its ctx)."""
        return {name for name in self.FIELDS if getattr(self, name) is not None}


class Observers:
    """One model's observers by hook name, registered at start-up (model modules, boot scripts).
    Built-in observers (a User's rules) run before the app's, on the same path."""

    def __init__(self) -> None:
        self._by_name: dict[str, list[Observer]] = {}
        self._builtin: dict[str, list[Observer]] = {}

    def __bool__(self) -> bool:
        return bool(self._by_name) or bool(self._builtin)

    def add(self, name: str, fn: Observer, *, builtin: bool = False) -> None:
        if name not in HOOK_NAMES:
            raise ValueError(f"unknown operation hook {name!r}; one of: {', '.join(HOOK_NAMES)}")
        if not callable(fn):
            raise TypeError(f"observer for {name!r} must be callable")
        (self._builtin if builtin else self._by_name).setdefault(name, []).append(fn)

    def has(self, name: str) -> bool:
        return name in self._by_name or name in self._builtin

    def observed(self) -> bool:
        """Whether the app observes the model (built-in observers aside)."""
        return bool(self._by_name)

    def remove(self, name: str, fn: Observer) -> None:
        found = self._by_name.get(name, [])
        if fn in found:
            found.remove(fn)
        if not found:
            self._by_name.pop(name, None)

    async def notify(self, name: str, hctx: HookContext) -> None:
        """Call each observer of `name` in registration order; the first that raises stops the
        operation (its transaction rolls back)."""
        for fns in (self._builtin.get(name, ()), self._by_name.get(name, ())):
            for fn in fns:
                result = fn(hctx)
                if inspect.isawaitable(result):
                    await result


class Operation:
    """One operation's hook calls: its context, options and the hook_state its hooks share."""

    __slots__ = ("ctx", "model", "state")

    def __init__(self, model: Model, ctx: Context) -> None:
        self.model = model
        self.ctx = ctx
        self.state: dict[str, Any] = {}

    def has(self, name: str) -> bool:
        return self.model.hooks.has(name)

    async def fire(self, name: str, **fields: Any) -> HookContext:
        await self.ctx.load_principal()  # LB3's hooks see `ctx.options.accessToken`
        hctx = HookContext(self.model, self.ctx.options, self.state, self.ctx, **fields)
        await self.model.hooks.notify(name, hctx)
        return hctx
