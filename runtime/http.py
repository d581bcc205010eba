"""The HTTP boundary: one ASGI endpoint per OpenAPI operation, built once at start-up.

connexion 3.3 rebuilds its request validator, URI parser and handler decorator chain on every request
and cannot take LB3's bracket filters; the stack prototype measured it at a fraction of bare Starlette.
So connexion keeps what it does well (spec loading, routing, Swagger UI, lifespan) and hands each
matched request to an `Endpoint`, which reads the path, query and body itself, calls the generated
handler, and renders JSON (orjson) or an LB3 error body. Errors leave here and nowhere else.
"""

from __future__ import annotations

import logging
from collections.abc import Awaitable, Callable
from dataclasses import dataclass
from typing import TYPE_CHECKING, Any
from urllib.parse import quote

import orjson
from starlette.types import Receive, Scope, Send

from . import jsonio
from .errors import (
    NOT_AN_OBJECT,
    BadRequest,
    LoopBackError,
    PayloadTooLarge,
    SyntaxErrorBody,
    UnsupportedMediaType,
)
from .filter.querystring import object_param, split_query
from .forms import FORM, decode_form

if TYPE_CHECKING:
    from .model import Model

logger = logging.getLogger("runtime.http")

JSON_HEADERS = [
    (b"content-type", b"application/json; charset=utf-8"),
    (b"x-content-type-options", b"nosniff"),
]
DEFAULT_BODY_LIMIT = 1024 * 1024


class LbRequest:
    """What a handler may read of one request; parsing happens only on demand."""

    __slots__ = ("_body", "_pairs", "body_limit", "model", "nested", "receive", "relation", "scope")

    def __init__(
        self,
        scope: Scope,
        receive: Receive,
        model: Model,
        body_limit: int,
        relation: str | None = None,
        nested: str | None = None,
    ) -> None:
        self.scope = scope
        self.receive = receive
        self.model = model
        self.body_limit = body_limit
        self.relation = relation  # the relation a relation endpoint reads through
        self.nested = nested  # nestRemoting: the relation of `relation`'s target it then reads
        self._pairs: list[tuple[str, str]] | None = None

    @property
    def path_id(self) -> str:
        return str(self.scope["path_params"]["id"])

    @property
    def path_fk(self) -> str:
        return str(self.scope["path_params"]["fk"])

    @property
    def path_nk(self) -> str:
        return str(self.scope["path_params"]["nk"])

    def query_values(self, name: str) -> list[str]:
        """Every value of a repeated query parameter (`?a=1&a=2`), in order."""
        return [v for k, v in self._query() if k == name]

    def query_pairs(self) -> list[tuple[str, str]]:
        return self._query()

    def query_param(self, name: str) -> str | None:
        return next((v for k, v in self._query() if k == name), None)

    def _query(self) -> list[tuple[str, str]]:
        if self._pairs is None:
            raw = self.scope.get("query_string", b"")
            self._pairs = split_query(raw) if raw else []  # most id reads send no query
        return self._pairs

    def filter(self) -> dict[str, Any] | None:
        return object_param(self._query(), "filter")

    def where(self) -> dict[str, Any] | None:
        return object_param(self._query(), "where")

    def header(self, name: bytes) -> str | None:
        for key, value in self.scope["headers"]:
            if key == name:
                return str(value.decode("latin-1"))
        return None

    async def json_body(self) -> Any:
        """The JSON (or form) body, or None when there is none. 415 for other media types, 400 for
        bytes that are not UTF-8 JSON (a blank JSON body too: LB3's JSON.parse refuses it), 413
        past the size limit."""
        chunks: list[bytes] = []
        size = 0
        more = True
        while more:
            message = await self.receive()
            if message["type"] == "http.disconnect":
                raise BadRequest("The client disconnected before sending the whole body")
            chunk = message.get("body", b"")
            size += len(chunk)
            if size > self.body_limit:
                raise PayloadTooLarge("request entity too large")
            chunks.append(chunk)
            more = message.get("more_body", False)
        raw = b"".join(chunks)
        if not raw:
            return None
        content_type = (self.header(b"content-type") or "").split(";")[0].strip().lower()
        is_json = content_type == "application/json" or content_type.endswith("+json")
        if not is_json and not raw.strip():
            return None  # LB3 parses JSON bodies only: blank text of another type is no body
        if content_type == FORM:
            return decode_form(raw)
        if not is_json:
            raise UnsupportedMediaType(
                f"Unsupported content type {content_type or '(none)'}: send application/json"
            )
        try:
            body = jsonio.loads(raw)
        except jsonio.JSONError as exc:
            raise SyntaxErrorBody(f"The request body is {exc}") from None
        if body is None:  # LB3 reads `null` as {}; we refuse it, as the schema does
            raise BadRequest(NOT_AN_OBJECT)
        return body


