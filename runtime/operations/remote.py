"""Remote methods: LB3's `Model.remoteMethod`, declared in the model JSON's `methods` block (or from
Python with `Model.remote_method`) and implemented in the model's Python module by assignment:

    def setup(Product):
        def status(hour):                       # sync or async, arguments in `accepts` order
            return 6 <= hour < 20, "open"       # several `returns`: a tuple, in order
        Product.status = status
        Product.prototype.restock = restock     # instance methods: fn(instance, *args)

A generated handler calls `invoke(ctx, *args)`, which finds the implementation, checks required
arguments (after the before-remote hooks, as LB3 does), calls it and shapes the result per `returns`.
"""

from __future__ import annotations

import inspect
import logging
import re
from collections.abc import Callable
from dataclasses import dataclass, field
from datetime import datetime
from types import SimpleNamespace
from typing import TYPE_CHECKING, Any

from ..coercion import format_date
from ..errors import BadRequest, LoopBackError
from ..http import NO_CONTENT, Redirect
from .arguments import source_of
from .supplied import SUPPLIERS
from .supplied import supplied as supplied  # generated handlers call remote.supplied

if TYPE_CHECKING:
    from ..context import Context
    from ..model import Model

logger = logging.getLogger("runtime.remote")


class NotImplementedRemote(LoopBackError):
    """A declared remote method with no implementation (LB3 answers a 500 TypeError)."""

    status = 501
    name = "NotImplementedError"


@dataclass
class RemoteMethod:
    """One remote method's declaration (LB3's remoteMethod options)."""

    name: str  # without `prototype.`
    is_static: bool = True
    accepts: tuple[dict[str, Any], ...] = ()
    returns: tuple[dict[str, Any], ...] = ()
    http: tuple[dict[str, Any], ...] = ()
    description: str | None = None
    fn: Callable[..., Any] | None = None  # given to remote_method(fn=...), else found by name
    declared_in_document: bool = False
    _takes_ctx: dict[int, bool] = field(default_factory=dict)

    @property
    def lb_name(self) -> str:
        return self.name if self.is_static else f"prototype.{self.name}"

    def implementation(self, model: Model) -> Callable[..., Any] | None:
        if self.fn is not None:
            return self.fn
        where = vars(model) if self.is_static else vars(model.prototype)
        fn = where.get(self.name)
        return fn if callable(fn) else None

    def takes_ctx(self, fn: Callable[..., Any]) -> bool:
        """The documented Python way to receive the Context: a keyword-only `ctx` parameter."""
        key = id(fn)
        found = self._takes_ctx.get(key)
        if found is None:
            try:
                params = inspect.signature(fn).parameters
            except (TypeError, ValueError):
                params = {}  # type: ignore[assignment]
            found = self._takes_ctx[key] = any(
                p.name == "ctx" and p.kind is p.KEYWORD_ONLY for p in params.values()
            )
        return found

    def error_status(self, index: int = 0) -> int | None:
        http = self.http[index] if index < len(self.http) else {}
        status = http.get("errorStatus")
        return status if isinstance(status, int) else None


def success_status(method: RemoteMethod, index: int = 0) -> int:
    """LB3's `http.status`; a method that returns nothing answers 204."""
    http = method.http[index] if index < len(method.http) else {}
    status = http.get("status")
    if isinstance(status, int):
        return status
    return 200 if method.returns else 204


def from_declaration(name: str, raw: dict[str, Any]) -> RemoteMethod:
    """A method as x-lb-models carries it (specgen/openapi/metadata.py)."""
    return RemoteMethod(
        name=name,
        is_static=bool(raw.get("isStatic", True)),
        accepts=tuple(raw.get("accepts", ())),
        returns=tuple(raw.get("returns", ())),
        http=tuple(raw.get("http", ())),
        description=raw.get("description"),
        declared_in_document=True,
    )


def _as_tuple(value: Any) -> tuple[dict[str, Any], ...]:
    if value is None:
        return ()
    return tuple(value) if isinstance(value, list | tuple) else (value,)


def declare(
    name: str,
    *,
    accepts: Any = None,
    returns: Any = None,
    http: Any = None,
    is_static: bool | None = None,
    description: str | None = None,
    fn: Callable[..., Any] | None = None,
) -> RemoteMethod:
    static = not name.startswith("prototype.") if is_static is None else is_static
    return RemoteMethod(
        name=name.removeprefix("prototype."),
        is_static=static,
        accepts=_as_tuple(accepts),
        returns=_as_tuple(returns),
        http=_as_tuple(http),
        description=description,
        fn=fn,
    )


class Prototype(SimpleNamespace):
    """`Model.prototype`: where instance methods are assigned, as in LB3 JavaScript."""


