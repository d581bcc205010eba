"""Reading JSON from clients with orjson, which refuses what JSON or UTF-8 do not allow (NaN,
Infinity, numbers past a double's range, invalid UTF-8, lone surrogates) and, like JavaScript, reads an
integer past 64 bits as the nearest double. One reader for bodies and query strings.

`RawJSON` is JSON text written elsewhere (the database: runtime/sql/json_select.py): a result that
is one goes into the response as it is, orjson copying its bytes without reading them."""

from __future__ import annotations

from typing import Any

import orjson

RawJSON = orjson.Fragment  # RawJSON(text): orjson.dumps writes `text` itself, unchecked


class JSONError(ValueError):
    pass


def loads(raw: bytes | str) -> Any:
    try:
        return orjson.loads(raw)
    except orjson.JSONDecodeError as exc:
        if isinstance(raw, bytes):
            try:
                raw.decode("utf-8")
            except UnicodeDecodeError:
                raise JSONError("not valid UTF-8") from None
        raise JSONError(f"not valid JSON: {exc}") from None
