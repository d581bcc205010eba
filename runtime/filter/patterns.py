"""Pure text helpers for LIKE and regexp operands and JSON path keys, shared by the parser (which
checks them), the SQL builder (which spells them per dialect) and SQLite's REGEXP function."""

from __future__ import annotations

import re

# a key inside a JSON path: what the parser lets through, so that SQL literals need no escaping
PATH_KEY = re.compile(r"^[^\W\d][\w$-]*$|^\$[\w$-]*$")
ESCAPE = "\\"  # LIKE's escape character everywhere (LB3's PostgreSQL connector: ESCAPE E'\\\\')


def like_to_glob(pattern: str) -> str:
    """A LIKE pattern (`%`, `_`, `\\` escapes) as the GLOB pattern that matches the same text:
    SQLite's LIKE ignores ASCII case and its GLOB does not."""
    out: list[str] = []
    chars = iter(pattern)
    for char in chars:
        if char == ESCAPE:
            char = next(chars, ESCAPE)
            out.append(f"[{char}]" if char in "*?[" else char)
        elif char == "%":
            out.append("*")
        elif char == "_":
            out.append("?")
        elif char in "*?[":
            out.append(f"[{char}]")
        else:
            out.append(char)
    return "".join(out)


def pg_regexp(source: str, flags: str) -> str:
    """PostgreSQL's embedded options for JavaScript's semantics: `.` stops at a newline unless `s`,
    `^`/`$` anchor the text unless `m` (modes p, n, s and w of PostgreSQL's AREs)."""
    mode = {(False, False): "p", (True, False): "n", (False, True): "s", (True, True): "w"}[
        ("m" in flags, "s" in flags)
    ]
    return f"(?{mode}{'i' if 'i' in flags else ''}){source}"


def pcre_regexp(source: str, flags: str) -> str:
    """MariaDB's PCRE (and our SQLite function): inline flags, case-sensitive unless `i` whatever
    the collation says."""
    on = "".join(f for f in "ims" if f in flags)
    return f"(?{on})" + source if "i" in flags else f"(?{on}-i){source}"


_INLINE = re.compile(r"^\(\?([ims]*)(?:-i)?\)")


def python_regexp(pattern: str) -> re.Pattern[str]:
    """The pattern a `pcre_regexp` text stands for, compiled by Python's `re` (SQLite's REGEXP)."""
    match = _INLINE.match(pattern)
    flags = 0
    if match:
        for letter in match.group(1):
            flags |= {"i": re.IGNORECASE, "m": re.MULTILINE, "s": re.DOTALL}[letter]
        pattern = pattern[match.end() :]
    return re.compile(pattern, flags)
