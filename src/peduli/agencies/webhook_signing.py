"""Signing a webhook delivery and checking one: HMAC-SHA256 over the timestamp and the body.

Every delivery carries ``Peduli-Signature: t=<unix seconds>,v1=<hex HMAC-SHA256 of
"<t>.<raw body>" keyed with the subscription's secret>``. The timestamp is the time of this
attempt (a retry is signed afresh), so a receiver refuses anything older than its replay
window (5 minutes here) and, within the window, remembers event ids it has taken. During a
secret rotation a receiver tries each of its secrets; several ``v1=`` may be sent. The same
rules are in ``docs/webhooks.md`` for subscribers, with an example.
"""

from __future__ import annotations

import hashlib
import hmac
from collections.abc import Sequence

SIGNATURE_HEADER = "Peduli-Signature"
EVENT_ID_HEADER = "Peduli-Event-Id"
EVENT_TYPE_HEADER = "Peduli-Event-Type"
REPLAY_WINDOW_SECONDS = 300
SCHEME = "v1"


class SignatureRejected(ValueError):
    """A delivery whose signature is missing, malformed, stale or wrong; ``reason`` says which."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def digest(secret: str, timestamp: int, body: bytes) -> str:
    """The hex HMAC-SHA256 of ``"<timestamp>.<body>"`` under ``secret``."""
    message = str(timestamp).encode() + b"." + body
    return hmac.new(secret.encode(), message, hashlib.sha256).hexdigest()


def signature_header(secrets: Sequence[str], body: bytes, timestamp: int) -> str:
    """The ``Peduli-Signature`` value: the timestamp, then one ``v1`` per secret."""
    parts = [f"t={timestamp}"] + [f"{SCHEME}={digest(s, timestamp, body)}" for s in secrets]
    return ",".join(parts)


def parse(header: str) -> tuple[int, list[str]]:
    """The timestamp and the ``v1`` signatures of a header; ``SignatureRejected`` if malformed."""
    timestamp: int | None = None
    signatures: list[str] = []
    for item in header.split(","):
        key, sep, value = item.strip().partition("=")
        if not sep:
            raise SignatureRejected("malformed")
        if key == "t":
            if not value.isdigit() or len(value) > 12:
                raise SignatureRejected("malformed")
            timestamp = int(value)
        elif key == SCHEME:
            signatures.append(value)
    if timestamp is None or not signatures:
        raise SignatureRejected("malformed")
    return timestamp, signatures


def verify(
    header: str | None,
    body: bytes,
    secrets: Sequence[str],
    *,
    now: float,
    tolerance: int = REPLAY_WINDOW_SECONDS,
) -> int:
    """Check a delivery as a receiver should; returns its timestamp.

    Refused (``SignatureRejected``): no header (``missing``), a header not of the form
    above (``malformed``), a timestamp more than ``tolerance`` seconds from ``now`` either
    way (``stale``), or no ``v1`` matching any of ``secrets`` (``mismatch``). Compared in
    constant time.
    """
    if not header:
        raise SignatureRejected("missing")
    timestamp, signatures = parse(header)
    if abs(now - timestamp) > tolerance:
        raise SignatureRejected("stale")
    for secret in secrets:
        expected = digest(secret, timestamp, body)
        if any(hmac.compare_digest(expected, given) for given in signatures):
            return timestamp
    raise SignatureRejected("mismatch")
