"""Raw LB3 filter objects -> the typed `Filter`, checked against one model.

Everything a client can get wrong is a 400 INVALID_FILTER here, never a KeyError or a database
error later: unknown properties (hidden ones included: no guessing oracle), unknown operators or
operators on the wrong kind of property, invalid regexps and geopoints, values over the app's
FilterLimits. LB3 silently answers `[]`, ignores such input or fails with a 500; we say what is wrong.

A where key names a column (`"title"`), a JSON array property (`"keywords": "sql"` is membership),
or a path inside an object property or embedsOne item (`"details.publisher"`, `"address.city"`):
an embedded model's properties convert by their types; a free-form object's values keep their JSON
type.
"""

from __future__ import annotations

import json
import math
import re
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

from ..coercion import Converter, Invalid, format_date, parse_date, query_converter
from ..errors import InvalidFilter, show_value
from ..registry import ModelMeta, PropertyMeta
from .ast import And, Condition, Filter, Near, Or, OrderBy, Pattern, Where
from .include import parse_include
from .limits import DEFAULT_LIMITS, FilterLimits, limit_hint
from .patterns import PATH_KEY, pcre_regexp, python_regexp
from .related import parse_related

COMPARISONS = ("eq", "neq", "gt", "gte", "lt", "lte")
LISTS = ("inq", "nin")
LIKES = ("like", "nlike", "ilike", "nilike")
OPERATORS = (*COMPARISONS, *LISTS, "between", *LIKES, "regexp", "exists", "near")
NEAR_KEYS = ("near", "maxDistance", "unit")
FILTER_KEYS = ("where", "fields", "order", "limit", "skip", "offset", "include")
MAX_WHERE_DEPTH = DEFAULT_LIMITS.max_where_depth  # the defaults, for callers that name them
MAX_INQ_SIZE = DEFAULT_LIMITS.max_inq_size
MAX_COUNT = 2**53 - 1  # JavaScript's Number.MAX_SAFE_INTEGER: the largest limit/skip LB3 can take
# LB3's GeoPoint units (geo.js) and the earth's radius in each
EARTH_RADIUS = {
    "kilometers": 6370.99056,
    "meters": 6370990.56,
    "miles": 3958.75,
    "feet": 20902200.0,
    "radians": 1.0,
    "degrees": 57.29577951308,
}
REGEXP_FLAGS = "igms"  # JavaScript's; g means nothing to a match test and is ignored


