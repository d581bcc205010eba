"""LB3's common TimeStamp mixin (loopback-ds-timestamp-mixin 3.x) in Python.

Options as the npm package reads them: `createdAt` and `updatedAt` (property names); `required`,
`validateUpsert` and `silenceWarnings` are accepted and change nothing (the server sets both dates, so
neither is ever missing). The properties themselves are compiled into the document by specgen
(specgen/load/mixins.py), both set on create; this module keeps `updatedAt` current with a
`before save` operation hook: on a full save (`ctx.instance`) and on a partial update (`ctx.data`),
unless the call's options say `skipUpdatedAt`.
"""

from __future__ import annotations

from typing import Any

from ..coercion import Invalid, format_date, parse_date
from ..instances import DEFAULT_FNS


def setup(Model: Any, options: dict[str, Any]) -> None:
    created_at = str(options.get("createdAt", "createdAt"))
    updated_at = str(options.get("updatedAt", "updatedAt"))
    now = DEFAULT_FNS["now"]

    def touch(ctx: Any) -> None:
        if (ctx.options or {}).get("skipUpdatedAt"):
            return
        stamp = format_date(now())  # a JSON value: what a hook sets is validated as client input
        changed = ctx.instance if ctx.instance is not None else ctx.data
        if not _replaceable(changed, updated_at):
            return  # validation refuses what the client sent there (LB3 would overwrite it)
        changed[updated_at] = stamp
        if ctx.instance is not None and ctx.is_new_instance and created_at not in changed:
            # LB3 applies createdAt's defaultFn before this hook runs: never later than updatedAt
            changed[created_at] = stamp

    Model.observe("before save", touch)


def _replaceable(values: dict[str, Any], key: str) -> bool:
    """Whether the stamp may take KEY's place: nothing sent, null, or a date. A value that is no
    date stays, so the write is refused with a 422 as the schema says, not stored as the stamp."""
    value = values.get(key)
    if value is None:
        return True
    try:
        parse_date(value)
    except Invalid:
        return False
    return True
