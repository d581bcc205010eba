"""A remote method's arguments, read from the request and converted as LB3's strong-remoting converts
them (checked against loopback 3.28):

    ?hour=7.5 (number)      7.5          ?hour=abc    400 "Value is not a number."
    ?n=2.5 (integer)        400 "Value is not a safe integer."
    ?b=true|false|1|0       a bool       ?b=abc       400 "Value is not a boolean."
    ?d=2020-01-01 or ms     a datetime   ?d=garbage   400 'Invalid argument "d". Value is not a valid date.'
    ?o={"x":1} or o[x]=1    a dict       ?o=text      400 "Value is not an object."
    ?a=1&a=2, ?a=[1,2]      a list       ?a=x         ["x"]
    ?hour= (empty)          absent: a required argument is then 400 "hour is a required argument"

Readers take the argument from its `http.source`; converters check or convert its value. The
generated binders (specgen/templates) call these same functions, unrolled per method; `binder()` builds
the equivalent at start-up for a method registered from Python.
"""

from __future__ import annotations

import math
import re
from collections.abc import Awaitable, Callable
from datetime import UTC, datetime
from typing import Any

import pydantic

from .. import jsonio
from ..coercion import Invalid, parse_date
from ..errors import NOT_AN_OBJECT, BadRequest, ModelNotFound, ValidationFailed
from ..filter.querystring import bracket_param
from ..http import LbRequest


class _Missing:
    def __repr__(self) -> str:
        return "MISSING"

    def __bool__(self) -> bool:
        return False


MISSING: Any = _Missing()  # an argument the request did not send
MAX_SAFE = 2**53 - 1
_NUMBER = re.compile(r"^\s*[-+]?(\d+\.?\d*|\.\d+)([eE][-+]?\d+)?\s*$")

# ---- readers -------------------------------------------------------------------------------------


def query(req: LbRequest, name: str) -> Any:
    """The query value (several for a repeated key); an empty value counts as absent, as in LB3."""
    values = req.query_values(name)
    if not values:
        bracket = bracket_param(req.query_pairs(), name)  # o[x]=1
        return MISSING if bracket is None else bracket
    if len(values) > 1:
        return values
    return values[0] if values[0] != "" else MISSING


def instance_id(req: LbRequest) -> str:
    """An instance method's `{id}`: one no instance can have is LB3's 404 from its sharedCtor."""
    raw = req.path_id
    if req.model.codec.coerce_id(raw) is None:
        raise ModelNotFound(f"could not find a model with id {raw}")
    return raw


def path(req: LbRequest, name: str) -> Any:
    return str(req.scope["path_params"][name])


def header(req: LbRequest, name: str) -> Any:
    value = req.header(name.lower().encode("latin-1"))
    return MISSING if value is None or value == "" else value


async def body(req: LbRequest) -> Any:
    """The whole JSON body (`http.source: body`); no body is `{}`, as Express's body parser leaves
    `req.body` for LB3 (so `credentials` of a login without a body is an empty object)."""
    value = await req.json_body()
    return {} if value is None else value


async def form(req: LbRequest) -> dict[str, Any]:
    """The JSON object whose fields `http.source: form` arguments are."""
    value = await req.json_body()
    if value is None:
        return {}
    if not isinstance(value, dict):
        raise BadRequest(NOT_AN_OBJECT)
    return value


def field(data: dict[str, Any], name: str) -> Any:
    return data.get(name, MISSING)


# ---- converters: text from a query/path/header (LB3's "sloppy" values) or JSON from a body -------


def number(value: Any) -> Any:
    if value is MISSING or value is None:
        return value
    if isinstance(value, bool):
        raise BadRequest("Value is not a number.")
    if isinstance(value, int | float):
        return value
    if isinstance(value, str) and _NUMBER.match(value):
        parsed = float(value)
        if math.isfinite(parsed):
            integral = parsed.is_integer() and "." not in value and "e" not in value.lower()
            return int(parsed) if integral else parsed
    raise BadRequest("Value is not a number.")


