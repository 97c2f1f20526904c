"""The caller's address: the TCP peer, or what trusted proxies say in ``X-Forwarded-For``.

``X-Forwarded-For`` is written by the client first and each proxy appends the address it
received the request from, so only the entries appended by our own proxies can be
believed. Reading the list from the right, every entry added by a trusted proxy is
skipped; the first one that is not a trusted proxy is the client. A peer that is not a
trusted proxy is the client itself, whatever its header says, so a caller who changes the
header keeps its address (and its rate limits).
"""

from __future__ import annotations

import ipaddress
from collections.abc import Iterable

from peduli.core.config import Network

Address = ipaddress.IPv4Address | ipaddress.IPv6Address


def _parse(text: str) -> Address | None:
    try:
        address = ipaddress.ip_address(text.strip().strip("[]"))
    except ValueError:
        return None
    if isinstance(address, ipaddress.IPv6Address) and address.ipv4_mapped:
        return address.ipv4_mapped
    return address


def _trusted(address: Address, networks: tuple[Network, ...]) -> bool:
    return any(address in network for network in networks)


def client_address(peer: str, forwarded_for: Iterable[str], trusted: tuple[Network, ...]) -> str:
    """The client's address (canonical text) behind ``peer`` and its ``X-Forwarded-For``."""
    client = _parse(peer)
    if client is None:
        return peer or "unknown"
    if not _trusted(client, trusted):
        return str(client)
    hops = [hop for header in forwarded_for for hop in header.split(",")]
    for hop in reversed(hops):
        address = _parse(hop)
        if address is None:  # garbage: nothing left of it is reliable, the last proxy is
            break
        client = address
        if not _trusted(address, trusted):
            break
    return str(client)


def limit_key(address: str) -> str:
    """The part of an address a rate limit counts: one IPv4 address, one IPv6 /64.

    Anyone with IPv6 holds a whole /64 and can change addresses inside it at will.
    """
    parsed = _parse(address)
    if isinstance(parsed, ipaddress.IPv6Address):
        return str(ipaddress.IPv6Network((parsed, 64), strict=False))
    return str(parsed) if parsed is not None else address