@dataclass(frozen=True)
class Target:
    """What a where key names: a property, and a path inside its JSON value.

    kind: "scalar" (a column compared by value), "array" (a JSON array of `item` values), "json"
    (a value inside an object or embedded item), "object" (a whole object: only null tests),
    "geopoint" (near and null tests)."""

    prop: str
    path: tuple[str, ...]
    kind: str
    convert: Converter | None  # None: a free-form JSON value, kept as its JSON type
    type: str  # the LB3 type the value is compared as ("any" for free-form)


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
                continue  # object/array/geopoint properties: see _target
        self.visible = tuple(p for p in model.properties if not model.properties[p].hidden)
        self._targets: dict[str, Target] = {}  # where/order key -> what it names

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
            limit=self._limit(raw.get("limit")),
            skip=(skip if skip is not None else offset) or 0,
            include=parse_include(self, raw.get("include"), depth=1),
        )

    def parse_where(self, raw: Any, depth: int = 0) -> Where | None:
        if raw is None:
            return None
        if not isinstance(raw, dict):
            raise InvalidFilter("The where clause must be an object. Value is not an object.")
        bound = self.limits.max_where_depth
        if depth > bound:
            raise InvalidFilter(
                f"The where clause is nested more than {bound} levels deep "
                + limit_hint("max_where_depth")
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

    # ---- where keys -----------------------------------------------------------------------------

    def _target(self, key: str) -> Target:
        """The property (and path inside it) a where or order key names; cached per key."""
        found = self._targets.get(key)
        if found is None:
            found = self._targets[key] = self._resolve(key)
        return found

    def _resolve(self, key: str) -> Target:
        head, dot, rest = key.partition(".")
        relation = self.model.relations.get(head) if dot else None
        if relation is not None and relation.type == "embedsOne":
            head = relation.item_property  # "address.city" -> "_address"
        meta = self.model.properties.get(head)
        if meta is None or meta.hidden:
            raise InvalidFilter(f'Unknown property "{head}" of model {self.model.name}')
        if not dot:
            if meta.type == "array":
                if meta.model or meta.item_type not in ("string", "number", "boolean", "date"):
                    raise InvalidFilter(
                        f"The {head} property (an array of {meta.item_type or 'any'}) cannot be "
                        "used in a filter"
                    )
                item = PropertyMeta(head, meta.item_type)
                return Target(head, (), "array", query_converter(item), meta.item_type)
            if meta.type == "geopoint":
                return Target(head, (), "geopoint", None, "geopoint")
            if meta.type in ("object", "any"):
                return Target(head, (), "object", None, meta.type)
            if head not in self.converters:
                raise InvalidFilter(f"The {head} property (type {meta.type}) cannot be used in a filter")  # fmt: skip
            return Target(head, (), "scalar", self.converters[head], meta.type)
        path = tuple(rest.split("."))
        for part in path:
            if not PATH_KEY.match(part):
                raise InvalidFilter(
                    f'The where key "{key}" is not valid: each key of a path must be a name '
                    "(letters, digits, _, $ or -, not starting with a digit)"
                )
        if meta.type not in ("object", "any"):
            raise InvalidFilter(
                f'The where key "{key}" is not valid: {head} is a {meta.type} property, '
                "not an object"
            )
        # through embedded models' properties while they are known; free-form after that
        model = self.models.get(meta.model) if meta.model else None
        for index, part in enumerate(path):
            if model is None:
                return Target(head, path, "json", None, "any")
            sub = model.properties.get(part)
            if sub is None or sub.hidden:
                raise InvalidFilter(f'Unknown property "{part}" of model {model.name} (in "{key}")')
            if sub.type in ("object", "any") and index < len(path) - 1:
                model = self.models.get(sub.model) if sub.model else None
                continue
            if index < len(path) - 1 or sub.type not in ("string", "number", "boolean", "date"):
                raise InvalidFilter(f'The where key "{key}" cannot be used in a filter')
            try:
                convert = query_converter(sub)
            except Invalid:
                raise InvalidFilter(f'The where key "{key}" cannot be used in a filter') from None
            if sub.type == "date":  # stored as JSON text: compared as that text
                convert = _date_text
            return Target(head, path, "json", convert, sub.type)
        return Target(head, path, "json", None, "any")

    def _convert(self, target: Target, key: str, value: Any) -> Any:
        if target.convert is None:  # free-form JSON: compared as its JSON type
            if isinstance(value, dict | list) or (
                isinstance(value, float) and not math.isfinite(value)
            ):
                raise InvalidFilter(
                    f"The {key} property has an invalid value {show_value(value, 80)}: "
                    "compare a path with a string, number or boolean"
                )
            return value
        try:
            return target.convert(value)
        except Invalid as exc:
            raise InvalidFilter(
                f"The {key} property has an invalid value {show_value(value, 80)}: {exc.message}"
            ) from None

    def _property(self, name: str) -> str:
        """A property usable in order: a plain column, or a path inside an object."""
        target = self._target(name)
        if target.kind in ("array", "object", "geopoint"):
            raise InvalidFilter(f"The {name} property cannot be used in order")
        return target.prop + "".join(f".{p}" for p in target.path)

    def _condition(self, key: str, value: Any) -> Where:
        target = self._target(key)
        if not isinstance(value, dict):
            if isinstance(value, list):
                raise InvalidFilter(f"The {key} property has an invalid value: use inq for a list")
            return self._operation(target, key, "eq", value)
        if not value:
            raise InvalidFilter(f"The {key} property has an empty condition")
        if target.kind in ("object", "geopoint") and not set(value) & {*OPERATORS, *NEAR_KEYS}:
            return self._operation(target, key, "eq", value)  # a whole value: said what to use
        if "near" in value:
            extra = [k for k in value if k not in NEAR_KEYS]
            if extra:
                raise InvalidFilter(
                    f'The {key} property: "{extra[0]}" cannot be combined with near '
                    f"(near takes {', '.join(NEAR_KEYS[1:])})"
                )
            return self._near(target, key, value)
        for alone in ("maxDistance", "unit"):
            if alone in value:
                raise InvalidFilter(f'The {key} property: "{alone}" is given without near')
        options = value.get("options")
        ops = {k: v for k, v in value.items() if k != "options"}
        if "options" in value:
            if options != "i" or len(ops) != 1 or next(iter(ops)) not in (*LIKES, "regexp"):
                raise InvalidFilter(
                    f'The {key} property: "options" takes "i", beside one like, nlike or regexp'
                )
            ((op, operand),) = ops.items()
            op = {"like": "ilike", "nlike": "nilike"}.get(op, op)
            if op == "regexp":
                return self._regexp(target, key, operand, extra_flags="i")
            return self._operation(target, key, op, operand)
        if len(ops) != 1:
            return And(tuple(self._condition(key, {op: v}) for op, v in ops.items()))
        ((op, operand),) = ops.items()
        return self._operation(target, key, op, operand)

    def _operation(self, target: Target, key: str, op: str, operand: Any) -> Where:
        kind = target.kind
        if op not in OPERATORS:
            raise InvalidFilter(f'Unknown operator "{op}" on property {key}')
        if op == "exists":
            if operand in ("true", "false"):  # the bracket form sends text
                operand = operand == "true"
            if not isinstance(operand, bool):
                raise InvalidFilter(f"The {key} property: exists takes true or false")
            return Condition(target.prop, "exists", operand, target.path)
        if op in ("eq", "neq") and operand is None:
            return Condition(target.prop, op, None, target.path)
        if op == "near":  # {"near": ...} alone reaches _near through _condition
            return self._near(target, key, {"near": operand})
        if kind == "object":
            raise InvalidFilter(
                f"The {key} property is an object: compare a path inside it "
                f'("{key}.name": ...), or test it with exists or null'
            )
        if kind == "geopoint":
            raise InvalidFilter(f"The {key} property is a geopoint: use near, exists or null")
        if op in COMPARISONS:
            if operand is None:  # SQL's `x < NULL` holds for no row; eq/neq null are IS [NOT] NULL
                return Or(())
            if kind == "array" and op not in ("eq", "neq"):
                raise InvalidFilter(f"The {key} property is an array: {op} cannot compare it")
            return Condition(target.prop, op, self._convert(target, key, operand), target.path)
        if op in LISTS or op == "between":
            if isinstance(operand, dict) and all(k.isdigit() for k in operand):  # bracket form
                operand = [operand[k] for k in sorted(operand, key=int)]
            if not isinstance(operand, list):
                raise InvalidFilter(
                    f"The {key} property has invalid clause {show_value({op: operand})}: "
                    "Value is not an array"
                )
            if op == "between":
                if kind == "array":
                    raise InvalidFilter(f"The {key} property is an array: between cannot compare it")  # fmt: skip
                if len(operand) != 2:
                    raise InvalidFilter(f"The {key} property: between takes exactly two values")
            bound = self.limits.max_inq_size
            if len(operand) > bound:
                raise InvalidFilter(
                    f"The {key} property: {op} takes at most {bound} values "
                    + limit_hint("max_inq_size")
                )
            if op == "between" and None in operand:
                return Or(())  # a null bound: nothing is between it and anything
            values = tuple(self._convert(target, key, v) for v in operand)
            return Condition(target.prop, op, values, target.path)
        if op == "regexp":
            return self._regexp(target, key, operand)
        return self._like(target, key, op, operand)

    def _text_only(self, target: Target, key: str, op: str) -> None:
        if target.kind not in ("scalar", "json") or target.type not in ("string", "any"):
            raise InvalidFilter(f"The {key} property: {op} applies to string properties only")

    def _like(self, target: Target, key: str, op: str, operand: Any) -> Where:
        self._text_only(target, key, op)
        if not isinstance(operand, str):
            raise InvalidFilter(
                f"The {key} property has invalid clause {show_value({op: operand})}: "
                "Expected a string"
            )
        self._check_length(key, op, operand)
        escaped = False
        for char in operand:
            escaped = not escaped and char == "\\"
        if escaped:
            raise InvalidFilter(
                f"The {key} property: the {op} pattern ends with an escape character (\\)"
            )
        return Condition(target.prop, op, operand, target.path)

    def _regexp(self, target: Target, key: str, operand: Any, extra_flags: str = "") -> Where:
        self._text_only(target, key, "regexp")
        if not isinstance(operand, str):
            raise InvalidFilter(
                f"The {key} property has invalid clause {show_value({'regexp': operand})}: "
                "Expected a string"
            )
        self._check_length(key, "regexp", operand)
        source, flags = operand, ""
        last = operand.rfind("/")
        if operand.startswith("/") and last > 0:  # "/^a/i"; anything else is the source itself
            source, flags = operand[1:last], operand[last + 1 :]
            invalid = [f for f in flags if f not in REGEXP_FLAGS]
            if invalid:
                raise InvalidFilter(f"Invalid regex flags: {','.join(invalid)}")
        flags = "".join(sorted({f for f in flags + extra_flags if f != "g"}))
        try:
            python_regexp(pcre_regexp(source, flags))
        except re.error as exc:
            raise InvalidFilter(
                f"The {key} property has an invalid regexp {show_value(operand, 80)}: {exc}"
            ) from None
        return Condition(target.prop, "regexp", Pattern(source, flags), target.path)

    def _check_length(self, key: str, op: str, pattern: str) -> None:
        bound = self.limits.max_regexp_length
        if len(pattern) > bound:
            raise InvalidFilter(
                f"The {key} property: the {op} pattern is longer than {bound} characters "
                + limit_hint("max_regexp_length")
            )

    def _near(self, target: Target, key: str, raw: dict[str, Any]) -> Where:
        if target.kind != "geopoint":
            raise InvalidFilter(f"The {key} property: near applies to geopoint properties only")
        lat, lng = _geopoint(key, raw["near"])
        max_distance = raw.get("maxDistance")
        if max_distance is not None:
            number = _number_text(max_distance)
            if number is None or number < 0:
                raise InvalidFilter(
                    f"The {key} property: maxDistance {show_value(max_distance)} is not a "
                    "number of at least 0"
                )
            max_distance = number if number > 0 else None  # LB3: 0 means no maximum
        unit = raw.get("unit", "miles")
        if not isinstance(unit, str) or unit not in EARTH_RADIUS:
            raise InvalidFilter(
                f"The {key} property: unit {show_value(unit)} is not one of "
                f"{', '.join(EARTH_RADIUS)}"
            )
        return Condition(target.prop, "near", Near(lat, lng, max_distance, unit))

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

    def _limit(self, raw: Any) -> int | None:
        limit = self._count("limit", raw)
        bound = self.limits.max_limit
        if limit is not None and limit > bound:
            raise InvalidFilter(
                f"The limit {limit} is over this server's maximum of {bound} "
                + limit_hint("max_limit")
            )
        return limit

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


def _date_text(value: Any) -> str:
    """A date inside a JSON value is stored as LB3 prints it, so it is compared as that text."""
    return format_date(parse_date(value))


def _number_text(value: Any) -> float | None:
    """A number, or its text (the bracket form sends text); None when it is neither."""
    if isinstance(value, str):
        try:
            value = float(value)
        except ValueError:
            return None
    if isinstance(value, bool) or not isinstance(value, int | float) or not math.isfinite(value):
        return None
    return float(value)


def _geopoint(key: str, raw: Any) -> tuple[float, float]:
    """LB3's GeoPoint forms: {lat, lng}, [lat, lng], "lat,lng" or that object as JSON text."""
    value = raw
    if isinstance(value, str):
        try:
            value = json.loads(value)
        except ValueError:
            value = [part.strip() for part in value.split(",")]
    if isinstance(value, dict) and set(value) == {"lat", "lng"}:
        value = [value["lat"], value["lng"]]
    if isinstance(value, dict) and all(k.isdigit() for k in value):  # bracket form of an array
        value = [value[k] for k in sorted(value, key=int)]
    if isinstance(value, list) and len(value) == 2:
        lat, lng = _number_text(value[0]), _number_text(value[1])
        if lat is not None and lng is not None and -90 <= lat <= 90 and -180 <= lng <= 180:
            return lat, lng
    raise InvalidFilter(
        f"The {key} property: near {show_value(raw)} is not a geopoint "
        '({"lat": -90..90, "lng": -180..180}, [lat, lng] or "lat,lng")'
    )


def _truthy(value: Any) -> bool:
    return value not in (False, 0, "false", "0", None)
