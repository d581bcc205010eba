"""Where keys that name a related model's property (`"reviews.rating"`) -> `Exists`.

`{"reviews.rating": {"gte": 4}, "reviews.comments": {"like": "%good%"}}` on CoffeeShop keeps the
shops with at least one review that matches both (one related row must match every key of the same
where object that names the relation). The rest of the key is a where key of the target model, so
paths nest (`"books.tags.name"`) and the target's own rules apply: its hidden properties are unknown
and its operators are checked. The relation's scope `where` is part of the match, as it is for the
relation's endpoints. A relation closed to `include` (`options.disableInclude`, as a User's
accessTokens) is closed to this too, so no client can probe its rows' values. Beyond LB3, whose SQL connectors ignore such keys (or fail on them).
"""

from __future__ import annotations

from typing import TYPE_CHECKING, Any

from ..errors import InvalidFilter
from .ast import And, Exists, Where
from .include import holds_tokens

if TYPE_CHECKING:
    from .parse import FilterParser

ROW_KINDS = ("belongsTo", "hasOne", "hasMany", "hasManyThrough", "hasAndBelongsToMany")


def parse_related(parser: FilterParser, relation: str, where: dict[str, Any], depth: int) -> Where:
    model = parser.model
    meta = model.relations[relation]  # parse_where only sends relations of the model
    keys = ", ".join(f'"{relation}.{key}"' for key in where)
    if meta.type not in ROW_KINDS:
        raise InvalidFilter(
            f"{keys}: filtering {model.name} by the properties of its {meta.type} relation "
            f'"{relation}" is not supported'
        )
    if meta.type == "belongsTo" and meta.discriminator:
        raise InvalidFilter(
            f'{keys}: "{relation}" of {model.name} model is polymorphic (its target model varies '
            "per row), so its properties cannot be used in a where"
        )
    if meta.options.get("disableInclude"):
        # what cannot be included cannot be probed either (a User's accessTokens)
        raise InvalidFilter(
            f'{keys}: relation "{relation}" of {model.name} model cannot be used in a where '
            "(its options.disableInclude is true)"
        )
    if meta.model not in parser.models:
        raise InvalidFilter(f'{keys}: relation "{relation}" has no known target model')
    if holds_tokens(parser, meta.model):
        raise InvalidFilter(
            f'{keys}: relation "{relation}" of {model.name} model cannot be used in a where '
            "(access tokens never are)"
        )
    target = parser.parser_for(str(meta.model))
    matched = target.parse_where(where, depth)
    scope = meta.scope
    scoped = target.parse_where(scope.get("where"), depth) if scope is not None else None
    parts = tuple(w for w in (scoped, matched) if w is not None)
    inner = None if not parts else parts[0] if len(parts) == 1 else And(parts)
    return Exists(relation, inner)
