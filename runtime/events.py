"""A model's events: LB3's `Model.on(name, fn)` / `Model.emit(name, info)` (Node's EventEmitter on
the model class), for the events LB3's own methods emit, such as User's `resetPasswordRequest`:

    def setup(Member):
        async def send_reset(info):       # sync or async
            await Member.app.registry.get_model("Email").send({
                "to": info["email"], "from": "noreply@example.com", "subject": "Password reset",
                "text": f"token: {info['accessToken']['id']}"})
        Member.on("resetPasswordRequest", send_reset)

A model nobody listens to has an empty table: emitting costs one dictionary lookup.

`emit` calls the listeners in registration order and awaits the async ones. `emit_after` runs them
in a task of their own, as LB3 emits after it has answered the caller (`cb(); Model.emit(...)`):
what a listener does (an SMTP round trip) neither delays the response nor shows in its timing, and
a listener that fails is logged, as an error thrown in an LB3 listener never reaches the client.
"""

from __future__ import annotations

import asyncio
import inspect
import logging
from collections.abc import Callable, Coroutine
from typing import Any

log = logging.getLogger("runtime.events")

Listener = Callable[..., Any]


class Events:
    """One model's listeners by event name."""

    def __init__(self, owner: str = "") -> None:
        self.owner = owner
        self._by_name: dict[str, list[Listener]] = {}
        self._pending: set[asyncio.Task[None]] = set()

    def on(self, name: str, fn: Listener) -> None:
        if not callable(fn):
            raise TypeError(f"the listener of {name!r} must be callable")
        self._by_name.setdefault(name, []).append(fn)

    def remove_listener(self, name: str, fn: Listener) -> None:
        found = self._by_name.get(name, [])
        if fn in found:
            found.remove(fn)

    def listeners(self, name: str) -> list[Listener]:
        return list(self._by_name.get(name, ()))

    async def emit(self, name: str, *args: Any) -> bool:
        """Call every listener of NAME with ARGS; the first that raises stops the others and the
        error reaches the caller. True when there was a listener (Node's answer)."""
        fns = self._by_name.get(name)
        if not fns:
            return False
        for fn in list(fns):
            result = fn(*args)
            if inspect.isawaitable(result):
                await result
        return True

    def emit_after(self, name: str, *args: Any) -> bool:
        """Emit in a task of its own once the caller yields (after its answer is on its way);
        a listener's error is logged. True when there was a listener."""
        if not self._by_name.get(name):
            return False
        self.spawn(self.emit(name, *args), f"a {name!r} listener")
        return True

    def spawn(self, work: Coroutine[Any, Any, Any], what: str = "work after the answer") -> None:
        """Run WORK in a task of its own (the model's, awaited by `settle`); its error is logged."""
        task = asyncio.get_running_loop().create_task(self._logged(work, what))
        self._pending.add(task)  # a task nobody references may be collected before it ends
        task.add_done_callback(self._pending.discard)

    async def settle(self) -> None:
        """Wait for the listeners `emit_after` started (shutdown, tests)."""
        while self._pending:
            await asyncio.gather(*list(self._pending), return_exceptions=True)

    async def _logged(self, work: Coroutine[Any, Any, Any], what: str) -> None:
        try:
            await work
        except Exception:
            log.exception("%s of %s failed", what, self.owner or "a model")