def integer(value: Any) -> Any:
    parsed = number(value)
    if parsed is MISSING or parsed is None:
        return parsed
    if isinstance(parsed, float):
        if not parsed.is_integer():
            raise BadRequest("Value is not a safe integer.")
        parsed = int(parsed)
    if abs(parsed) > MAX_SAFE:
        raise BadRequest("Value is not a safe integer.")
    return parsed


def boolean(value: Any) -> Any:
    if value is MISSING or value is None or isinstance(value, bool):
        return value
    if isinstance(value, str):
        lowered = value.strip().lower()
        if lowered in ("true", "1"):
            return True
        if lowered in ("false", "0"):
            return False
    if value in (0, 1) and not isinstance(value, float):
        return bool(value)
    raise BadRequest("Value is not a boolean.")


def string(value: Any) -> Any:
    if value is MISSING or value is None or isinstance(value, str):
        return value
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    if isinstance(value, dict):
        raise BadRequest("Value is not a string.")
    return str(value)  # a number or boolean from a JSON body, as text


def date(value: Any, name: str = "") -> Any:
    if value is MISSING or value is None:
        return value
    try:
        if isinstance(value, int | float) and not isinstance(value, bool):
            return datetime.fromtimestamp(value / 1000, UTC).replace(tzinfo=None)
        if isinstance(value, str) and re.fullmatch(r"\s*-?\d+\s*", value):
            return datetime.fromtimestamp(int(value) / 1000, UTC).replace(tzinfo=None)
        return parse_date(value)
    except (Invalid, ValueError, OverflowError, OSError):
        raise BadRequest(f'Invalid argument "{name}". Value is not a valid date.') from None


def obj(value: Any) -> Any:
    if value is MISSING or value is None or isinstance(value, dict):
        return value
    if isinstance(value, str):
        try:
            parsed = jsonio.loads(value)
        except jsonio.JSONError:
            parsed = None
        if isinstance(parsed, dict):
            return parsed
    raise BadRequest("Value is not an object.")


def array(value: Any, item: Callable[[Any], Any] | None = None) -> Any:
    if value is MISSING or value is None:
        return value
    if isinstance(value, str):
        text = value.strip()
        if text.startswith("["):
            try:
                value = jsonio.loads(text)
            except jsonio.JSONError:
                raise BadRequest("Value is not an array.") from None
        else:
            value = [value]
    if isinstance(value, dict):  # a[0]=x&a[1]=y arrives as an object keyed by index
        value = list(value.values())
    if not isinstance(value, list):
        raise BadRequest("Value is not an array.")
    convert = item or anything
    return [convert(v) for v in value]


def anything(value: Any) -> Any:
    """LB3's `any` from text: a number or boolean when it reads as one, else the text."""
    if isinstance(value, str):
        if _NUMBER.match(value):
            return number(value)
        if value in ("true", "false"):
            return value == "true"
    return value


JSON_TYPES: dict[str, tuple[type, ...]] = {
    "string": (str,),
    "number": (int, float),
    "integer": (int,),
    "boolean": (bool,),
    "object": (dict,),
    "array": (list,),
    "date": (str, int, float),
}
ARTICLE = {"integer": "an integer", "object": "an object", "array": "an array"}


def typed(value: Any, kind: str) -> Any:
    """A value from a JSON body (`form` or `body` source) must already have the declared JSON type
    (a query string's text is converted instead): 400 otherwise, in LB3's words."""
    if value is MISSING or value is None:
        return value
    types = JSON_TYPES.get(kind)
    if types is not None:
        wrong_bool = isinstance(value, bool) and kind not in ("boolean",)
        if wrong_bool or not isinstance(value, types):
            raise BadRequest(f"Value is not {ARTICLE.get(kind, 'a ' + kind)}.")
    return value


