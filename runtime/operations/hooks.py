"""Remote hooks (LB3's `beforeRemote`, `afterRemote`, `afterRemoteError`) of one model, and LB3's
method-name patterns: `create`, `prototype.patchAttributes`, `*` (every static method), `prototype.*`
(every instance method), `**` (every method), `prototype.__get__*`.

Each model keeps its hooks in registration order; registering one re-matches the model's operations
once, so a request only iterates the tuples its operation already holds.
"""

from __future__ import annotations

import inspect
import re
from collections.abc import Callable
from functools import lru_cache
from typing import TYPE_CHECKING, Any

if TYPE_CHECKING:
    from ..context import Context
    from .operation import Operation

Hook = Callable[["Context"], Any]
KINDS = ("before", "after", "error")


@lru_cache(maxsize=512)
def _regex(pattern: str) -> re.Pattern[str]:
    """strong-remoting's rule: `**` matches anything, `*` anything but a dot."""
    parts = [".*" if p == "**" else "[^.]*" if p == "*" else re.escape(p)
             for p in re.split(r"(\*\*|\*)", pattern)]  # fmt: skip
    return re.compile("^" + "".join(parts) + "$")


def matches(pattern: str, method: str) -> bool:
    """Whether an LB3 hook pattern names the method (`prototype.cancel`, `find`, ...)."""
    return _regex(pattern).match(method) is not None


class RemoteHooks:
    """The remote hooks of one model, and the operations they are matched to."""

    def __init__(self) -> None:
        self._hooks: list[tuple[str, str, Hook]] = []  # (kind, pattern, fn), in registration order
        self.operations: list[Operation] = []

    def add(self, kind: str, pattern: str, fn: Hook) -> None:
        if kind not in KINDS:
            raise ValueError(f"unknown remote hook kind {kind!r}")
        if not callable(fn):
            raise TypeError(f"a remote hook must be callable, not {type(fn).__name__}")
        self._hooks.append((kind, pattern, fn))
        for op in self.operations:
            self.match(op)

    def attach(self, op: Operation) -> None:
        self.operations.append(op)
        self.match(op)

    def match(self, op: Operation) -> None:
        """Give the operation the hooks whose pattern names its method, once."""
        found: dict[str, list[Hook]] = {kind: [] for kind in KINDS}
        for kind, pattern, fn in self._hooks:
            if matches(pattern, op.name):
                found[kind].append(fn)
        op.before, op.after, op.on_error = (tuple(found[k]) for k in KINDS)


async def run(hooks: tuple[Hook, ...], ctx: Context) -> None:
    """Each hook in order, sync or async; the first that raises stops the call with its error."""
    for fn in hooks:
        result = fn(ctx)
        if inspect.isawaitable(result):
            await result
