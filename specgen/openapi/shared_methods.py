"""LB3's `options.remoting.sharedMethods` (model-config.json, or the model's own options, over
config.json's app-wide `remoting.sharedMethods`: specgen/load/shared_methods.py): which methods a
model exposes over REST. A specific name wins; otherwise a `*`-glob that says false hides
(`{"*": false, "find": true}` exposes find alone; `{"*": false, "prototype.*": true}` exposes none). Names follow LB3, aliases included
(`destroyById` is `deleteById`, `upsert` is `patchOrCreate`). The runtime applies the same to the
methods declared from Python (runtime/operations/surface.py)."""

from __future__ import annotations

import re
from typing import Any

from ..ir import ModelSpec

ALIASES = {
    "destroyById": "deleteById",
    "removeById": "deleteById",
    "upsert": "patchOrCreate",
    "updateOrCreate": "patchOrCreate",
    "patchOrCreate": "patchOrCreate",
    "prototype.updateAttributes": "prototype.patchAttributes",
    "update": "updateAll",
}


def settings(model: ModelSpec) -> dict[str, bool]:
    return options_settings(model.options)


def options_settings(options: dict[str, Any]) -> dict[str, bool]:
    """The sharedMethods of a model's options (x-lb-models carries them for the runtime)."""
    remoting = options.get("remoting")
    shared = remoting.get("sharedMethods") if isinstance(remoting, dict) else None
    if not isinstance(shared, dict):
        return {}
    return {ALIASES.get(str(k), str(k)): v for k, v in shared.items() if isinstance(v, bool)}


def exposed(model: ModelSpec, method: str, config: dict[str, bool] | None = None) -> bool:
    """Whether the method (`find`, `prototype.__get__reviews`, `status`) is shared over REST."""
    return is_shared(method, settings(model) if config is None else config)


def is_shared(method: str, shared: dict[str, bool]) -> bool:
    """Whether the method is shared under these settings (`{}`: every method). As LB3 applies
    them: a setting for the method's own name decides; else any `*`-glob that matches it with
    `false` hides it (LB3 disables the method, and a later `true` glob does not undo that)."""
    if method in shared:
        return shared[method]
    return not any(
        value is False and _glob(glob).search(method)
        for glob, value in shared.items()
        if "*" in glob
    )


def _glob(pattern: str) -> re.Pattern[str]:
    """LB3 turns `*` into `(.)*` and tests the name unanchored."""
    return re.compile(re.escape(pattern).replace(r"\*", "(.)*"))


def hide(paths: dict[str, dict[str, Any]], model: ModelSpec) -> dict[str, dict[str, Any]]:
    """The model's paths without the operations its sharedMethods hide."""
    shared = settings(model)
    if not shared:
        return paths
    out: dict[str, dict[str, Any]] = {}
    for path, item in paths.items():
        kept = {
            v: op
            for v, op in item.items()
            if exposed(model, op["x-lb-operation"]["method"], shared)
        }
        if kept:
            out[path] = kept
    return out
