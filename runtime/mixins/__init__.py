"""Mixins, applied to each model at start-up before its own module (as juggler applies a model's
`mixins` when it defines it): the app's Python files the document lists in `mixinModules`, else
built-in ones (timestamp.py: LB3's common TimeStamp). A mixin found nowhere is a start-up warning
naming it, and `specgen check` reports it too."""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from pathlib import Path
from typing import TYPE_CHECKING, Any

from ..extensions import run_setup
from . import timestamp

if TYPE_CHECKING:
    from ..model import Model

logger = logging.getLogger("runtime")

BUILTIN: dict[str, Callable[[Any, dict[str, Any]], None]] = {"TimeStamp": timestamp.setup}


def apply_mixins(model: Model, app_dir: Path) -> list[Awaitable[Any]]:
    """Run the model's mixins in the order the model JSON lists them; return what must be awaited
    at start-up (a mixin's `async def setup`)."""
    raw = model.meta.raw
    modules: dict[str, str] = raw.get("mixinModules", {})
    later: list[Awaitable[Any]] = []
    for name, options in raw.get("mixins", {}).items():
        if options is True:
            options = {}
        if not isinstance(options, dict):  # `false`: juggler leaves the mixin out
            continue
        if name in modules:
            awaitable = run_setup(app_dir / modules[name], model, dict(options))
            if awaitable is not None:
                later.append(awaitable)
        elif name in BUILTIN:
            BUILTIN[name](model, dict(options))
        else:
            logger.warning('model %s: unknown mixin "%s": it is ignored', model.meta.name, name)
    return later
