"""A `through` relation reads its join rows by two keys of the through model: the foreign key to
the owner and `keyThrough` to the target. When the through model has no such property, LB3 boots
and every request on the relation fails (a 500 on SQL connectors); here it is a `check` error
naming the keys and the fix."""

from __future__ import annotations

from ..errors import pointer
from ..ir import ModelSpec
from .problems import Collector


def check_through_keys(models: dict[str, ModelSpec], errors: Collector) -> None:
    for model in models.values():
        for rel in model.relations:
            through = models.get(rel.through or "")
            if through is None:
                continue  # an unknown or unattached through model is reported already
            have = {p.name for p in through.properties}
            keys = [("foreignKey", rel.foreign_key), ("keyThrough", rel.key_through)]
            missing = [(k, v) for k, v in keys if v and v not in have]
            if not missing:
                continue
            named = " and ".join(f'"{v}" ({k})' for k, v in missing)
            errors.error(
                model.source,
                pointer("relations", rel.name, "through"),
                f'the through model "{through.name}" has no property {named}: add '
                f"{'them' if len(missing) > 1 else 'it'} to {through.name} (or belongsTo "
                f"relations defining {'them' if len(missing) > 1 else 'it'}), or name its keys "
                "with foreignKey and keyThrough",
            )