async def invoke(ctx: Context, *values: Any) -> Any:
    """Call the method's implementation with the bound arguments (in `accepts` order)."""
    op = ctx.method
    method: RemoteMethod = op.remote
    model = op.model
    fn = method.implementation(model)
    if fn is None:
        raise NotImplementedRemote(
            f"{model.name}.{method.lb_name} is declared but has no implementation: assign it in "
            f"the model's Python module (setup)",
            code="NOT_IMPLEMENTED",
        )
    await ctx.load_principal()  # the method may ask who calls (ctx.access_token, ctx.user_id)
    call_args = values
    if not method.is_static:  # LB3's sharedCtor: the instance first (404), then the arguments
        if ctx.instance is None:
            await op.load_instance(ctx)
        call_args = (ctx.instance, *values)
    args = ctx.args
    for spec in method.accepts:
        if spec.get("required") and args.get(str(spec["arg"])) is None:
            raise BadRequest(f"{spec['arg']} is a required argument")
    try:
        result = fn(*call_args, ctx=ctx) if method.takes_ctx(fn) else fn(*call_args)
        if inspect.isawaitable(result):
            result = await result
    except Exception as exc:
        raise _with_error_status(exc, method.error_status(op.route_index)) from exc
    return shape(method, result)


def _with_error_status(exc: Exception, status: int | None) -> Exception:
    """LB3's `http.errorStatus`: the status of an error that carries none of its own."""
    if status is None or isinstance(exc, LoopBackError):
        return exc
    if getattr(exc, "status_code", None) or getattr(exc, "statusCode", None):
        return exc
    error = LoopBackError(str(exc) or type(exc).__name__)
    error.status = status
    return error


def shape(method: RemoteMethod, result: Any) -> Any:
    """The response body per `returns`: nothing (204), the `root` value, or `{arg: value}`."""
    if isinstance(result, Redirect):  # an answer of its own, whatever the method returns
        return result
    returns = method.returns
    if not returns:
        return NO_CONTENT
    if len(returns) == 1:
        values: tuple[Any, ...] = (result,)
    elif isinstance(result, tuple | list) and len(result) == len(returns):
        values = tuple(result)
    elif isinstance(result, dict):
        values = tuple(result.get(str(r.get("arg"))) for r in returns)
    else:
        raise TypeError(f"{method.lb_name} declares {len(returns)} returns: return a tuple")
    for spec, value in zip(returns, values, strict=True):
        if spec.get("root"):
            return _json(value)
    return {str(s.get("arg")): _json(v) for s, v in zip(returns, values, strict=True)}


def _json(value: Any) -> Any:
    if isinstance(value, datetime):
        return format_date(value)
    return value


def warn_unimplemented(model: Model) -> list[str]:
    """The model's declared methods that nothing implements (logged at start-up)."""
    missing = [m.lb_name for m in model.remote_methods.values() if m.implementation(model) is None]
    for name in missing:
        logger.warning(
            "%s.%s is declared in %s's methods but not implemented: it answers 501 until the "
            "model's Python module assigns it",
            model.name,
            name,
            model.name,
        )
    return missing


def caller(method: RemoteMethod) -> Callable[[Context], Any]:
    """The call step of a method declared from Python (what a generated handler does)."""
    plan: list[tuple[str, str]] = []
    for spec in method.accepts:
        plan.append((str(spec["arg"]), source_of(spec)))

    async def call(ctx: Context) -> Any:
        args = ctx.args
        values: list[Any] = []
        for name, source in plan:
            if source == "context":
                values.append(ctx)
            elif source in SUPPLIERS:
                values.append(await supplied(ctx, source, name))
            else:
                values.append(args.get(name))
        return await invoke(ctx, *values)

    return call


VERBS = {"del": "delete", "all": "post"}


def document_paths(base: str, model: str, method: RemoteMethod) -> dict[str, dict[str, Any]]:
    """Path items for a method registered from Python (JSON-declared ones are in the document):
    enough for routing and the explorer; declare the method in the JSON for typed parameters."""
    paths: dict[str, dict[str, Any]] = {}
    routes = method.http or ({},)
    for index, http in enumerate(routes):
        verb = str(http.get("verb", "post")).lower()
        verb = VERBS.get(verb, verb)
        sub = str(http.get("path") or f"/{method.name}")
        sub = "/" + re.sub(r":(\w+)", r"{\1}", sub).strip("/")
        prefix = base if method.is_static else f"{base}/{{id}}"
        path = prefix if sub == "/" else prefix + sub
        oid = f"{model}.{method.lb_name}" + (f"__{verb}_{index}" if index else "")
        paths.setdefault(path, {})[verb] = {
            "operationId": oid,
            "summary": method.description or f"Remote method {model}.{method.lb_name}.",
            "parameters": [
                {"name": name, "in": "path", "required": True, "schema": {"type": "string"}}
                for name in re.findall(r"\{([^}]+)\}", path)
            ],
            "responses": {"200": {"description": "Request was successful"}},
            "x-lb-operation": {
                "model": model,
                "method": method.lb_name,
                "remote": True,
                "route": index,
            },
        }
    return paths
