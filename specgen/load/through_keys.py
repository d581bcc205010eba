"""A `through` relation reads its join rows by two keys of the through model: the foreign key to
the owner and `keyThrough` to the target. When the through model has no property of the default
name, LB3 reads the join rows through the through model's belongsTo relation to that model (its
`collect` include), so that relation's foreign key is used here too. When there is none either,
LB3 boots and every request on the relation fails (a 500 on SQL connectors); here it is a `check`
error naming the keys and the fix."""

from __future__ import annotations

from dataclasses import replace

from ..errors import pointer
from ..ir import ModelSpec, RelationSpec
from .problems import Collector


def check_through_keys(models: dict[str, ModelSpec], errors: Collector) -> dict[str, ModelSpec]:
    out = dict(models)
    for name, model in models.items():
        relations = []
        for rel in model.relations:
            through = models.get(rel.through or "")
            if through is not None and rel.polymorphic is None:
                rel = _checked(model, rel, through, errors)
            relations.append(rel)
        out[name] = replace(model, relations=tuple(relations))
    return out


def _checked(
    model: ModelSpec, rel: RelationSpec, through: ModelSpec, errors: Collector
) -> RelationSpec:
    have = {p.name for p in through.properties}
    fk = _key(rel.foreign_key, model.name, through, have)
    key_through = _key(rel.key_through, rel.model, through, have)
    missing = [
        (k, v)
        for k, v, found in (
            ("foreignKey", rel.foreign_key, fk),
            ("keyThrough", rel.key_through, key_through),
        )
        if v and found is None
    ]
    if missing:
        named = " and ".join(f'"{v}" ({k})' for k, v in missing)
        them = "them" if len(missing) > 1 else "it"
        errors.error(
            model.source,
            pointer("relations", rel.name, "through"),
            f'the through model "{through.name}" has no property {named}: add {them} to '
            f"{through.name} (or belongsTo relations defining {them}), or name its keys with "
            "foreignKey and keyThrough",
        )
        return rel
    return replace(rel, foreign_key=fk, key_through=key_through)


def _key(key: str | None, target: str | None, through: ModelSpec, have: set[str]) -> str | None:
    """KEY when the through model has it, else the foreign key of its belongsTo relation to
    TARGET (LB3's collect relation), else None."""
    if not key or key in have:
        return key
    for r in through.relations:
        if r.type == "belongsTo" and r.model == target and r.foreign_key in have:
            return r.foreign_key
    return None
