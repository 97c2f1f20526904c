"""CSRF tokens masked afresh in every page, so compression cannot leak them (BREACH).

A page carries ``mask(token)``: a random pad and the token XORed with it. The secret is the
same every time, its bytes on the wire never are, so an attacker who can reflect text into a
compressed page learns nothing from the compressed length.
"""

from __future__ import annotations

import base64
import os

_PREFIX = "m."  # token_urlsafe never produces "." so masked and raw tokens cannot be confused


def mask(token: str) -> str:
    """A one-time encoding of ``token`` for a page."""
    raw = token.encode()
    pad = os.urandom(len(raw))
    mixed = bytes(a ^ b for a, b in zip(pad, raw, strict=True))
    return _PREFIX + base64.urlsafe_b64encode(pad + mixed).decode().rstrip("=")


def unmask(value: str) -> str:
    """The token behind a masked value; raw tokens (API clients' headers) pass unchanged."""
    if not value.startswith(_PREFIX):
        return value
    encoded = value[len(_PREFIX) :]
    try:
        data = base64.urlsafe_b64decode(encoded + "=" * (-len(encoded) % 4))
    except ValueError:
        return ""
    half = len(data) // 2
    return bytes(a ^ b for a, b in zip(data[:half], data[half:], strict=False)).decode(
        errors="replace"
    )
