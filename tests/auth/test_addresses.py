"""The client address behind trusted proxies, and the address group the throttle counts."""

from __future__ import annotations

from typing import Any

import pytest

from runtime.auth.addresses import client_address, throttle_address, trusted_networks


def scope(peer: str | None, *forwarded: str) -> dict[str, Any]:
    return {
        "type": "http",
        "client": (peer, 51234) if peer else None,
        "headers": [(b"x-forwarded-for", f.encode()) for f in forwarded],
    }


PROXIES = trusted_networks(["10.0.0.0/8", "loopback"])


def test_without_trusted_proxies_the_header_is_ignored() -> None:
    assert client_address(scope("203.0.113.7", "198.51.100.1")) == "203.0.113.7"


def test_a_trusted_proxy_passes_on_the_client() -> None:
    assert client_address(scope("10.0.0.2", "203.0.113.7"), PROXIES) == "203.0.113.7"
    # two proxies: the client is the rightmost address that is not one of ours
    assert client_address(scope("127.0.0.1", "203.0.113.7, 10.1.2.3"), PROXIES) == "203.0.113.7"
    # repeated headers are one list, in order
    assert client_address(scope("10.0.0.2", "203.0.113.7", "10.9.9.9"), PROXIES) == "203.0.113.7"


def test_a_forged_header_cannot_hide_the_client() -> None:
    """The client wrote "1.2.3.4" itself; our proxy appended the address it saw."""
    forged = scope("10.0.0.2", "1.2.3.4, 203.0.113.7")
    assert client_address(forged, PROXIES) == "203.0.113.7"
    # a request straight from the internet: its header is not believed at all
    assert client_address(scope("203.0.113.7", "10.0.0.5"), PROXIES) == "203.0.113.7"


def test_malformed_hops_stop_the_walk() -> None:
    assert client_address(scope("10.0.0.2", "203.0.113.7, garbage"), PROXIES) == "10.0.0.2"
    assert client_address(scope("10.0.0.2", "10.0.0.3"), PROXIES) == "10.0.0.3"  # all trusted


def test_mapped_and_scoped_addresses() -> None:
    assert client_address(scope("::ffff:203.0.113.7")) == "203.0.113.7"
    assert client_address(scope("fe80::1%eth0")) == "fe80::1"
    assert client_address(scope(None)) is None
    assert client_address(scope("not-an-address")) is None


def test_ipv6_counts_by_its_64() -> None:
    assert throttle_address("2001:db8:1:2:aaaa::1") == "2001:db8:1:2::/64"
    assert throttle_address("2001:db8:1:2:bbbb::9") == throttle_address("2001:db8:1:2::5")
    assert throttle_address("2001:db8:1:3::1") != throttle_address("2001:db8:1:2::1")
    assert throttle_address("203.0.113.7") == "203.0.113.7"
    assert throttle_address("::ffff:203.0.113.7") == "203.0.113.7"


def test_trusted_proxy_settings() -> None:
    assert len(trusted_networks(["uniquelocal"])) == 4
    with pytest.raises(ValueError, match=r"'proxy\.example'"):
        trusted_networks(["proxy.example"])
