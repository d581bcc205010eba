"""The client JSON reader: everything JSON allows, nothing it does not."""

from __future__ import annotations

import pytest

from runtime.jsonio import JSONError, loads

VALID = [
    ("object", b'{"a": [1, 2.5, null, true]}', {"a": [1, 2.5, None, True]}),
    ("int-past-64-bits-is-a-double", b'{"n": 123456789012345678901234567890}', {"n": 1.2345678901234568e29}),
    ("text-input", '{"s": "caf\u00e9"}', {"s": "caf\u00e9"}),
    ("surrogate-pair", b'{"s": "\\ud83d\\ude00"}', {"s": "\U0001f600"}),
]  # fmt: skip
INVALID = [
    ("nan", b'{"n": NaN}', "not valid JSON"),
    ("infinity", b'{"n": Infinity}', "not valid JSON"),
    ("past-double-range", b'{"n": 1e999}', "not valid JSON"),
    ("lone-surrogate", b'{"s": "\\ud800"}', "not valid JSON"),
    ("invalid-utf8", b'{"s": "\xff"}', "not valid UTF-8"),
    ("truncated", b'{"s": ', "not valid JSON"),
]


@pytest.mark.parametrize(("raw", "expected"), [c[1:] for c in VALID], ids=[c[0] for c in VALID])
def test_valid_json_is_read(raw: bytes | str, expected: object) -> None:
    assert loads(raw) == expected


@pytest.mark.parametrize(("raw", "message"), [c[1:] for c in INVALID], ids=[c[0] for c in INVALID])
def test_invalid_json_is_refused(raw: bytes, message: str) -> None:
    with pytest.raises(JSONError, match=message):
        loads(raw)
