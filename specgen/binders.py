"""The Python source of each remote method's argument binder and call, for the generated handlers:
the converter of each argument is chosen here, at compile time, from its LB3 type and `http.source`
(runtime/operations/arguments.py holds the converters), and a model-typed body is checked with the
generated pydantic model of its create body."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

from .openapi.remote_methods import SUPPLIED, Arg, RemoteOperation

SIMPLE = {
    "number": "arguments.number",
    "integer": "arguments.integer",
    "boolean": "arguments.boolean",
    "string": "arguments.string",
    "object": "arguments.obj",
    "geopoint": "arguments.obj",
    "any": "arguments.anything",
}


@dataclass(frozen=True)
class RemoteCode:
    python_name: str
    bind_name: str
    verb: str
    path: str
    operation_id: str
    summary: str
    reads_body: bool  # `whole = await arguments.body(req)`
    reads_form: bool  # `fields = await arguments.form(req)`
    args: tuple[tuple[str, str], ...]  # (name, expression) for ctx.args
    values: tuple[str, ...]  # the call's positional values, in `accepts` order
    uses_models: bool

    @property
    def uses_args(self) -> bool:
        """Whether the call reads `ctx.args` (not when every value is supplied or the context)."""
        return any(v.startswith("args.") for v in self.values)


def _converter(typ: Any, name: str, served: set[str], raw: str) -> tuple[str, bool]:
    """(expression converting `raw`, whether it uses the generated pydantic models)."""
    if isinstance(typ, list):
        inner = typ[0] if typ else "any"
        key = inner.lower() if isinstance(inner, str) else "any"
        item = SIMPLE.get(key)
        return (f"arguments.array({raw}, {item})" if item else f"arguments.array({raw})"), False
    key = typ.lower() if isinstance(typ, str) else "any"
    if key == "date":
        return f'arguments.date({raw}, "{name}")', False
    if key == "array":
        return f"arguments.array({raw})", False
    if key in SIMPLE:
        return f"{SIMPLE[key]}({raw})", False
    if isinstance(typ, str) and typ in served and typ.isidentifier():  # its class is New<typ>
        return f'arguments.instance(models.New{typ}, "{typ}", {raw})', True
    return f"arguments.obj({raw})", False


JSON_KINDS = ("string", "number", "integer", "boolean", "object", "array", "date")


def _json_kind(typ: Any, served: set[str]) -> str:
    """The JSON type a body value must already have (runtime/operations/arguments.json_kind)."""
    if isinstance(typ, list):
        return "array"
    key = typ.lower() if isinstance(typ, str) else "any"
    if key in JSON_KINDS:
        return key
    return "any" if key in ("any", "geopoint") or key in SIMPLE else "object"


def _reader(arg: Arg) -> str | None:
    if arg.source == "query":
        return f'arguments.query(req, "{arg.name}")'
    if arg.source == "path":
        return f'arguments.path(req, "{arg.name}")'
    if arg.source == "header":
        return f'arguments.header(req, "{arg.name}")'
    if arg.source == "body":
        return "whole"
    if arg.source == "form":
        return f'arguments.field(fields, "{arg.name}")'
    return None


def remote_code(op: RemoteOperation, served: set[str]) -> RemoteCode:
    entries: list[tuple[str, str]] = []
    values: list[str] = []
    uses_models = False
    if not op.method.is_static:  # the instance is loaded by id before the hooks run
        entries.append(("id", "arguments.instance_id(req)"))
    for arg in op.args:
        if arg.source in ("context", "res"):
            values.append("ctx")
            continue
        if arg.source == "req":
            entries.append((arg.name, "req"))
            values.append(f'args.get("{arg.name}")')
            continue
        if arg.source in SUPPLIED:  # from the caller's token, when the method is called
            values.append(f'await remote.supplied(ctx, "{arg.source}", "{arg.name}")')
            continue
        reader = _reader(arg)
        if reader is None:  # a source nobody reads: the value stays in its place, as None
            values.append("None")
            continue
        kind = _json_kind(arg.type, served)
        if arg.source in ("body", "form") and kind != "any":
            reader = f'arguments.typed({reader}, "{kind}")'
        expr, models = _converter(arg.type, arg.name, served, reader)
        uses_models = uses_models or models
        if arg.has_default and arg.default is not None:
            expr = f"arguments.default({expr}, {arg.default!r})"
        entries.append((arg.name, expr))
        values.append(f'args.get("{arg.name}")')
    return RemoteCode(
        python_name=op.python_name,
        bind_name=f"bind_{op.python_name}",
        verb=op.verb,
        path=op.path,
        operation_id=op.operation_id,
        summary=op.summary,
        reads_body=any(a.source == "body" for a in op.args),
        reads_form=any(a.source == "form" for a in op.args)
        and not any(a.source == "body" for a in op.args),
        args=tuple(entries),
        values=tuple(values),
        uses_models=uses_models,
    )