def default(value: Any, fallback: Any) -> Any:
    return fallback if value is MISSING or value is None else value


def present(args: dict[str, Any]) -> dict[str, Any]:
    """The bound arguments without those the request did not send."""
    return {k: v for k, v in args.items() if v is not MISSING}


CONVERTERS: dict[str, Callable[[Any], Any]] = {
    "number": number,
    "integer": integer,
    "boolean": boolean,
    "string": string,
    "object": obj,
    "array": array,
    "any": anything,
    "geopoint": obj,
}


def converter(typ: Any, name: str) -> Callable[[Any], Any]:
    """The converter of an LB3 type (`number`, `[string]`, `date`, a model name: an object)."""
    if isinstance(typ, list):
        inner = converter(typ[0] if typ else "any", name)
        return lambda v: array(v, inner)
    key = typ.lower() if isinstance(typ, str) else "any"
    if key == "date":
        return lambda v: date(v, name)
    if key in CONVERTERS:
        return CONVERTERS[key]
    return obj  # a model name: its data, an object


Binder = Callable[[LbRequest], Awaitable[dict[str, Any]]]


def json_kind(typ: Any) -> str:
    """The JSON type a body value of an LB3 type must have (`any` and unknown types: `any`)."""
    if isinstance(typ, list):
        return "array"
    key = typ.lower() if isinstance(typ, str) else "any"
    return key if key in JSON_TYPES else ("any" if key in CONVERTERS else "object")


def source_of(spec: dict[str, Any]) -> str:
    """An argument's `http.source`; LB3's `http: 'optionsFromRequest'` is the context."""
    http = spec.get("http")
    if isinstance(http, dict):
        return str(http.get("source", "query"))
    return "context" if isinstance(http, str) else "query"


def binder(accepts: tuple[dict[str, Any], ...], *, is_static: bool = True) -> Binder:
    """A binder for a method declared at run time (what the generated binders do, built once)."""
    steps: list[tuple[str, str, Callable[[Any], Any], Any, bool, str]] = []
    for spec in accepts:
        name = str(spec["arg"])
        source = source_of(spec)
        steps.append((name, source, converter(spec.get("type", "any"), name),
                      spec.get("default"), "default" in spec, json_kind(spec.get("type"))))  # fmt: skip
    needs_body = any(s[1] == "body" for s in steps)
    needs_form = any(s[1] == "form" for s in steps)

    async def bind(req: LbRequest) -> dict[str, Any]:
        whole = await body(req) if needs_body else MISSING
        fields = await form(req) if needs_form and not needs_body else {}
        args: dict[str, Any] = {} if is_static else {"id": instance_id(req)}
        for name, source, convert, fallback, has_default, kind in steps:
            if source == "query":
                raw = query(req, name)
            elif source == "path":
                raw = path(req, name)
            elif source == "header":
                raw = header(req, name)
            elif source == "body":
                raw = typed(whole, kind)
            elif source == "form":
                raw = typed(field(fields, name), kind)
            elif source == "req":
                args[name] = req
                continue
            else:  # res, context: supplied when the method is called
                continue
            value = convert(raw)
            if has_default:
                value = default(value, fallback)
            args[name] = value
        return present(args)

    return bind


def instance(schema: Any, model: str, value: Any) -> Any:
    """A model-typed argument: an object that the generated pydantic model of the model's create
    body (`generated/<app>/models.py`) accepts, else LB3's 422 ValidationError. The dict itself is
    passed on, so its values stay JSON values, as in every other model method."""
    value = obj(value)
    if value is MISSING or value is None:
        return value
    try:
        schema.model_validate(value)
    except pydantic.ValidationError as exc:
        problems = [
            (".".join(str(p) for p in e["loc"]) or model, e["type"], e["msg"], e.get("input"))
            for e in exc.errors()
        ]
        raise ValidationFailed(model, problems) from None
    return value
