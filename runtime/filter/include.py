"""LB3's `include` -> a tuple of typed `Include`s, checked against the model's relations.

Accepted forms, as LB3 takes them (and mixed in arrays, nested at any level):
`"rel"`, `["a", "b"]`, `{"a": "b"}`, `{"a": true}`, `{"a": ["b", {"c": "d"}]}` and
`{"relation": "a", "scope": {where, fields, order, limit, skip, offset, include}}` (`rel` is LB3's
alias of `relation`). A scope is parsed by the target model's own parser, so its hidden properties
and unknown operators are refused exactly as on the target's own endpoint. LB3 ignores an include
it cannot read (`123`) and answers an unknown relation with a 500; both are a 400 here.
"""

from __future__ import annotations

from dataclasses import replace
from typing import TYPE_CHECKING, Any

from ..errors import InvalidFilter, show_value
from .ast import Filter, Include

if TYPE_CHECKING:
    from .parse import FilterParser

SCOPE_FORM = ("relation", "rel", "scope")


def parse_include(parser: FilterParser, raw: Any, depth: int) -> tuple[Include, ...]:
    """`depth` is the level these relations are loaded at (1: the model's own)."""
    if raw in (None, [], {}, ""):
        return ()
    limit = parser.limits.max_include_depth
    if depth > limit:
        raise InvalidFilter(
            f"include is nested more than {limit} levels deep "
            "(the limit is maxIncludeDepth in config.json's filterLimits)"
        )
    if isinstance(raw, str):
        return (_include(parser, raw, None, None, depth),)
    if isinstance(raw, list):
        return tuple(inc for item in raw for inc in parse_include(parser, item, depth))
    if isinstance(raw, dict):
        name = raw.get("relation", raw.get("rel"))
        if isinstance(name, str):
            unknown = [k for k in raw if k not in SCOPE_FORM]
            if unknown:
                raise InvalidFilter(
                    f'Unknown key "{unknown[0]}" in the include of relation "{name}" '
                    "(known: relation, scope)"
                )
            scope = raw.get("scope")
            if scope is not None and not isinstance(scope, dict):
                raise InvalidFilter("The scope of an include must be an object")
            return (_include(parser, name, scope, None, depth),)
        return tuple(
            _include(parser, name, None, None if nested in (True, False) else nested, depth)
            for name, nested in raw.items()
        )
    raise InvalidFilter(
        f"include {show_value(raw)} is not valid: give a relation name, an array, or an object"
    )


def _include(
    parser: FilterParser, name: str, scope: dict[str, Any] | None, nested: Any, depth: int
) -> Include:
    """One relation: checked, its scope parsed by the target's parser, its nested includes parsed
    one level deeper."""
    model = parser.model
    relation = model.relations.get(name)
    if relation is None:
        raise InvalidFilter(f'Relation "{name}" is not defined for {model.name} model')
    if relation.options.get("disableInclude"):
        raise InvalidFilter(
            f'Relation "{name}" of {model.name} model cannot be included '
            "(its options.disableInclude is true)"
        )
    if holds_tokens(parser, relation.model):
        raise InvalidFilter(
            f'Relation "{name}" of {model.name} model cannot be included (access tokens never are)'
        )
    scope = dict(scope or {})
    sub = scope.pop("include", None) if nested is None else nested
    if relation.type == "belongsTo" and relation.discriminator:
        # a polymorphic belongsTo: its target model is named per row, so nothing can be checked
        if scope or sub not in (None, [], {}, ""):
            raise InvalidFilter(
                f'Relation "{name}" of {model.name} model is polymorphic: its include takes no '
                "scope and no nested include"
            )
        return Include(name, Filter())
    if relation.model is None or relation.model not in parser.models:
        raise InvalidFilter(f'Relation "{name}" of {model.name} model has no known target model')
    target = parser.parser_for(relation.model)
    flt = target.parse(scope) if scope else Filter()
    max_limit = parser.limits.max_limit
    if flt.limit is not None and flt.limit > max_limit:
        raise InvalidFilter(
            f"The limit {flt.limit} in the scope of {name} is over {max_limit} "
            "(the limit is maxLimit in config.json's filterLimits)"
        )
    return Include(name, replace(flt, include=parse_include(target, sub, depth + 1)))


def holds_tokens(parser: FilterParser, name: str | None) -> bool:
    """Whether model `name` is AccessToken or based on it: its rows are credentials, so no include
    (nor related where) reaches them, whatever the relation's options say."""
    meta = parser.models.get(name or "")
    return meta is not None and (meta.name == "AccessToken" or "AccessToken" in meta.base_chain)
