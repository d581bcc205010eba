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

from ..coercion import format_date
from ..instances import DEFAULT_FNS


def setup(Model: Any, options: dict[str, Any]) -> None:
    created_at = str(options.get("createdAt", "createdAt"))
    updated_at = str(options.get("updatedAt", "updatedAt"))
    now = DEFAULT_FNS["now"]

    def touch(ctx: Any) -> None:
        if (ctx.options or {}).get("skipUpdatedAt"):
            return
        stamp = format_date(now())  # a JSON value: what a hook sets is validated as client input
        if ctx.instance is not None:
            ctx.instance[updated_at] = stamp
            if ctx.is_new_instance and created_at not in ctx.instance:
                # LB3 applies createdAt's defaultFn before this hook runs: never later than updatedAt
                ctx.instance[created_at] = stamp
        else:
            ctx.data[updated_at] = stamp

    Model.observe("before save", touch)
