"""The rules a model module registers, read at compile time so the OpenAPI document states them.

Validators are Python calls in `setup(Model)`, run when the server starts, while specgen compiles
the document from the model JSON before any server exists. specgen's command line (the edge of the
compiler that may use the runtime) bridges the two here: it imports the model's module and calls its
`setup` with a `Recorder`, a stand-in model whose `validates_*` methods are the real ones (so the
rules are the same objects the server builds) and on which everything else `setup` does (assigning
remote methods, registering hooks) is accepted and ignored. Each recorded Rule's `describe()` then
travels in the document's `x-lb-models.<Model>.rules`, where specgen turns it into JSON Schema
keywords and the runtime builds the unique indexes of uniqueness rules with the tables.

What cannot be read this way is reported, never fatal: a `setup` that raises with the stand-in, or
an `async def setup` (its rules reach the server, not the document: register validators in a plain
`def setup`).
"""

from __future__ import annotations

import inspect
from collections.abc import Iterable, Iterator
from pathlib import Path
from types import SimpleNamespace
from typing import Any

from ..extensions import import_file
from .api import Validatable


class _Anything:
    """Whatever else `setup` reaches for (Model.app.models["X"], Model.observe(...)): callable,
    indexable, iterable as empty, awaitable as None."""

    def __getattr__(self, name: str) -> _Anything:
        return _Anything()

    def __call__(self, *args: Any, **kwargs: Any) -> _Anything:
        return _Anything()

    def __getitem__(self, key: Any) -> _Anything:
        return _Anything()

    def __iter__(self) -> Iterator[Any]:
        return iter(())

    def __await__(self) -> Iterator[Any]:
        return iter(())


class Recorder(Validatable):
    """A stand-in model that keeps the rules registered on it."""

    def __init__(self, name: str, properties: Iterable[str]) -> None:
        self.name = name
        self.meta = SimpleNamespace(properties=dict.fromkeys(properties))
        self.rules = ()

    def __getattr__(self, name: str) -> Any:  # only for what the instance does not have
        return _Anything()


def declared_rules(
    module: Path, name: str, properties: Iterable[str]
) -> tuple[list[dict[str, Any]], str | None]:
    """The rules `module`'s setup registers, as JSON, and what went wrong reading them (or None)."""
    recorder = Recorder(name, properties)
    problem = None
    try:
        setup = getattr(import_file(module), "setup", None)
        result = setup(recorder) if callable(setup) else None
        if inspect.iscoroutine(result):
            result.close()
            problem = (
                "setup is a coroutine function: validators it registers are enforced but not "
                "stated in the OpenAPI document (register them in a plain `def setup`)"
            )
    except Exception as exc:  # the user's code: report it, keep what was recorded
        problem = f"reading its validators failed ({type(exc).__name__}: {exc}); the document " \
            "states the ones registered before that"  # fmt: skip
    return [rule.describe() for rule in recorder.rules if rule.kind != "custom"], problem