Handler = Callable[[LbRequest], Awaitable[Any]]
NO_CONTENT: Any = object()  # a handler's answer for LB3's 204 with an empty body
URL_SAFE = "!#$%&'()*+,/:;=?@[]~"  # what a Location keeps as is; the rest is percent-encoded


@dataclass(frozen=True)
class Redirect:
    """A method's answer that sends the browser elsewhere (User.confirm's `redirect`, which LB3
    sets on the response in an after-remote hook): `status` with `Location`, empty body."""

    location: str
    status: int = 302


async def send_json(send: Send, status: int, payload: Any, *, head: bool = False,
                    headers: list[tuple[bytes, bytes]] | None = None) -> None:  # fmt: skip
    body = b"" if head else orjson.dumps(payload)
    all_headers = [*JSON_HEADERS, (b"content-length", b"%d" % len(body))]
    if headers:
        all_headers += headers
    await send({"type": "http.response.start", "status": status, "headers": all_headers})
    await send({"type": "http.response.body", "body": body})


def error_payload(exc: BaseException) -> tuple[int, dict[str, Any], list[tuple[bytes, bytes]]]:
    if isinstance(exc, LoopBackError):
        headers = [(k.lower().encode(), v.encode("latin-1")) for k, v in exc.headers().items()]
        return exc.status, exc.body(), headers
    status = getattr(exc, "status_code", None) or getattr(exc, "statusCode", None)
    if isinstance(status, int) and 400 <= status <= 599:  # an app's own error, as LB3 renders it
        error: dict[str, Any] = {
            "statusCode": status,
            "name": str(getattr(exc, "name", "Error")),
            "message": str(exc) or "Error",
        }
        for key in ("code", "details"):
            if getattr(exc, key, None) is not None:
                error[key] = getattr(exc, key)
        return status, {"error": error}, []
    logger.error("unhandled error", exc_info=exc)
    body = {
        "error": {
            "statusCode": 500,
            "name": "InternalServerError",
            "message": "Internal Server Error",
        }
    }
    return 500, body, []


class Endpoint:
    """The ASGI app connexion routes one operation to."""

    def __init__(
        self,
        handler: Handler,
        model: Model,
        operation_id: str,
        body_limit: int,
        relation: str | None = None,
        nested: str | None = None,
        status: int = 200,
    ) -> None:
        self.handler = handler  # the operation (runtime/operations): bind, hooks, call
        self.status = status
        self.model = model
        self.operation_id = operation_id
        self.body_limit = body_limit
        self.relation = relation
        self.nested = nested
        self.__name__ = operation_id  # connexion and starlette name routes after their endpoint

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        head = scope["method"] == "HEAD"
        try:
            request = LbRequest(
                scope, receive, self.model, self.body_limit, self.relation, self.nested
            )
            result = await self.handler(request)
        except Exception as exc:  # every error leaves in LB3's shape
            status, payload, headers = error_payload(exc)
            await send_json(send, status, payload, head=head, headers=headers)
            return
        if isinstance(result, Redirect):
            target = quote(result.location, safe=URL_SAFE).encode()  # as express' encodeurl
            location = [(b"location", target), (b"content-length", b"0")]
            await send(
                {"type": "http.response.start", "status": result.status, "headers": location}
            )
            await send({"type": "http.response.body", "body": b""})
            return
        if result is NO_CONTENT:
            await send({"type": "http.response.start", "status": 204, "headers": []})
            await send({"type": "http.response.body", "body": b""})
            return
        await send_json(send, self.status, result, head=head)
