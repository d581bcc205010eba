"""Schemas of models that have no paths of their own but appear in other models' endpoints: embedded
models (an Author's `_address`, a Patron's notes) and through models (a link's join row, `TagBook`).

Each gets its instance schema `{T}`, its create body `New{T}` and its partial body `{T}Patch`; an
embedded model also gets its filter schemas, for its embedsMany list and count.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import replace
from typing import Any

from ..ir import ModelSpec
from .filter_schemas import filter_schemas, simple_schemas
from .relation_endpoints import Surface, served_relations
from .schemas import model_schemas

KEPT = ("{T}", "New{T}", "{T}Patch")


def related_models(surface: Surface) -> tuple[list[ModelSpec], list[ModelSpec]]:
    """(embedded models, through models) the served models' schemas and endpoints refer to, in app
    order, served models left out (they have every schema already)."""
    embedded: set[str] = set()
    through: set[str] = set()
    pending = list(surface.served.values())
    seen: set[str] = set(surface.served)
    while pending:
        model = pending.pop()
        refs = {p.model for p in model.properties if p.model}
        links = set()
        if model.name in surface.served:
            for related in served_relations(model, surface):
                if related.relation.type in ("embedsOne", "embedsMany") and related.target:
                    refs.add(related.target.name)
                if related.through is not None:
                    links.add(related.through.name)
        embedded |= {r for r in refs if r in surface.models}
        through |= links
        for name in sorted((refs | links) - seen):
            if name in surface.models:
                seen.add(name)
                pending.append(surface.models[name])
    in_order = [m for m in surface.models.values() if m.name not in surface.served]
    return (
        [m for m in in_order if m.name in embedded],
        [m for m in in_order if m.name in through and m.name not in embedded],
    )


def related_schemas(surface: Surface, filtered: Mapping[str, ModelSpec]) -> dict[str, Any]:
    """An embedded item may bring its own id (LB3 keeps a client id, or replaces it under the relation's
    `forceId`), so an embedded model's create body accepts one whatever the model's forceId.
    `filtered`: every model with filter schemas (the targets an embedded model's filter may reach)."""
    embedded, through = related_models(surface)
    out: dict[str, Any] = {}
    for model in embedded:
        out.update(_kept(model_schemas(replace(model, force_id=False)), model.name))
        out.update(filter_schemas(model, filtered))
        out.update(simple_schemas(model, filtered))
    for model in through:
        out.update(_kept(model_schemas(model), model.name))
    return out


def _kept(schemas: dict[str, Any], name: str) -> dict[str, Any]:
    return {key: schemas[key] for key in (k.format(T=name) for k in KEPT)}
