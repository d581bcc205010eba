"""A model's relations, every LB3 kind, one parent instance at a time.

    await CoffeeShop.related(1, "reviews").find({"where": {"rating": 5}})   # hasMany (keyed.py)
    await Review.related(7, "coffeeShop").get()                              # belongsTo
    await Book.related(1, "tags").link(3)                                    # through/HABTM (through.py)
    await Book.related(1, "relatedTags").find()                              # referencesMany (references.py)
    await Patron.related(1, "noteList").create({"text": "hi"})               # embedsMany (embedded.py)
    await CoffeeShop.at(1).reviews.count()                                   # the same, by attribute

A relation is resolved once per model (models, keys, parsed scope); `bind` gives the kind's class for
one parent.
"""

from __future__ import annotations

import re
from typing import TYPE_CHECKING, Any

from ..context import Context
from ..filter.ast import Filter
from .base import EMBEDDED, KEYED, THROUGH, Bound, Relation, RelationError
from .embedded import EmbeddedMany, EmbeddedOne, ItemRules
from .keyed import Keyed
from .references import References
from .through import Through

if TYPE_CHECKING:
    from ..model import Model

__all__ = ["Bound", "Handle", "Relation", "RelationError", "bind", "resolve"]


def resolve(parent: Model, name: str, models: dict[str, Model]) -> Relation:
    meta = parent.meta.relations.get(name)
    if meta is None:
        raise RelationError(f"{parent.name} has no relation {name!r}")

    def model(model_name: Any, role: str) -> Model:
        found = models.get(str(model_name or ""))
        if found is None:
            raise RelationError(f"{parent.name}.{name}: {role} {model_name!r} is not in this app")
        return found

    scope_raw = meta.scope
    if meta.type in EMBEDDED:
        registry = parent.app.registry if parent.app is not None else None
        target_meta = registry.models.get(meta.model or "") if registry is not None else None
        if target_meta is None:
            raise RelationError(f"{parent.name}.{name}: model {meta.model!r} is not in this app")
        items = ItemRules.of(target_meta)
        return Relation(parent, meta, None, Filter(), target_meta=target_meta, items=items)
    if meta.type == "belongsTo" and meta.discriminator:
        by_name = {m.name.lower(): m for m in models.values() if m.meta.id_property}
        return Relation(parent, meta, None, Filter(), models=by_name)
    target = model(meta.model, "model")
    scope = target.parse_filter(scope_raw) if isinstance(scope_raw, dict) else Filter()
    through = model(meta.through, "through model") if meta.type in THROUGH else None
    if meta.type not in (*KEYED, *THROUGH, "referencesMany") or not meta.foreign_key:
        raise RelationError(f"{parent.name}.{name}: {meta.type} relations cannot be served")
    return Relation(parent, meta, target, scope, target_meta=target.meta, through=through)


def bind(relation: Relation, parent_id: Any, ctx: Context | None = None) -> Any:
    """The kind's class for one parent: Keyed, Through, References, EmbeddedOne or EmbeddedMany."""
    kind = relation.type
    if kind in THROUGH:
        return Through(relation, parent_id, ctx)
    if kind == "referencesMany":
        return References(relation, parent_id, ctx)
    if kind in EMBEDDED:
        return (EmbeddedOne if kind == "embedsOne" else EmbeddedMany)(relation, parent_id, ctx)
    return Keyed(relation, parent_id, ctx)


class Handle:
    """One instance with its relations as snake_case attributes: `CoffeeShop.at(1).reviews`."""

    def __init__(self, model: Model, id: Any, ctx: Context | None = None) -> None:
        self._model = model
        self._id = id
        self._ctx = ctx
        self._names = {_snake(r): r for r in model.meta.relations}

    def __getattr__(self, attr: str) -> Any:
        name = self._names.get(attr, attr)
        if name not in self._model.meta.relations:
            raise AttributeError(f"{self._model.name} has no relation {attr!r}")
        return self._model.related(self._id, name, ctx=self._ctx)

    def __repr__(self) -> str:
        return f"<{self._model.name} {self._id!r}>"


def _snake(name: str) -> str:
    """`coffeeShop` -> `coffee_shop`: the Python spelling of a relation name."""
    return re.sub(r"(?<=[a-z0-9])([A-Z])", r"_\1", name).lower()
