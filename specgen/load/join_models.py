"""The join models of hasAndBelongsToMany relations, named and defined as juggler does at attach time.

An HABTM without `through` gets a private join model: an `AB` or `BA` model already defined when the
relation is set up (compared case-insensitively), otherwise a new one named after the model whose relation LB3 sets up
first. LB3 defers a relation until its target is attached, and sets up the attaching model's own
relations before the deferred ones; so when Book (registered first) and Tag both declare HABTM of each
other, Tag.books runs first and the join model is `TagBook`, which Book.tags then reuses. Every HABTM
also gives its through model a belongsTo to each side (LB3's `through.belongsTo(...)`), when the through
model does not declare one of that name: those relations define the join keys.
"""

from __future__ import annotations

from dataclasses import replace

from .. import naming
from ..errors import pointer
from ..ir import ModelSpec, PropertySpec, RelationSpec
from .discovery import RawModel
from .problems import Collector
from .properties import IMPLICIT_ID
from .relation_keys import polymorphic_keys

HABTM = "hasAndBelongsToMany"


def add_join_models(
    models: dict[str, ModelSpec],
    order: list[str],
    raw: dict[str, RawModel],
    errors: Collector,
) -> tuple[dict[str, ModelSpec], dict[str, RawModel]]:
    """Give every HABTM its through model; returns the models (join models added) and the raw models
    (a synthesised join model gets an empty one, so later stages treat it as any other)."""
    models, raw = dict(models), dict(raw)
    position = {name: i for i, name in enumerate(order)}
    joins: set[str] = set()  # join models already set up: defined from then on
    for at, owner, rel in _setup_order(models, order):
        if rel.through is None and rel.polymorphic:
            errors.error(
                models[owner].source,
                pointer("relations", rel.name, "through"),
                "a polymorphic hasAndBelongsToMany needs a through model",
            )
            continue
        # loopback-boot defines and attaches one model at a time: later ones do not exist yet
        defined = [n for n in models if position.get(n, -1) <= at or n in joins]
        through = rel.through or _existing(defined, owner, str(rel.model))
        if through is None:  # a model of that name registered later is used rather than replaced
            name = owner + str(rel.model)
            through = _existing(list(models), name, "") or name
            if through not in models:
                models[through] = _join_model(through, models[owner])
                raw[through] = RawModel(through, models[owner].source, {}, python_module=None)
            joins.add(through)
        if through not in models:
            continue  # an explicit through model that is not attached: reported by relation_keys
        models[through] = _with_side_relations(models[through], owner, rel)
        models[owner] = _set_through(models[owner], rel, through)
    return models, raw


def _setup_order(
    models: dict[str, ModelSpec], order: list[str]
) -> list[tuple[int, str, RelationSpec]]:
    """HABTM relations in the order LB3 sets them up: when the later of owner and target is attached,
    the attaching model's own relations first, then the relations that waited for it."""
    position = {name: i for i, name in enumerate(order) if name in models}
    found = []
    for owner in position:
        for index, rel in enumerate(models[owner].relations):
            if rel.type != HABTM or rel.model not in position:
                continue
            waited = position[rel.model] > position[owner]
            at = max(position[owner], position[rel.model])
            found.append(((at, waited, position[owner], index), owner, rel))
    return [(key[0], owner, rel) for key, owner, rel in sorted(found, key=lambda f: f[0])]


def _existing(names: list[str], a: str, b: str) -> str | None:
    """One of the named models called AB or BA (juggler's lookupModel ignores case)."""
    by_lower = {name.lower(): name for name in names}
    return by_lower.get((a + b).lower()) or by_lower.get((b + a).lower())


def _join_model(name: str, owner: ModelSpec) -> ModelSpec:
    """A private PersistedModel on the owner's data source, as `dataSource.define(name)` makes it; its
    keys come from the belongsTo relations added next."""
    return ModelSpec(
        name=name,
        plural=naming.plural(name),
        base="PersistedModel",
        base_chain=("PersistedModel", "Model"),
        source=owner.source,
        properties=(IMPLICIT_ID,),
        force_id=True,  # a generated id, forceId "auto"
        public=False,
        datasource=owner.datasource,
    )


def _with_side_relations(through: ModelSpec, owner: str, rel: RelationSpec) -> ModelSpec:
    """LB3's `through.belongsTo(owner)` (or the polymorphic belongsTo) and `through.belongsTo(target)`,
    each added only when the through model has no relation of that name."""
    sides: list[RelationSpec] = []
    poly = polymorphic_keys(rel)
    if poly is not None:
        selector, fk, discriminator = poly
        settings = {"selector": selector, "foreignKey": fk, "discriminator": discriminator}
        sides.append(RelationSpec(selector, "belongsTo", None, fk, polymorphic=settings))
    else:
        sides.append(_belongs_to(owner))
    sides.append(_belongs_to(str(rel.model)))
    names = {r.name for r in through.relations}
    added = [s for s in sides if s.name not in names]
    declared = {p.name for p in through.properties}
    keys: list[PropertySpec] = []
    for r in added:  # typed by relation_keys, which retypes a declared key like the id it points at
        if r.foreign_key not in declared:
            keys.append(PropertySpec(name=str(r.foreign_key), type="number", index=True))
        if poly is not None and r.model is None and poly[2] not in declared:
            keys.append(PropertySpec(name=poly[2], type="string", index=True))
    return replace(
        through, relations=(*through.relations, *added), properties=(*through.properties, *keys)
    )


def _belongs_to(model: str) -> RelationSpec:
    """`belongsTo(Model)` with no options: named camelCase(model), keyed `<name>Id`."""
    rel_name = naming.camelize(model, low_first_letter=True)
    return RelationSpec(rel_name, "belongsTo", model, naming.foreign_key(model))


def _set_through(model: ModelSpec, rel: RelationSpec, through: str) -> ModelSpec:
    """Without an explicit through, juggler ignores `foreignKey`/`keyThrough`: the join keys are the
    default ones its belongsTo relations define, and relation_keys fills them in the same way."""
    fk, key_through = (rel.foreign_key, rel.key_through) if rel.through else (None, None)
    rels = tuple(
        replace(r, through=through, foreign_key=fk, key_through=key_through)
        if r.name == rel.name
        else r
        for r in model.relations
    )
    return replace(model, relations=rels)
