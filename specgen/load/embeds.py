"""embedsOne/embedsMany: the owner property that stores the data, and the ids of embedded models.

juggler stores an embedded relation in a property of the owner: the `property` option, else the
camel-cased target name (embedsOne) or target plural (embedsMany), renamed with a leading `_` when it
equals the relation name (Author.address -> `_address`). An embedded model on the transient connector,
or on none, gets a generated String id (the transient connector's id type) unless it declares its own.
"""

from __future__ import annotations

from dataclasses import replace

from .. import naming
from ..ir import ModelSpec, PropertySpec, RelationSpec
from .discovery import RawModel

EMBEDS = ("embedsOne", "embedsMany")
STRING_ID = PropertySpec(name="id", type="string", id=1, generated=True)


def embedded_property(rel: RelationSpec, target: ModelSpec) -> PropertySpec:
    """The owner property an embedded relation is stored in (embedsMany: a list, empty by default)."""
    if rel.type == "embedsOne":
        name = rel.property or naming.camelize(target.name, low_first_letter=True)
    else:
        name = rel.property or naming.camelize(target.plural, low_first_letter=True)
    if name == rel.name:
        name = "_" + name
    if rel.type == "embedsOne":
        return PropertySpec(name=name, type="object", model=target.name)
    return PropertySpec(name=name, type="array", item_type="object", model=target.name, default=[])


def embedded_ids(
    models: dict[str, ModelSpec], raw: dict[str, RawModel], connectors: dict[str, str]
) -> dict[str, ModelSpec]:
    """Embedded models that store nothing themselves (transient or no data source) and inherit only
    the implicit number id get a generated string id instead, as on LB3's transient connector."""
    targets = {
        r.model for m in models.values() for r in m.relations if r.type in EMBEDS and r.model
    }
    out = dict(models)
    for name in sorted(targets & set(models)):
        model = models[name]
        if connectors.get(model.datasource or "") not in (None, "transient"):
            continue
        if _declares_id(model, raw):
            continue
        own = tuple(p for p in model.properties if not p.id)
        out[name] = replace(model, properties=(*own, STRING_ID), force_id=True)
    return out


def _declares_id(model: ModelSpec, raw: dict[str, RawModel]) -> bool:
    """Whether the model or one of its bases writes an id property (not the one Model injects)."""
    for name in (model.name, *model.base_chain):
        props = raw[name].data.get("properties") if name in raw else None
        if isinstance(props, dict) and any(
            isinstance(v, dict) and v.get("id") for v in props.values()
        ):
            return True
    return False
