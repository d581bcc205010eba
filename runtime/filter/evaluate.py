"""A parsed `Filter` applied to plain dicts in memory: for data that is not rows of a table (the
items of an embedsMany, kept as JSON inside the parent's row). Pure; no I/O.

The semantics are LB3's memory connector's, made type-aware: a condition's value already has its
property's Python type (the parser converted it), and an item's value is compared only with a value of
the same kind (a number never equals a string, `true` never equals 1). Dates held as JSON text are
read as datetimes. `null`: `eq null` matches a missing or null value, `neq`/`nin` match it (null is not
equal to any value), every ordering comparison with it is false.
"""

from __future__ import annotations

import functools
import math
import re
from collections.abc import Collection, Iterable, Mapping
from datetime import datetime
from typing import Any

import orjson

from ..coercion import Invalid, parse_date
from .ast import And, Condition, Filter, Near, Or, OrderBy, Pattern, Where
from .patterns import ESCAPE, pcre_regexp, python_regexp

DEG2RAD = 0.01745329252  # LB3's geo.js, as the SQL builder uses
EARTH_RADIUS = {
    "kilometers": 6370.99056,
    "meters": 6370990.56,
    "miles": 3958.75,
    "feet": 20902200.0,
    "radians": 1.0,
    "degrees": 57.29577951308,
}


def apply(
    flt: Filter, items: Iterable[Mapping[str, Any]], *, dates: Collection[str] = ()
) -> list[dict[str, Any]]:
    """The items a whole filter selects: where, then order, skip and limit, then fields.

    `dates`: the date properties, whose JSON text is ordered and compared as datetimes. Equal items
    keep their given order, so a page is deterministic. `limit` 0 means no limit, as in LB3."""
    selected = [dict(item) for item in items if matches(flt.where, item, dates=dates)]
    ordered = sort(selected, flt.order, dates=dates)
    near = _near_of(flt.where)
    if near is not None:  # nearest first, the order breaking ties (as LB3 and the SQL builder)
        ordered.sort(key=lambda item: _distance(item.get(near.prop), near.value) or 0.0)
    end = flt.skip + flt.limit if flt.limit else None
    page = ordered[flt.skip : end]
    if flt.fields is None:
        return page
    return [{name: item[name] for name in flt.fields if name in item} for item in page]


def count(
    where: Where | None, items: Iterable[Mapping[str, Any]], *, dates: Collection[str] = ()
) -> int:
    return sum(1 for item in items if matches(where, item, dates=dates))


def matches(where: Where | None, item: Mapping[str, Any], *, dates: Collection[str] = ()) -> bool:
    """Whether one item satisfies a where clause (None matches every item, `Or(())` none)."""
    if where is None:
        return True
    if isinstance(where, And):
        return all(matches(part, item, dates=dates) for part in where.items)
    if isinstance(where, Or):
        return any(matches(part, item, dates=dates) for part in where.items)
    if isinstance(where, Condition):
        if where.op == "near":
            found = _distance(item.get(where.prop), where.value)
            limit = where.value.max_distance
            return found is not None and (limit is None or found <= limit)
        value = _value(item, where.prop, dates) if not where.path else _at(item, where)
        if where.op == "exists" or (where.value is None and where.op in ("eq", "neq")):
            present = where.value if where.op == "exists" else where.op == "neq"
            return (value is not None) == present
        if isinstance(value, list) and not where.path:  # an array property: membership
            return _test_array(where, value)
        return _test(where, value)
    raise TypeError(f"{type(where).__name__} reads another table and cannot be evaluated in memory")


def sort(
    items: list[dict[str, Any]], order: tuple[OrderBy, ...], *, dates: Collection[str] = ()
) -> list[dict[str, Any]]:
    """Stable multi-key order. A missing or null value sorts after every value in ascending order
    and before them in descending order (LB3's memory connector puts undefined there)."""
    out = list(items)
    for key in reversed(order):  # stable sorts, least significant key first
        out.sort(key=lambda item: _sort_key(_value(item, key.prop, dates)), reverse=key.descending)
    return out


def _value(item: Mapping[str, Any], prop: str, dates: Collection[str]) -> Any:
    head, _, rest = prop.partition(".")
    value = item.get(head)
    for key in rest.split(".") if rest else ():  # an order key's path inside a JSON value
        value = value.get(key) if isinstance(value, dict) else None
    if prop in dates and isinstance(value, str):
        return _as_date(value)
    return value


def _at(item: Mapping[str, Any], cond: Condition) -> Any:
    value: Any = item.get(cond.prop)
    for key in cond.path:
        value = value.get(key) if isinstance(value, dict) else None
    return value


