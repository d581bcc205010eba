"""Values between JSON, Python and the database, per LB3 property type; converters are chosen once per
property at start-up, so a request only calls them.

LB3 coerces silently (`"abc"` sent to a number property is stored as null); we refuse what would lose or
invent data with a 422. What LB3 coerces without loss is accepted as LB3 accepts it, because LB3 clients
and HTML forms send it: decimal text for a number (`"3.5"`), `"true"`/`"false"` for a boolean, a date
without a time, a geopoint as `"lat,lng"` text.
"""

from __future__ import annotations

import base64
import binascii
import math
import re
from collections.abc import Callable
from datetime import UTC, date, datetime
from typing import Any

from .registry import PropertyMeta

INT64_MAX = 2**63 - 1


class Invalid(Exception):
    """A value a property cannot hold: (LB3 validation code, message)."""

    def __init__(self, code: str, message: str) -> None:
        super().__init__(message)
        self.code = code
        self.message = message


Converter = Callable[[Any], Any]


def parse_date(value: Any) -> datetime:
    """ISO 8601 date or date-time -> naive UTC datetime; naive input is read as UTC."""
    if not isinstance(value, str) or not value.strip():
        raise Invalid("date", "is not a valid date")
    text = value.strip()
    try:
        if len(text) == 10:
            parsed = datetime.combine(date.fromisoformat(text), datetime.min.time())
        else:
            parsed = datetime.fromisoformat(text.replace("z", "Z"))
        if parsed.tzinfo is not None:
            parsed = parsed.astimezone(UTC).replace(tzinfo=None)
    except (ValueError, OverflowError):  # OverflowError: an offset pushes it past year 1 or 9999
        raise Invalid("date", "is not a valid date") from None
    # JavaScript dates hold milliseconds: keep no more, so a returned value finds its row again
    return parsed.replace(microsecond=parsed.microsecond // 1000 * 1000)


def format_date(value: datetime | date | str) -> str:
    """LB3 prints dates as JavaScript's toISOString: UTC, milliseconds, `Z`."""
    if isinstance(value, str):  # some drivers return text for DATETIME columns
        value = parse_date(value)
    elif not isinstance(value, datetime):  # a DATE column (a discovered database): midnight UTC
        value = datetime.combine(value, datetime.min.time())
    if value.tzinfo is not None:
        value = value.astimezone(UTC).replace(tzinfo=None)
    # not strftime: %Y does not pad years before 1000 on every platform ("72-07-21")
    return (
        f"{value.year:04d}-{value.month:02d}-{value.day:02d}T{value.hour:02d}:{value.minute:02d}:"
        f"{value.second:02d}.{value.microsecond // 1000:03d}Z"
    )


def _string(v: Any) -> str:
    if not isinstance(v, str):
        raise Invalid("type", "is not a string")
    if "\x00" in v:
        raise Invalid("type", "contains a NUL character")
    return v


DECIMAL = re.compile(r"-?(?:\d+\.?\d*|\.\d+)(?:[eE][-+]?\d+)?")


def _decimal_text(v: str) -> float | int:
    """Decimal text as JavaScript's Number() reads it, but only plain decimals: "", "0x10",
    "Infinity" and "1,5" are not numbers here (LB3 turns them into 0, 16, Infinity and null)."""
    text = v.strip()
    if not DECIMAL.fullmatch(text):
        raise Invalid("type", "is not a number")
    return float(text) if any(c in text for c in ".eE") else int(text)


def _number(v: Any) -> float | int:
    if isinstance(v, str):
        v = _decimal_text(v)
    if isinstance(v, bool) or not isinstance(v, (int, float)):
        raise Invalid("type", "is not a number")
    if isinstance(v, float) and not math.isfinite(v):
        raise Invalid("type", "is not a finite number")
    if isinstance(v, int) and abs(v) > 2**53:
        # a number property is a double, as in LB3: JSON's 2**60 reads as JavaScript reads it
        try:
            return float(v)
        except OverflowError:
            raise Invalid("type", "is too large for a number") from None
    return v


def _integer_id(v: Any) -> int:
    if (
        isinstance(v, str) and v.isascii() and v.isdigit()
    ):  # a foreign key from a form or LB3 client
        v = int(v)
    if isinstance(v, bool) or not isinstance(v, int) or not 1 <= v <= INT64_MAX:
        raise Invalid("type", "is not a valid id")
    return v


def integral(bits: int) -> Converter:
    """A number property stored in an integer column (LB3's `dataType: "integer"`): a value the
    column would round or overflow is refused, never silently changed."""
    low, high = -(2 ** (bits - 1)), 2 ** (bits - 1) - 1

    def convert(v: Any) -> int:
        number = _number(v)
        if isinstance(number, float):
            if not number.is_integer():
                raise Invalid("type", "is not an integer (its column holds integers)")
            number = int(number)
        if not low <= number <= high:
            raise Invalid("type", f"is out of range for its {bits}-bit integer column")
        return number

    return convert


def _boolean(v: Any) -> bool:
    if v in ("true", "false"):  # LB3 reads every other string as true; we refuse them
        return bool(v == "true")
    if not isinstance(v, bool):
        raise Invalid("type", "is not a boolean")
    return v


def _object(v: Any) -> dict[str, Any]:
    if not isinstance(v, dict):
        raise Invalid("type", "is not an object")
    return v


def _geopoint(v: Any) -> dict[str, Any]:
    if isinstance(v, str):  # LB3's GeoPoint text form, "47.8095,13.0550"
        first, comma, second = v.partition(",")
        if not comma:
            raise Invalid("type", "is not a geopoint {lat, lng}")
        v = {"lat": first, "lng": second}
    if not isinstance(v, dict) or set(v) - {"lat", "lng"} or len(v) != 2:
        raise Invalid("type", "is not a geopoint {lat, lng}")
    try:
        lat, lng = _number(v["lat"]), _number(v["lng"])
    except Invalid:
        raise Invalid("type", "is not a geopoint {lat, lng}") from None
    if not (-90 <= lat <= 90 and -180 <= lng <= 180):
        raise Invalid("type", "is not a geopoint {lat, lng}")
    return {"lat": lat, "lng": lng}


def _buffer(v: Any) -> bytes:
    if not isinstance(v, str):
        raise Invalid("type", "is not base64 text")
    try:
        return base64.b64decode(v, validate=True)
    except (binascii.Error, ValueError):
        raise Invalid("type", "is not base64 text") from None


def _any(v: Any) -> Any:
    return v


SCALARS: dict[str, Converter] = {
    "string": _string,
    "number": _number,
    "boolean": _boolean,
    "date": parse_date,
    "object": _object,
    "geopoint": _geopoint,
    "buffer": _buffer,
    "any": _any,
}


def input_converter(prop: PropertyMeta) -> Converter:
    """JSON value from a client -> value for the database column; raises Invalid."""
    if prop.integer:
        return _integer_id
    if prop.type == "array":
        item = SCALARS.get(prop.item_type or "any", _any)
        if prop.item_type == "date":  # stored as JSON: keep the text, but check it
            item = _checked_date_text

        def array(v: Any) -> list[Any]:
            if not isinstance(v, list):
                raise Invalid("type", "is not an array")
            return [item(x) for x in v]

        return array
    return SCALARS.get(prop.type, _any)


def _checked_date_text(v: Any) -> str:
    return format_date(parse_date(v))


def output_converter(prop: PropertyMeta) -> Converter | None:
    """Database value -> JSON value; None when the value passes through unchanged."""
    if prop.type == "date":
        return lambda v: None if v is None else format_date(v)
    if prop.type == "number" and not prop.integer:
        # JavaScript has one number type: 3.0 prints as 3
        return lambda v: int(v) if isinstance(v, float) and v.is_integer() and abs(v) < 2**53 else v
    if prop.type == "buffer":
        return lambda v: None if v is None else base64.b64encode(v).decode()
    if prop.type == "boolean":
        return lambda v: None if v is None else bool(v)
    return None


def query_converter(prop: PropertyMeta) -> Converter:
    """A value compared with the property in a filter. Text from the bracket syntax and numeric strings
    are coerced as LB3 does; what cannot be coerced raises Invalid (LB3 silently matches nothing)."""
    if prop.integer:

        def integer_key(v: Any) -> int:
            if isinstance(v, str) and v.strip().lstrip("-").isdigit():
                v = int(v)
            elif isinstance(v, float) and v.is_integer() and abs(v) <= 2**53:
                v = int(v)  # 3.0 is 3 in JavaScript too
            if isinstance(v, bool) or not isinstance(v, int) or not -(2**63) <= v <= INT64_MAX:
                raise Invalid("type", "is not a valid id")
            return v

        return integer_key
    if prop.type == "number":
        return _number
    if prop.type == "boolean":

        def boolean(v: Any) -> bool:
            if isinstance(v, str) and v in ("true", "false"):
                return v == "true"
            return _boolean(v)

        return boolean
    if prop.type == "date":
        return parse_date
    if prop.type == "string":
        # LB3 stringifies a number compared with a string property; we refuse it, as the schema
        # does (the bracket form sends text anyway)
        return _string
    raise Invalid("type", f"cannot be used in a filter (type {prop.type})")
