"""Give each relation its LB3 default keys and define the key properties LB3 adds at attach time.

This runs after model-config.json is applied, on attached models only: a key's type is copied from
the property it points at, which may belong to another model (juggler's defineForeignKey).
"""

from __future__ import annotations

from dataclasses import replace
from typing import Any

from .. import naming
from ..errors import pointer
from ..ir import ModelSpec, PropertySpec, RelationSpec
from .discovery import RawModel
from .embeds import EMBEDS, embedded_property
from .inheritance import ABSTRACT_BASES
from .problems import Collector


def add_relation_keys(
    models: dict[str, ModelSpec], raw: dict[str, RawModel], errors: Collector, mc_file: str = ""
) -> dict[str, ModelSpec]:
    """Give each relation its LB3 default foreign key and define missing key properties, as LB3 does at
    attach time: belongsTo on the owner, hasMany/hasOne on the target; embedded relations get the
    owner property that stores them, polymorphic ones their discriminator."""
    extra: dict[str, dict[str, PropertySpec]] = {n: {} for n in models}

    def key_type(model_name: str | None, key: str | None = None) -> str:
        """Type of `key` (default: the id) on a model: what LB3's defineForeignKey copies."""
        target = models.get(model_name or "")
        if target is None:
            return "number"
        by_name = {p.name: p for p in target.properties}
        if key in by_name:
            return by_name[key].type
        return target.id_properties[0].type if target.id_properties else "number"

    def key_integer(model_name: str | None, key: str | None = None) -> bool:
        """Whether the key points at integer ids: then it is stored as one, not as a double."""
        target = models.get(model_name or "")
        if target is None:
            return False
        by_name = {p.name: p for p in target.properties}
        prop = by_name.get(key or "") or (target.id_properties[0] if target.id_properties else None)
        return prop is not None and (
            prop.integer or bool(prop.id and prop.generated and prop.type == "number")
        )

    def key_property(name: str, model_name: str | None, key: str | None = None) -> PropertySpec:
        return PropertySpec(
            name=name, type=key_type(model_name, key), integer=key_integer(model_name, key)
        )

    # keys LB3 defines with defineForeignKey: a property the model already declares keeps its place
    # and settings but takes the type of the key it points at
    retype: dict[str, dict[str, tuple[str, bool]]] = {n: {} for n in models}

    def define(owner: str | None, prop: PropertySpec, foreign_key: bool = True) -> None:
        if owner in extra:
            extra[owner].setdefault(prop.name, prop)
            if foreign_key:
                retype[owner].setdefault(prop.name, (prop.type, prop.integer))

    updated: dict[str, ModelSpec] = {}
    for name, model in models.items():
        rels = []
        for rel in model.relations:
            missing = [
                (key, value)
                for key, value in (("model", rel.model), ("through", rel.through))
                if value is not None and value not in models
            ]
            if missing and rel.type not in EMBEDS and _builtin_relation(model, rel.name, raw):
                # LB3 boots with it (the target exists, unattached); the user never wrote it, so
                # the relation is dropped with a warning on the user's own file
                for key, value in missing:
                    errors.warn(
                        mc_file,
                        pointer(name),
                        f'relation "{rel.name}" (from LB3\'s built-in models) is dropped: its '
                        f'{key} "{value}" is not attached to a data source in model-config.json',
                    )
                if rel.type == "belongsTo" and rel.model not in models:
                    define(name, key_property(rel.foreign_key or f"{rel.name}Id", None))
                continue
            if missing and rel.type not in EMBEDS:
                for key, value in missing:
                    if value not in ABSTRACT_BASES:
                        errors.error(
                            model.source,
                            pointer("relations", rel.name, key),
                            f'model "{value}" is not attached to a data source in model-config.json',
                        )
                rels.append(rel)
                continue
            fk, key_through, prop = rel.foreign_key, rel.key_through, rel.property
            poly = polymorphic_keys(rel)
            discriminator = poly[2] if poly is not None else None
            if rel.type == "belongsTo":
                if (
                    poly is not None
                ):  # the key points at models of several types: typed like our own id
                    fk = poly[1]
                    define(name, key_property(fk, name, rel.primary_key))
                    define(name, PropertySpec(name=poly[2], type="string", index=True), False)
                else:
                    fk = fk or f"{rel.name}Id"
                    define(name, key_property(fk, rel.model, rel.primary_key))
            elif rel.type in {"hasMany", "hasOne"}:
                fk = poly[1] if poly is not None else fk or naming.foreign_key(name)
                define(rel.model, key_property(fk, name, rel.primary_key))
                if poly is not None:
                    define(rel.model, PropertySpec(name=poly[2], type="string", index=True), False)
            elif rel.type in {"hasManyThrough", "hasAndBelongsToMany"}:
                fk = fk or naming.foreign_key(name)
                key_through = key_through or naming.foreign_key(rel.model or "")
                if poly is not None:
                    fk, key_through = (fk, poly[1]) if rel.invert else (poly[1], key_through)
            elif rel.type == "referencesMany":
                fk = fk or naming.foreign_key(rel.model or "", "_ids")
                item = key_type(rel.model, rel.primary_key)
                define(name, PropertySpec(name=fk, type="array", item_type=item, default=[]), False)
            elif rel.type in EMBEDS and rel.model in models:
                stored = embedded_property(rel, models[str(rel.model)])
                prop = stored.name
                define(name, stored, False)
            rels.append(
                replace(
                    rel,
                    foreign_key=fk,
                    key_through=key_through,
                    property=prop,
                    discriminator=discriminator,
                )
            )
        updated[name] = replace(model, relations=tuple(rels))
    out = {}
    for name, model in updated.items():
        rm = raw[name]
        existing = {p.name for p in model.properties}
        added = tuple(
            replace(p, hidden=n in rm.hidden, protected=n in rm.protected)
            for n, p in extra[name].items()
            if n not in existing
        )
        own = tuple(
            replace(
                p, type=retype[name][p.name][0], integer=retype[name][p.name][1], item_type=None
            )
            if p.name in retype[name] and (p.type, p.integer) != retype[name][p.name]
            else p
            for p in model.properties
        )
        out[name] = replace(model, properties=own + added)
        known = existing | {p.name for p in added}
        for key in ("hidden", "protected"):
            names = rm.data.get(key)
            listed = {n for n in names if isinstance(n, str)} if isinstance(names, list) else set()
            for p_name in sorted(listed - known):
                errors.warn(rm.file, pointer(key), f'unknown property "{p_name}"')
    return out


def polymorphic_keys(rel: RelationSpec) -> tuple[str, str, str] | None:
    """(selector, foreign key, discriminator) of a polymorphic relation, as juggler's
    normalizePolymorphic names them: `true` selects by the relation name, a string names the selector,
    an object may set all three."""
    poly = rel.polymorphic
    if not poly:
        return None
    selector: Any = rel.name
    if isinstance(poly, str):
        selector = poly
    elif isinstance(poly, dict):
        selector = poly.get("selector") or poly.get("as") or rel.name
    settings = poly if isinstance(poly, dict) else {}
    fk = settings.get("foreignKey") or naming.camelize(f"{selector}_id", low_first_letter=True)
    discriminator = settings.get("discriminator") or naming.camelize(
        f"{selector}_type", low_first_letter=True
    )
    return str(selector), str(fk), str(discriminator)


def _builtin_relation(model: ModelSpec, relation: str, raw: dict[str, RawModel]) -> bool:
    """Whether the relation comes from one of LB3's built-in model files (the nearest model in the
    chain declaring it is a built-in one)."""
    for name in (model.name, *model.base_chain):
        relations = raw[name].data.get("relations") if name in raw else None
        if isinstance(relations, dict) and relation in relations:
            return raw[name].builtin
    return False
