"""`cors` in middleware.json: the npm `cors` package's behaviour (2.8, what LB3 scaffolds), byte for byte.

Not starlette's CORSMiddleware: it answers a preflight 200 with a body and only for requests with an
Origin and Access-Control-Request-Method, and it sends nothing on requests without an Origin. LB3
answers every OPTIONS 204 with an empty body, and (with `origin: true`) every response carries
`Vary: Origin` and `Access-Control-Allow-Credentials`, which caches and browsers then see the same.
"""

from __future__ import annotations

from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .headers import add_vary, header, set_missing

DEFAULT_METHODS = "GET,HEAD,PUT,PATCH,POST,DELETE"


class Cors:
    """`{origin, methods, allowedHeaders (or headers), exposedHeaders, credentials, maxAge,
    preflightContinue, optionsSuccessStatus}` as the cors package reads them. `origin`: true reflects
    the request's Origin, a string is sent as is, a list allows those origins, false turns CORS off,
    absent or "*" sends `*`."""

    def __init__(self, app: ASGIApp, **options: Any) -> None:
        self.app = app
        self.origin = options.get("origin", "*")
        self.credentials = options.get("credentials") is True
        self.methods = _joined(options.get("methods", DEFAULT_METHODS))
        allowed = options.get("allowedHeaders", options.get("headers"))
        self.allowed_headers = _joined(allowed) if allowed is not None else None
        self.exposed = _joined(options.get("exposedHeaders"))
        max_age = options.get("maxAge")
        self.max_age = str(max_age) if max_age not in (None, "", False) else ""
        self.preflight_continue = options.get("preflightContinue") is True
        self.success_status = int(options.get("optionsSuccessStatus", 204))

    def _origin_headers(self, request_origin: str | None) -> tuple[list[tuple[bytes, bytes]], bool]:
        """Access-Control-Allow-Origin (when there is one to send) and whether Vary: Origin goes out."""
        if not self.origin or self.origin == "*":
            return [(b"access-control-allow-origin", b"*")], False
        if isinstance(self.origin, str):
            return [(b"access-control-allow-origin", self.origin.encode("latin-1"))], True
        if isinstance(self.origin, list):
            allowed = request_origin in self.origin
        else:
            allowed = bool(self.origin)
        if allowed and request_origin:
            return [(b"access-control-allow-origin", request_origin.encode("latin-1"))], True
        return [], True

    def _common(self, scope: Scope) -> tuple[list[tuple[bytes, bytes]], list[str]]:
        found, vary_origin = self._origin_headers(header(scope, b"origin"))
        vary = ["Origin"] if vary_origin else []
        if self.credentials:
            found.append((b"access-control-allow-credentials", b"true"))
        return found, vary

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or self.origin is False:
            await self.app(scope, receive, send)
            return
        headers, vary = self._common(scope)
        if scope["method"] == "OPTIONS":
            headers.append((b"access-control-allow-methods", self.methods.encode("latin-1")))
            allowed = self.allowed_headers
            if allowed is None:  # reflect what the browser asks for
                allowed = header(scope, b"access-control-request-headers") or ""
                vary.append("Access-Control-Request-Headers")
            if allowed:
                headers.append((b"access-control-allow-headers", allowed.encode("latin-1")))
            if self.max_age:
                headers.append((b"access-control-max-age", self.max_age.encode("latin-1")))
            if self.exposed:
                headers.append((b"access-control-expose-headers", self.exposed.encode("latin-1")))
            if not self.preflight_continue:
                out = [(b"vary", ", ".join(vary).encode())] if vary else []
                out += [*headers, (b"content-length", b"0")]
                await send({"type": "http.response.start", "status": self.success_status,
                            "headers": out})  # fmt: skip
                await send({"type": "http.response.body", "body": b""})
                return
        elif self.exposed:
            headers.append((b"access-control-expose-headers", self.exposed.encode("latin-1")))

        async def send_with_cors(message: Message) -> None:
            if message["type"] == "http.response.start":
                raw = list(message.get("headers", []))
                set_missing(raw, headers)
                for name in vary:
                    add_vary(raw, name)
                message = {**message, "headers": raw}
            await send(message)

        await self.app(scope, receive, send_with_cors)


def _joined(value: Any) -> str:
    if value is None:
        return ""
    if isinstance(value, list):
        return ",".join(str(v) for v in value)
    return str(value)
