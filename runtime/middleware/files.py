"""Files middleware.json serves: `loopback#static` / `serve-static` (a folder, LB3's "add a static web
page" tutorial) and `loopback#favicon` / `serve-favicon` (/favicon.ico).

Static files are starlette's StaticFiles (index.html for folders, ETag and Last-Modified, 304s, no
escaping the folder); as with serve-static, a path it has no file for, or a verb other than GET and
HEAD, goes on to the next middleware (in the end, LB3's JSON 404).
"""

from __future__ import annotations

import hashlib
import struct
from pathlib import Path

from starlette.exceptions import HTTPException
from starlette.staticfiles import StaticFiles
from starlette.types import ASGIApp, Receive, Scope, Send

FAVICON_MAX_AGE = 31536000  # serve-favicon's default: one year, in seconds


class Static:
    """Serve FOLDER's files; fall through on a miss, as serve-static does."""

    def __init__(self, app: ASGIApp, folder: str) -> None:
        self.app = app
        self.files = StaticFiles(directory=folder, html=True)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in ("GET", "HEAD"):
            await self.app(scope, receive, send)
            return
        try:
            response = await self.files.get_response(self.files.get_path(scope), scope)
        except HTTPException:
            await self.app(scope, receive, send)
            return
        await response(scope, receive, send)


class Favicon:
    """/favicon.ico from ICON's bytes (read once), cached for a year as serve-favicon does."""

    def __init__(self, app: ASGIApp, icon: bytes, max_age: int = FAVICON_MAX_AGE) -> None:
        self.app = app
        self.body = icon
        self.etag = f'"{len(icon):x}-{hashlib.sha1(icon).hexdigest()[:27]}"'.encode()
        self.headers = [
            (b"cache-control", f"public, max-age={max_age}".encode()),
            (b"etag", self.etag),
            (b"content-type", b"image/x-icon"),
        ]

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["path"] != "/favicon.ico":
            await self.app(scope, receive, send)
            return
        method = scope["method"]
        if method not in ("GET", "HEAD"):
            status = 200 if method == "OPTIONS" else 405
            allow = [(b"allow", b"GET, HEAD, OPTIONS"), (b"content-length", b"0")]
            await send({"type": "http.response.start", "status": status, "headers": allow})
            await send({"type": "http.response.body", "body": b""})
            return
        fresh = dict(scope["headers"]).get(b"if-none-match") == self.etag
        body = b"" if fresh or method == "HEAD" else self.body
        length = [(b"content-length", str(len(self.body)).encode())] if not fresh else []
        await send({"type": "http.response.start", "status": 304 if fresh else 200,
                    "headers": [*self.headers, *length]})  # fmt: skip
        await send({"type": "http.response.body", "body": body})


def default_icon() -> bytes:
    """A 16x16 icon (a blue square) for `loopback#favicon` without a file, as LB3 serves its own."""
    size = 16
    pixels = struct.pack("<4B", 0xC8, 0x6E, 0x1E, 0xFF) * (size * size)  # BGRA
    mask = b"\x00" * (4 * size)  # the AND mask: every pixel opaque (rows padded to 32 bits)
    info = struct.pack("<IiiHHIIiiII", 40, size, size * 2, 1, 32, 0, len(pixels), 0, 0, 0, 0)
    image = info + pixels + mask
    directory = struct.pack("<BBBBHHII", size, size, 0, 0, 1, 32, len(image), 6 + 16)
    return struct.pack("<HHH", 0, 1, 1) + directory + image


def read_icon(path: str) -> bytes:
    return Path(path).read_bytes()
