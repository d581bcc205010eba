"""Routes a boot script adds (`app.add_route("/ping", ping)`), LB3's "add a custom Express route"
tutorial in Python. They are matched before the REST API, in the order they were added; a path they do
not match (or a verb they do not take) goes on, as an Express route calls `next()`.

A route function takes starlette's `Request` (sync or async) and returns a starlette `Response`, or a
value sent as Express's `res.send` sends it: text as `text/html`, bytes as `application/octet-stream`,
None as 204, anything else as JSON. An error leaves in LB3's shape (runtime/http.error_payload).
"""

from __future__ import annotations

import inspect
from collections.abc import Callable, Sequence
from typing import Any

import orjson
from starlette.requests import Request
from starlette.responses import Response
from starlette.routing import Match, Route
from starlette.types import ASGIApp, Receive, Scope, Send

from ..http import JSON_HEADERS, error_payload, send_json

RouteFunction = Callable[[Request], Any]


def _as_response(result: Any) -> Response:
    if isinstance(result, Response):
        return result
    if result is None:
        return Response(status_code=204)
    if isinstance(result, str):
        return Response(result, media_type="text/html; charset=utf-8")
    if isinstance(result, bytes):
        return Response(result, media_type="application/octet-stream")
    response = Response(orjson.dumps(result))
    response.raw_headers = [*JSON_HEADERS, *response.raw_headers[:1]]  # keep content-length
    return response


def _endpoint(fn: RouteFunction) -> Callable[[Request], Any]:
    async def endpoint(request: Request) -> Response:
        result = fn(request)
        if inspect.isawaitable(result):
            result = await result
        return _as_response(result)

    endpoint.__name__ = getattr(fn, "__name__", "route")
    return endpoint


class AppRoutes:
    """The app's own routes, in front of the API; empty costs one check per request."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app
        self.routes: list[Route] = []

    def add(self, path: str, fn: RouteFunction, methods: Sequence[str] = ("GET",)) -> None:
        self.routes.append(Route(path, _endpoint(fn), methods=[m.upper() for m in methods]))

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if self.routes and scope["type"] == "http":
            for route in self.routes:
                match, child = route.matches(scope)
                if match is Match.FULL:
                    scope = {**scope, **child}
                    try:
                        response = await route.endpoint(Request(scope, receive))
                    except Exception as exc:  # every error leaves in LB3's shape
                        status, payload, headers = error_payload(exc)
                        head = scope["method"] == "HEAD"
                        await send_json(send, status, payload, head=head, headers=headers)
                        return
                    await response(scope, receive, send)
                    return
        await self.app(scope, receive, send)
