"""helmet's security headers (helmet 3, what LB3 scaffolds: `helmet#xssFilter`, `helmet#frameguard`,
`helmet#hsts`, `helmet#hidePoweredBy`, `helmet#ieNoOpen`, `helmet#noSniff`, `helmet#noCache`,
`helmet#dnsPrefetchControl`, `helmet#referrerPolicy`, and `helmet` for its default set), with the
values helmet 3.23 sends for the same params.

Each entry is a list of headers computed once at start-up; consecutive entries share one ASGI wrapper.
As in Express, where helmet sets headers before the route runs, a header the response sets itself wins.
"""

from __future__ import annotations

from typing import Any

from starlette.types import ASGIApp, Message, Receive, Scope, Send

Headers = list[tuple[bytes, bytes]]
HSTS_MAX_AGE = 15552000  # helmet 3's default: 180 days, in seconds


def header(scope: Scope, name: bytes) -> str | None:
    for key, value in scope["headers"]:
        if key == name:
            return str(value.decode("latin-1"))
    return None


def set_missing(raw: Headers, headers: Headers) -> None:
    """Add each header the response does not set itself."""
    present = {k.lower() for k, _ in raw}
    for key, value in headers:
        if key not in present:
            raw.append((key, value))
            present.add(key)


def add_vary(raw: Headers, name: str) -> None:
    """Append NAME to the Vary header once, as the `vary` package does."""
    for i, (key, value) in enumerate(raw):
        if key.lower() == b"vary":
            names = [v.strip().lower() for v in value.decode("latin-1").split(",")]
            if name.lower() not in names and "*" not in names:
                raw[i] = (key, value + b", " + name.encode("latin-1"))
            return
    raw.append((b"vary", name.encode("latin-1")))


class SecurityHeaders:
    """Sets `add` headers the response lacks and removes `remove` ones, on every HTTP response."""

    def __init__(self, app: ASGIApp, add: Headers, remove: frozenset[bytes] = frozenset()) -> None:
        self.app = app
        self.add = add
        self.remove = remove

    def merged(self, outer: Headers, remove: frozenset[bytes]) -> SecurityHeaders:
        """One wrapper for this entry and the one before it (OUTER's headers): as in Express, where
        the later entry's setHeader replaces the earlier one's, this entry's headers come first."""
        return SecurityHeaders(self.app, [*self.add, *outer], self.remove | remove)

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_headers(message: Message) -> None:
            if message["type"] == "http.response.start":
                raw = [
                    (k, v) for k, v in message.get("headers", []) if k.lower() not in self.remove
                ]
                set_missing(raw, self.add)
                message = {**message, "headers": raw}
            await send(message)

        await self.app(scope, receive, send_with_headers)


def _options(params: Any) -> dict[str, Any]:
    """helmet reads its first argument as the options object; anything else means defaults (the
    scaffold's `"params": ["deny"]` for frameguard therefore gives helmet's default SAMEORIGIN)."""
    return params if isinstance(params, dict) else {}


def xss_filter(params: Any) -> tuple[Headers, frozenset[bytes]]:
    opts = _options(params)
    value = "1; mode=block" if opts.get("mode", "block") == "block" else "1"
    if opts.get("reportUri"):
        value += f"; report={opts['reportUri']}"
    return [(b"x-xss-protection", value.encode("latin-1"))], frozenset()


def frameguard(params: Any) -> tuple[Headers, frozenset[bytes]]:
    opts = _options(params)
    action = str(opts.get("action", "sameorigin")).lower()
    value = {"deny": "DENY", "sameorigin": "SAMEORIGIN"}.get(action)
    if action == "allow-from" and opts.get("domain"):
        value = f"ALLOW-FROM {opts['domain']}"
    return [(b"x-frame-options", (value or "SAMEORIGIN").encode("latin-1"))], frozenset()


def hsts(params: Any) -> tuple[Headers, frozenset[bytes]]:
    opts = _options(params)
    value = f"max-age={round(opts.get('maxAge', HSTS_MAX_AGE))}"
    if opts.get("includeSubDomains", opts.get("includeSubdomains", True)) is not False:
        value += "; includeSubDomains"
    if opts.get("preload"):
        value += "; preload"
    return [(b"strict-transport-security", value.encode("latin-1"))], frozenset()


def hide_powered_by(params: Any) -> tuple[Headers, frozenset[bytes]]:
    set_to = _options(params).get("setTo")
    if set_to:
        return [(b"x-powered-by", str(set_to).encode("latin-1"))], frozenset()
    return [], frozenset({b"x-powered-by"})


def ie_no_open(_params: Any) -> tuple[Headers, frozenset[bytes]]:
    return [(b"x-download-options", b"noopen")], frozenset()


def no_sniff(_params: Any) -> tuple[Headers, frozenset[bytes]]:
    return [(b"x-content-type-options", b"nosniff")], frozenset()


def no_cache(_params: Any) -> tuple[Headers, frozenset[bytes]]:
    return [
        (b"surrogate-control", b"no-store"),
        (b"cache-control", b"no-store, no-cache, must-revalidate, proxy-revalidate"),
        (b"pragma", b"no-cache"),
        (b"expires", b"0"),
    ], frozenset()


def dns_prefetch_control(params: Any) -> tuple[Headers, frozenset[bytes]]:
    allow = _options(params).get("allow") is True
    return [(b"x-dns-prefetch-control", b"on" if allow else b"off")], frozenset()


def referrer_policy(params: Any) -> tuple[Headers, frozenset[bytes]]:
    policy = _options(params).get("policy", "no-referrer")
    value = ",".join(policy) if isinstance(policy, list) else str(policy)
    return [(b"referrer-policy", value.encode("latin-1"))], frozenset()


def helmet_defaults(params: Any) -> tuple[Headers, frozenset[bytes]]:
    """`helmet` alone: helmet 3's default middleware, each with its own key's options."""
    opts = _options(params)
    add: Headers = []
    remove: frozenset[bytes] = frozenset()
    for key, make in (
        ("dnsPrefetchControl", dns_prefetch_control),
        ("frameguard", frameguard),
        ("hidePoweredBy", hide_powered_by),
        ("hsts", hsts),
        ("ieNoOpen", ie_no_open),
        ("noSniff", no_sniff),
        ("xssFilter", xss_filter),
    ):
        if opts.get(key) is False:
            continue
        more, gone = make(opts.get(key))
        add += more
        remove |= gone
    return add, remove


HELMET = {
    "helmet": helmet_defaults,
    "helmet#xssFilter": xss_filter,
    "helmet#frameguard": frameguard,
    "helmet#hsts": hsts,
    "helmet#hidePoweredBy": hide_powered_by,
    "helmet#ieNoOpen": ie_no_open,
    "helmet#noSniff": no_sniff,
    "helmet#noCache": no_cache,
    "helmet#dnsPrefetchControl": dns_prefetch_control,
    "helmet#referrerPolicy": referrer_policy,
}
