"""Decode LB3's query strings: `filter={json}` and the bracket form `filter[where][or][0][city]=Paris`.

LB3 (through the `qs` package) turns brackets into nested objects, objects with keys 0..n into arrays,
a key repeated into an array of its values (`inq=a&inq=b`, the default encoding of Python `requests`,
Node `querystring` and `URLSearchParams`), and leaves every leaf a string; the parser then coerces
leaves by property type.
"""

from __future__ import annotations

from typing import Any
from urllib.parse import parse_qsl

from .. import jsonio
from ..errors import BadRequest

MAX_BRACKET_DEPTH = 20


def split_query(raw: bytes | str) -> list[tuple[str, str]]:
    text = raw.decode("utf-8", "replace") if isinstance(raw, bytes) else raw
    return parse_qsl(text, keep_blank_values=True)


def _keys(name: str) -> list[str] | None:
    """'filter[where][city]' -> ['filter', 'where', 'city']; None when the name has no brackets."""
    if "[" not in name or not name.endswith("]"):
        return None
    head, _, rest = name.partition("[")
    parts = [head, *rest[:-1].split("][")]
    if len(parts) > MAX_BRACKET_DEPTH:
        raise BadRequest(f"Parameter {head} is nested more than {MAX_BRACKET_DEPTH} levels deep")
    return parts


def _listify(node: Any) -> Any:
    if isinstance(node, list):  # a repeated key's values
        return [_listify(item) for item in node]
    if isinstance(node, dict):
        items = {k: _listify(v) for k, v in node.items()}
        if items and all(k.isdigit() for k in items):
            indexes = sorted(int(k) for k in items)
            if indexes == list(range(len(indexes))):
                return [items[str(i)] for i in indexes]
        return items
    return node


def bracket_param(pairs: list[tuple[str, str]], name: str) -> dict[str, Any] | None:
    """Collect `name[a][b]=v` pairs into a nested object; None when there are none."""
    root: dict[str, Any] = {}
    found = False
    for key, value in pairs:
        parts = _keys(key)
        if not parts or parts[0] != name:
            continue
        found = True
        node = root
        for part in parts[1:-1]:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                raise BadRequest(f"Parameter {key} conflicts with another value")
            node = child
        leaf = parts[-1]
        if leaf == "":  # name[a][]=x appends, as in qs
            leaf = str(sum(1 for k in node if k.isdigit()))
        _put(node, leaf, value, key)
    return _listify(root) if found else None


def nest(pairs: list[tuple[str, str]]) -> dict[str, Any]:
    """Every pair, bracket keys nested, into one object (a form body, as body-parser's
    `extended: true` reads it); the top level stays an object, even with keys 0..n."""
    root: dict[str, Any] = {}
    for key, value in pairs:
        parts = _keys(key) or [key]
        node = root
        for part in parts[:-1]:
            child = node.setdefault(part, {})
            if not isinstance(child, dict):
                raise BadRequest(f"Parameter {key} conflicts with another value")
            node = child
        leaf = parts[-1]
        if leaf == "":
            leaf = str(sum(1 for k in node if k.isdigit()))
        _put(node, leaf, value, key)
    return {k: _listify(v) for k, v in root.items()}


def _put(node: dict[str, Any], leaf: str, value: str, key: str) -> None:
    """Set a leaf; a key seen before collects its values in a list, in order (qs)."""
    if leaf not in node:
        node[leaf] = value
    elif isinstance(node[leaf], str):
        node[leaf] = [node[leaf], value]
    elif isinstance(node[leaf], list):
        node[leaf].append(value)
    else:
        raise BadRequest(f"Parameter {key} conflicts with another value")


def json_param(pairs: list[tuple[str, str]], name: str) -> tuple[bool, Any]:
    """(present, value) of `name={json}`; an empty value counts as absent, as in LB3."""
    for key, value in pairs:
        if key == name:
            if value.strip() == "":
                return False, None
            try:
                return True, jsonio.loads(value)
            except jsonio.JSONError:
                raise BadRequest(
                    f"The {name} parameter is not valid JSON: {value[:60]!r}"
                ) from None
    return False, None


def object_param(pairs: list[tuple[str, str]], name: str) -> dict[str, Any] | None:
    """The JSON form wins over the bracket form; either must be an object (LB3: 'Value is not an
    object.')."""
    present, value = json_param(pairs, name)
    if not present:
        value = bracket_param(pairs, name)
        if value is None:
            return None
    if not isinstance(value, dict):
        raise BadRequest(f"The {name} parameter must be a JSON object. Value is not an object.")
    return value
