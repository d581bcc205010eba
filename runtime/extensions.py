"""Python code beside the model JSON: what LB3 writes in JavaScript.

- `models/<name>.py` beside `models/<name>.json`: its `setup(Model)` is called once at start-up, as LB3
  calls `module.exports = function(Model) {...}`.
- `<mixins dir>/<name>.py` named in a model's `mixins`: its `setup(Model, options)` is called before
  the model's own module, as juggler applies mixins when it defines the model (runtime/mixins/).
- `boot/*.py`: each `setup(app)` runs in file-name order after every model is set up, as LB3 runs
  `server/boot/*.js`. A coroutine function is awaited when the server starts.
"""

from __future__ import annotations

import hashlib
import importlib.util
import inspect
from collections.abc import Awaitable, Callable
from pathlib import Path
from types import ModuleType
from typing import Any


def import_file(path: Path) -> ModuleType:
    """Import a file under a private module name (several apps may have models/review.py)."""
    digest = hashlib.sha1(str(path.resolve()).encode()).hexdigest()[:10]
    name = f"lbapp_ext_{path.stem.replace('-', '_')}_{digest}"
    spec = importlib.util.spec_from_file_location(name, path)
    if spec is None or spec.loader is None:
        raise ImportError(f"cannot import {path}")
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def run_setup(path: Path, target: Any, *args: Any) -> Awaitable[Any] | None:
    """Call `setup(target, *args)` of the file; return the awaitable if it is a coroutine function."""
    setup: Callable[..., Any] | None = getattr(import_file(path), "setup", None)
    if setup is None:
        raise AttributeError(f"{path} defines no setup() function")
    result = setup(target, *args)
    return result if inspect.isawaitable(result) else None
