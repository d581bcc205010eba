"""The client address a request comes from, as Express's `req.ip` finds it behind proxies, and the
address group the login throttle counts by.

Behind a load balancer the socket address is the proxy's, and the client's is in
`X-Forwarded-For`; but any client can send that header, so it is believed only as far as the
hops are trusted proxies (Express's `trust proxy` with a list, proxy-addr's algorithm): walk from
the socket address back through the header, right to left, and stop at the first address that is
not a trusted proxy. Without trusted proxies the header is ignored, so a forged one cannot dodge
the per-address throttle.

IPv6 clients usually hold a whole /64, so the throttle counts an IPv6 address by its /64; an IPv4
address (also one mapped into IPv6, `::ffff:203.0.113.7`) counts by itself.
"""

from __future__ import annotations

import ipaddress
from collections.abc import Mapping, Sequence
from typing import Any

Network = ipaddress.IPv4Network | ipaddress.IPv6Network
Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def trusted_networks(proxies: Sequence[str]) -> tuple[Network, ...]:
    """Parse the trusted proxies (addresses or CIDR ranges; Express's `loopback`, `linklocal` and
    `uniquelocal` names too), once at start-up. A bad entry is a ValueError naming it."""
    named = {
        "loopback": ("127.0.0.1/8", "::1/128"),
        "linklocal": ("169.254.0.0/16", "fe80::/10"),
        "uniquelocal": ("10.0.0.0/8", "172.16.0.0/12", "192.168.0.0/16", "fc00::/7"),
    }
    out: list[Network] = []
    for entry in proxies:
        for cidr in named.get(entry.strip().lower(), (entry.strip(),)):
            try:
                out.append(ipaddress.ip_network(cidr, strict=False))
            except ValueError:
                raise ValueError(f"trusted proxy {entry!r} is not an address or range") from None
    return tuple(out)


def client_address(scope: Mapping[str, Any], trusted: Sequence[Network] = ()) -> str | None:
    """The client's address for an ASGI request: the socket peer, or, when that is a trusted
    proxy, the rightmost X-Forwarded-For entry that is not one."""
    client = scope.get("client")
    peer = _parse(client[0]) if client else None
    if peer is None:
        return None
    chain: list[Address | None] = [peer]
    if trusted:
        forwarded = ",".join(
            bytes(v).decode("latin-1")
            for k, v in scope.get("headers", ())
            if bytes(k).lower() == b"x-forwarded-for"
        )
        chain += [_parse(p) for p in reversed(forwarded.split(",")) if p.strip()]
    found = peer
    for address in chain:
        if address is None:  # a malformed hop: believe nothing past it
            break
        found = address
        if not any(address in net for net in trusted):
            break
    return str(found)


def throttle_address(address: str) -> str:
    """What the throttle counts: an IPv6 address's /64, an IPv4 address itself."""
    parsed = _parse(address)
    if parsed is None:
        return address
    if isinstance(parsed, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((parsed, 64), strict=False))
    return str(parsed)


def _parse(text: str) -> Address | None:
    try:
        address = ipaddress.ip_address(text.strip().split("%", 1)[0])
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped is not None:
        return address.ipv4_mapped
    return address
