"""X-Forwarded-For is believed only from trusted proxies, right to left."""

from __future__ import annotations

import ipaddress

from peduli.core.client_address import client_address, limit_key

PROXIES = (ipaddress.ip_network("10.0.0.0/8"), ipaddress.ip_network("192.0.2.7/32"))


def test_an_untrusted_peer_is_the_client_whatever_its_header_says() -> None:
    assert client_address("203.0.113.9", ["198.51.100.1"], PROXIES) == "203.0.113.9"
    assert client_address("203.0.113.9", [], ()) == "203.0.113.9"
    assert client_address("10.1.2.3", ["198.51.100.1"], ()) == "10.1.2.3"  # none trusted


def test_behind_trusted_proxies_the_right_most_untrusted_address_is_the_client() -> None:
    # The client forged the first entry; our proxies appended the rest.
    header = ["6.6.6.6, 198.51.100.1, 10.0.0.5"]
    assert client_address("192.0.2.7", header, PROXIES) == "198.51.100.1"
    assert client_address("10.0.0.1", ["6.6.6.6", "198.51.100.1"], PROXIES) == "198.51.100.1"


def test_garbage_in_the_header_stops_at_the_last_proxy() -> None:
    assert client_address("10.0.0.1", ["198.51.100.1, nonsense"], PROXIES) == "10.0.0.1"
    assert client_address("10.0.0.1", ["10.0.0.2"], PROXIES) == "10.0.0.2"  # all trusted


def test_limits_count_ipv6_per_64() -> None:
    assert limit_key("2001:db8:1:2:aaaa::1") == limit_key("2001:db8:1:2:bbbb::9")
    assert limit_key("2001:db8:1:2::1") != limit_key("2001:db8:1:3::1")
    assert limit_key("::ffff:203.0.113.9") == "203.0.113.9"
