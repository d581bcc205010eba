"""LB3's `options.remoting.sharedMethods` (model-config.json, or the model's own options): which
methods a model exposes over REST. A specific name wins; otherwise `*`-globs apply in order
(`{"*": false, "find": true}` exposes find alone). Names follow LB3, aliases included
(`destroyById` is `deleteById`, `upsert` is `patchOrCreate`)."""

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
    remoting = model.options.get("remoting")
    shared = remoting.get("sharedMethods") if isinstance(remoting, dict) else None
    if not isinstance(shared, dict):
        return {}
    return {ALIASES.get(str(k), str(k)): v for k, v in shared.items() if isinstance(v, bool)}


def exposed(model: ModelSpec, method: str, config: dict[str, bool] | None = None) -> bool:
    """Whether the method (`find`, `prototype.__get__reviews`, `status`) is shared over REST."""
    shared = settings(model) if config is None else config
    if not shared:
        return True
    if method in shared:
        return shared[method]
    result = True
    for glob, value in shared.items():
        if "*" in glob and _glob(glob).search(method):
            result = value
    return result


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
