"""`compression` in middleware.json: starlette's GZipMiddleware (gzip, as the npm package negotiates
it for every browser), with the package's `threshold` (default 1 kB) and `level`. It sees only
requests that accept gzip (its responders cost about 12 microseconds a request even when they pass a
response through).

Like the npm package, a compressible response says `Vary: Accept-Encoding` whether or not this one
was compressed (GZipMiddleware alone says it only when it compresses), so a cache never hands a gzip
body to a client that did not ask for one, or the reverse.
"""

from __future__ import annotations

import re
from typing import Any

from starlette.middleware.gzip import GZipMiddleware
from starlette.types import ASGIApp, Message, Receive, Scope, Send

from .headers import add_vary, header

THRESHOLD = 1024
_SIZE = re.compile(r"^\s*(\d+(?:\.\d+)?)\s*(b|kb|mb|gb)?\s*$", re.IGNORECASE)
_UNITS = {"b": 1, "kb": 1024, "mb": 1024**2, "gb": 1024**3}


def size_in_bytes(value: Any, default: int) -> int:
    """`1024`, `"1kb"`, `"2.5mb"` -> bytes, as the `bytes` package parses them."""
    if isinstance(value, int | float) and not isinstance(value, bool):
        return int(value)
    found = _SIZE.match(value) if isinstance(value, str) else None
    if not found:
        return default
    return int(float(found.group(1)) * _UNITS[(found.group(2) or "b").lower()])


def compressible(content_type: str) -> bool:
    """What the compressible package (mime-db) says yes to, for the types an API sends."""
    media = content_type.partition(";")[0].strip().lower()
    return (
        media.startswith("text/")
        or media.endswith(("+json", "+xml", "/json", "/xml"))
        or (media in ("application/javascript", "application/x-javascript", "image/svg+xml"))
    )


class Compression:
    def __init__(self, app: ASGIApp, threshold: Any = THRESHOLD, level: int = 6, **_: Any) -> None:
        self.app = app
        self.gzip = GZipMiddleware(
            app, minimum_size=size_in_bytes(threshold, THRESHOLD), compresslevel=int(level)
        )

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_vary(message: Message) -> None:
            if message["type"] == "http.response.start":
                raw = list(message.get("headers", []))
                content_type = next((v for k, v in raw if k.lower() == b"content-type"), b"")
                if compressible(content_type.decode("latin-1")):
                    add_vary(raw, "Accept-Encoding")
                message = {**message, "headers": raw}
            await send(message)

        accepted = header(scope, b"accept-encoding") or ""
        # starlette's responders cost more than the rest of the stack: only where gzip may be sent
        await (self.gzip if "gzip" in accepted else self.app)(scope, receive, send_with_vary)
