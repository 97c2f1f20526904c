"""Known devices: a browser or app that signed in to an account before.

Counting failed sign-ins per account stops guessing, but lets anyone lock the real owner
out by failing on purpose. So a successful sign-in leaves a signed cookie on the client
(``peduli_device``: a random id and an HMAC binding it to the account). Failures from a
client that shows a valid one count on that device alone; failures from everyone else
count on the account and their address. An attacker who spends the account's budget
locks out only the clients the owner never used; the owner's own phone or desk computer
still gets in (OWASP's "device cookies").
"""

from __future__ import annotations

import hashlib
import hmac
import secrets

from peduli.core.config import get_settings

DEVICE_COOKIE = "peduli_device"
DEVICE_COOKIE_DAYS = 180


def _mac(account_key: str, device_id: str) -> str:
    key = get_settings().secret_key.encode()
    message = f"known-device|{account_key}|{device_id}".encode()
    return hmac.new(key, message, hashlib.sha256).hexdigest()[:32]


def issue(account_key: str) -> str:
    """A new device token for the account behind ``account_key`` (a hash, never the email)."""
    device_id = secrets.token_urlsafe(12)
    return f"{device_id}.{_mac(account_key, device_id)}"


def recognised(token: str | None, account_key: str) -> str | None:
    """The device id if ``token`` was issued for this account, else None."""
    device_id, _dot, mac = (token or "").partition(".")
    if not device_id or len(token or "") > 100:
        return None
    return device_id if hmac.compare_digest(mac, _mac(account_key, device_id)) else None


def renewed(token: str | None, account_key: str) -> str:
    """The token to leave on a client after it signed in: its own if it holds one."""
    return token if token and recognised(token, account_key) else issue(account_key)