def _test_array(cond: Condition, values: list[Any]) -> bool:
    options = (cond.value,) if cond.op in ("eq", "neq") else cond.value
    found = any(_compare(x, option) == 0 for x in values for option in options)
    if cond.op in ("eq", "inq"):
        return found
    if cond.op in ("neq", "nin"):
        return not found
    return False


def _distance(point: Any, near: Near) -> float | None:
    """LB3's haversine distance (geo.js) from near to a {lat, lng} value; None without one."""
    if not isinstance(point, dict):
        return None
    lat, lng = point.get("lat"), point.get("lng")
    if (
        not isinstance(lat, int | float)
        or not isinstance(lng, int | float)
        or _kind(lat) != "number"
    ):
        return None
    x1, y1, x2, y2 = (float(v) * DEG2RAD for v in (near.lat, near.lng, lat, lng))
    hav_lat, hav_lng = math.sin((x2 - x1) / 2) ** 2, math.sin((y2 - y1) / 2) ** 2
    f = math.sqrt(hav_lat + math.cos(x2) * math.cos(x1) * hav_lng)
    return 2 * math.asin(min(f, 1.0)) * EARTH_RADIUS[near.unit]


def _near_of(where: Where | None) -> Condition | None:
    if isinstance(where, Condition):
        return where if where.op == "near" else None
    if isinstance(where, And):
        return next((c for item in where.items if (c := _near_of(item)) is not None), None)
    return None


@functools.lru_cache(maxsize=256)
def _like_regexp(pattern: str, fold: bool) -> re.Pattern[str]:
    """A LIKE pattern as the whole-text regular expression it stands for."""
    out: list[str] = []
    chars = iter(pattern)
    for char in chars:
        if char == ESCAPE:
            out.append(re.escape(next(chars, ESCAPE)))
        elif char == "%":
            out.append(".*")
        elif char == "_":
            out.append(".")
        else:
            out.append(re.escape(char))
    return re.compile("".join(out), re.DOTALL | (re.IGNORECASE if fold else 0))


@functools.lru_cache(maxsize=256)
def _regexp(pattern: Pattern) -> re.Pattern[str]:
    return python_regexp(pcre_regexp(pattern.source, pattern.flags))


def _test(cond: Condition, value: Any) -> bool:
    op, expected = cond.op, cond.value
    if op in ("like", "nlike", "ilike", "nilike"):
        if not isinstance(value, str):  # NULL (and any other kind) never matches, either way
            return False
        hit = _like_regexp(expected, op in ("ilike", "nilike")).fullmatch(value) is not None
        return hit != (op[0] == "n")
    if op == "regexp":
        return isinstance(value, str) and _regexp(expected).search(value) is not None
    if op == "eq":
        return value is None if expected is None else _compare(value, expected) == 0
    if op == "neq":
        return value is not None if expected is None else _compare(value, expected) != 0
    if op == "inq":
        return any(_compare(value, option) == 0 for option in expected)
    if op == "nin":
        return all(_compare(value, option) != 0 for option in expected)
    if op == "between":
        low, high = expected
        above, below = _compare(value, low), _compare(value, high)
        return above is not None and below is not None and above >= 0 and below <= 0
    order = _compare(value, expected)
    if order is None:
        return False
    if op == "gt":
        return order > 0
    if op == "gte":
        return order >= 0
    if op == "lt":
        return order < 0
    if op == "lte":
        return order <= 0
    raise ValueError(f'The "{op}" operator cannot be evaluated in memory')


def _compare(value: Any, expected: Any) -> int | None:
    """-1/0/1 comparing an item's value with a condition's; None when they cannot be compared (a
    null, or values of different kinds)."""
    if value is None or expected is None:
        return None
    if isinstance(expected, datetime) and isinstance(value, str):
        value = _as_date(value)
    if _kind(value) != _kind(expected):
        return None
    if _kind(value) == "other":
        return 0 if value == expected else None
    return int(value > expected) - int(value < expected)


def _kind(value: Any) -> str:
    if isinstance(value, bool):
        return "boolean"
    if isinstance(value, int | float):
        return "number"
    if isinstance(value, str):
        return "string"
    if isinstance(value, datetime):
        return "date"
    return "other"


_KIND_RANK = {"boolean": 0, "number": 1, "string": 2, "date": 3, "other": 4}


def _sort_key(value: Any) -> tuple[bool, int, Any]:
    """Nulls last, then values grouped by kind (only one kind is expected per property, but mixed
    data must not make the sort raise), then the value."""
    if value is None:
        return (True, 0, 0)
    kind = _kind(value)
    if kind == "other":
        return (False, _KIND_RANK[kind], orjson.dumps(value, option=orjson.OPT_SORT_KEYS))
    return (False, _KIND_RANK[kind], value)


def _as_date(text: str) -> datetime | None:
    try:
        return parse_date(text)
    except Invalid:
        return None
