"""config.json's app-wide `remoting.sharedMethods`, combined with each model's own as LB3's
configureSharedMethods does: the app's settings first, the model's (model-config.json
`options.remoting.sharedMethods`) over them key by key. The result is the model's
`options.remoting.sharedMethods`, which the document and the runtime apply
(specgen/openapi/shared_methods.py). Models no model-config entry configures (HABTM join models)
are left alone, as LB3 leaves them."""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from ..errors import pointer
from ..ir import ModelSpec
from .problems import Collector


def app_shared_methods(
    models: dict[str, ModelSpec], config: Any, file: str, errors: Collector
) -> dict[str, ModelSpec]:
    remoting = config.get("remoting") if isinstance(config, dict) else None
    shared = remoting.get("sharedMethods") if isinstance(remoting, dict) else None
    if shared is None:
        return models
    if not isinstance(shared, dict):
        errors.error(file, "/remoting/sharedMethods", "must be an object of method names")
        return models
    for name, value in shared.items():
        if not isinstance(value, bool):  # LB3 throws "Expected boolean" at start-up
            errors.error(file, pointer("remoting", "sharedMethods", name), "must be true or false")
    out = {}
    for name, model in models.items():
        own_remoting = model.options.get("remoting")
        own_remoting = own_remoting if isinstance(own_remoting, dict) else {}
        own = own_remoting.get("sharedMethods")
        merged = {**shared, **(own if isinstance(own, dict) else {})}
        remoting_options = {**own_remoting, "sharedMethods": merged}
        out[name] = replace(model, options={**model.options, "remoting": remoting_options})
    return out
