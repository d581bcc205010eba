"""The REST surface as the model modules left it: the compiled document's paths, less the methods
`disable_remote_method_by_name` hid, plus the remote methods declared from Python that the model's
sharedMethods (model-config and config.json, combined by the compiler) share. Computed once, after
every model's setup, before routes and the served document are built."""

from __future__ import annotations

from collections.abc import Mapping
from typing import TYPE_CHECKING, Any

from specgen.openapi.shared_methods import is_shared, options_settings

from .remote import document_paths

if TYPE_CHECKING:
    from ..model import Model

# LB3's other names of the built-in methods, as disableRemoteMethodByName accepts them
ALIASES = {
    "destroyById": "deleteById",
    "removeById": "deleteById",
    "upsert": "patchOrCreate",
    "updateOrCreate": "patchOrCreate",
    "prototype.updateAttributes": "prototype.patchAttributes",
    "update": "updateAll",
}


def surface(document: dict[str, Any], models: Mapping[str, Model]) -> dict[str, Any]:
    """The document to serve; the compiled one itself when no model changed its surface."""
    disabled = {
        name: {ALIASES.get(m, m) for m in model.disabled_methods}
        for name, model in models.items()
        if model.disabled_methods
    }
    added: dict[str, dict[str, Any]] = {}
    for name, model in models.items():
        raw = model.meta.raw
        base = "/" + str(raw.get("httpPath") or raw.get("plural") or name).strip("/")
        shared = options_settings(raw.get("options") or {})  # sharedMethods, as the compiler's
        for method in model.remote_methods.values():
            if not method.declared_in_document and is_shared(method.lb_name, shared):
                for path, item in document_paths(document, name, base, method).items():
                    added.setdefault(path, {}).update(item)
    if not disabled and not added:
        return document
    paths: dict[str, Any] = {}
    for path, item in [*document["paths"].items(), *added.items()]:
        kept = {
            verb: op
            for verb, op in item.items()
            if not isinstance(op, dict)
            or "x-lb-operation" not in op
            or op["x-lb-operation"]["method"] not in disabled.get(op["x-lb-operation"]["model"], ())
        }
        if any(isinstance(op, dict) and "x-lb-operation" in op for op in kept.values()):
            paths.setdefault(path, {}).update(kept)
    return {**document, "paths": paths}
