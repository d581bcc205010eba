"""Form bodies (`application/x-www-form-urlencoded`): HTML forms and LB3 clients send them, and LB3's
body-parser reads them with `extended: true`, so `where[lat]=47.8` nests as a query string does.

Every value arrives as text; the model's converters then coerce it as they coerce JSON text (decimal
text for numbers, `true`/`false`, dates, `lat,lng` geopoints) and refuse what would lose data.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from .errors import BadRequest
from .filter.querystring import nest

FORM = "application/x-www-form-urlencoded"


def decode_form(raw: bytes) -> dict[str, Any]:
    """The body as one object; 400 when it is not UTF-8 (a JSON body is held to the same rule)."""
    try:
        pairs = parse_qsl(raw.decode("utf-8"), keep_blank_values=True, errors="strict")
    except UnicodeDecodeError:
        raise BadRequest("The form body is not UTF-8 text") from None
    return nest(pairs)
