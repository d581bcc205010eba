"""Raw LB3 filter objects -> the typed `Filter`, checked against one model.

Everything a client can get wrong is a 400 INVALID_FILTER here, never a KeyError later: unknown
properties (hidden ones included: no guessing oracle), unknown or not-yet-supported operators, bad
limits. LB3 silently answers `[]` or ignores such input; we say what is wrong.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

from ..coercion import Converter, Invalid, query_converter
from ..errors import InvalidFilter, show_value
from ..registry import ModelMeta
from .ast import And, Condition, Filter, Or, OrderBy, Where
from .include import parse_include
from .limits import DEFAULT_LIMITS, FilterLimits
from .related import parse_related

COMPARISONS = ("eq", "neq", "gt", "gte", "lt", "lte")
LISTS = ("inq", "nin")
LATER = ("like", "nlike", "ilike", "nilike", "regexp", "near", "exists", "maxDistance", "unit")
FILTER_KEYS = ("where", "fields", "order", "limit", "skip", "offset", "include")
MAX_WHERE_DEPTH = 32  # and/or levels; deep enough for generated queries, bounded for the stack
MAX_INQ_SIZE = 1000
MAX_COUNT = 2**53 - 1  # JavaScript's Number.MAX_SAFE_INTEGER: the largest limit/skip LB3 can take


class FilterParser:
    """Built once per model; `parse` runs per request."""

    def __init__(
        self,
        model: ModelMeta,
        models: Mapping[str, ModelMeta] | None = None,
        limits: FilterLimits = DEFAULT_LIMITS,
    ) -> None:
        self.model = model
        self.models: Mapping[str, ModelMeta] = models if models is not None else {model.name: model}
        self.limits = limits
        self._parsers: dict[str, FilterParser] = {model.name: self}
        self.converters: dict[str, Converter] = {}
        for prop in model.properties.values():
            if prop.hidden:
                continue
            try:
                self.converters[prop.name] = query_converter(prop)
            except Invalid:
                continue  # object/array/any properties are not queryable yet
        self.visible = tuple(p for p in model.properties if not model.properties[p].hidden)

    def parser_for(self, name: str) -> FilterParser:
        """Another model's parser (a relation's target), sharing this one's models and limits."""
        parser = self._parsers.get(name)
        if parser is None:
            parser = FilterParser(self.models[name], self.models, self.limits)
            parser._parsers = self._parsers
            self._parsers[name] = parser
        return parser

    def parse(self, raw: dict[str, Any] | None) -> Filter:
        if raw is None:
            return Filter()
        if not isinstance(raw, dict):
            raise InvalidFilter("The filter must be an object. Value is not an object.")
        for key in raw:
            if key not in FILTER_KEYS:
                raise InvalidFilter(f'Unknown filter key "{key}" (known: {", ".join(FILTER_KEYS)})')
        offset = self._count("offset/skip", raw.get("offset"))  # checked even beside a skip
        skip = self._count("offset/skip", raw.get("skip"))
        return Filter(
            where=self.parse_where(raw.get("where")),
            fields=self._fields(raw.get("fields")),
            order=self._order(raw.get("order")),
            limit=self._count("limit", raw.get("limit")),
            skip=(skip if skip is not None else offset) or 0,
            include=parse_include(self, raw.get("include"), depth=1),
        )

    def parse_where(self, raw: Any, depth: int = 0) -> Where | None:
        if raw is None:
            return None
        if not isinstance(raw, dict):
            raise InvalidFilter("The where clause must be an object. Value is not an object.")
        if depth > MAX_WHERE_DEPTH:
            raise InvalidFilter(
                f"The where clause is nested more than {MAX_WHERE_DEPTH} levels deep"
            )
        items: list[Where] = []
        related: dict[str, dict[str, Any]] = {}  # relation -> its keys of this where object
        for key, value in raw.items():
            if key in ("and", "or"):
                if not isinstance(value, list) or not all(isinstance(v, dict) for v in value):
                    raise InvalidFilter(f'The "{key}" operator takes an array of where objects')
                parsed = [self.parse_where(v, depth + 1) for v in value]
                parts = [w for w in parsed if w is not None]
                if key == "or" and len(parts) < len(parsed):
                    continue  # an empty alternative ({}) matches every row, so the "or" does
                if parts:
                    items.append(And(tuple(parts)) if key == "and" else Or(tuple(parts)))
                elif key == "or":  # no alternative at all: nothing can match
                    items.append(Or(()))
            elif (head := key.partition(".")[0]) != key and self._is_related(head):
                related.setdefault(head, {})[key[len(head) + 1 :]] = value
            else:
                items.append(self._condition(key, value))
        for relation, where in related.items():  # one related row must match all of them
            items.append(parse_related(self, relation, where, depth + 1))
        if not items:
            return None
        return items[0] if len(items) == 1 else And(tuple(items))

    def _is_related(self, name: str) -> bool:
        """A relation whose targets are rows of a table (not embedded items in this row)."""
        relation = self.model.relations.get(name)
        return relation is not None and relation.type not in ("embedsOne", "embedsMany")

    def _convert(self, prop: str, value: Any) -> Any:
        try:
            return self.converters[prop](value)
        except Invalid as exc:
            raise InvalidFilter(
                f"The {prop} property has an invalid value {show_value(value, 80)}: {exc.message}"
            ) from None

    def _property(self, name: str) -> str:
        if name not in self.converters:
            if name in self.model.properties and not self.model.properties[name].hidden:
                raise InvalidFilter(f"The {name} property cannot be used in a filter yet")
            raise InvalidFilter(f'Unknown property "{name}" of model {self.model.name}')
        return name

    def _condition(self, key: str, value: Any) -> Where:
        prop = self._property(key)
        if not isinstance(value, dict):
            if isinstance(value, list):
                raise InvalidFilter(f"The {prop} property has an invalid value: use inq for a list")
            return Condition(prop, "eq", None if value is None else self._convert(prop, value))
        if len(value) != 1:
            conds = tuple(self._condition(key, {op: v}) for op, v in value.items())
            if not conds:
                raise InvalidFilter(f"The {prop} property has an empty condition")
            return And(conds)
        ((op, operand),) = value.items()
        if op in COMPARISONS:
            if operand is None:  # SQL's `x < NULL` holds for no row; eq/neq null are IS [NOT] NULL
                return Condition(prop, op, None) if op in ("eq", "neq") else Or(())
            return Condition(prop, op, self._convert(prop, operand))
        if op in LISTS or op == "between":
            if isinstance(operand, dict) and all(k.isdigit() for k in operand):  # bracket form
                operand = [operand[k] for k in sorted(operand, key=int)]
            if not isinstance(operand, list):
                raise InvalidFilter(
                    f"The {prop} property has invalid clause {show_value({op: operand})}: "
                    "Value is not an array"
                )
            if op == "between" and len(operand) != 2:
                raise InvalidFilter(f"The {prop} property: between takes exactly two values")
            if len(operand) > MAX_INQ_SIZE:
                raise InvalidFilter(
                    f"The {prop} property: {op} takes at most {MAX_INQ_SIZE} values"
                )
            return Condition(prop, op, tuple(self._convert(prop, v) for v in operand))
        if op in LATER:
            raise InvalidFilter(f'The "{op}" operator is not supported by this server yet')
        raise InvalidFilter(f'Unknown operator "{op}" on property {prop}')

    def _fields(self, raw: Any) -> tuple[str, ...] | None:
        if raw is None:
            return None
        if isinstance(raw, str):
            raw = [raw]
        if raw == []:  # like {}: no projection
            return None
        if isinstance(raw, list):
            wanted = {self._field_name(f) for f in raw}
        elif isinstance(raw, dict):
            flags = {self._field_name(k): _truthy(v) for k, v in raw.items()}
            if any(flags.values()):
                wanted = {k for k, v in flags.items() if v}
            else:
                wanted = set(self.visible) - set(flags)
        else:
            raise InvalidFilter("fields must be an array of property names or an object")
        return tuple(p for p in self.visible if p in wanted)

    def _field_name(self, name: Any) -> str:
        if not isinstance(name, str) or name not in self.visible:
            raise InvalidFilter(
                f"Unknown property {show_value(name)} in fields of model {self.model.name}"
            )
        return name

    def _order(self, raw: Any) -> tuple[OrderBy, ...]:
        if raw is None or raw == "" or raw == []:
            return ()
        items = raw.split(",") if isinstance(raw, str) else raw
        if not isinstance(items, list) or not all(isinstance(i, str) for i in items):
            raise InvalidFilter("order must be a string or an array of strings")
        out = []
        for item in items:
            parts = item.split()
            if not parts or len(parts) > 2:
                raise InvalidFilter(f'The order "{item}" is not valid')
            direction = parts[1].upper() if len(parts) == 2 else "ASC"
            if direction not in ("ASC", "DESC"):
                raise InvalidFilter(f'The order "{item.strip()}" has invalid direction')
            out.append(OrderBy(self._property(parts[0]), direction == "DESC"))
        return tuple(out)

    @staticmethod
    def _count(name: str, raw: Any) -> int | None:
        if raw is None:
            return None
        value = raw
        if isinstance(raw, str) and raw.strip().isdigit():
            value = int(raw)
        if isinstance(value, bool) or not isinstance(value, int) or not 0 <= value <= MAX_COUNT:
            raise InvalidFilter(f"The {name} parameter {show_value(raw)} is not valid")
        return value


def _truthy(value: Any) -> bool:
    return value not in (False, 0, "false", "0", None)
