"""Ed25519 signatures of the bilateral exchange: each side signs with its own key, the other
checks with the public key it was given (per partner, with a key id, so keys can roll).

A message is a JSON document POSTed with three headers: ``Peduli-Exchange-Key-Id`` (which of
the sender's keys signed), ``Peduli-Exchange-Timestamp`` (unix seconds of this attempt) and
``Peduli-Exchange-Signature`` (base64url Ed25519 signature of ``"<key id>\\n<timestamp>\\n"``
followed by the raw body). The body carries the message id; the receiver refuses a
timestamp outside its window and a message id it has already taken (replay).
"""

from __future__ import annotations

import base64
import binascii
import hashlib
from collections.abc import Mapping

from cryptography.exceptions import InvalidSignature
from cryptography.hazmat.primitives.asymmetric.ed25519 import Ed25519PrivateKey, Ed25519PublicKey
from cryptography.hazmat.primitives.serialization import Encoding, PublicFormat
from pydantic import Field
from pydantic_settings import BaseSettings, SettingsConfigDict

from peduli.core.config import get_settings

KEY_ID_HEADER = "Peduli-Exchange-Key-Id"
TIMESTAMP_HEADER = "Peduli-Exchange-Timestamp"
SIGNATURE_HEADER = "Peduli-Exchange-Signature"


class ExchangeSettings(BaseSettings):
    """The exchange's own settings (``PEDULI_EXCHANGE_*``), apart from ``core.config``.

    ``signing_key``: our Ed25519 private key, a 32-byte seed in base64url; when unset it is
    derived from ``PEDULI_SECRET_KEY`` (which production requires), so every installation
    has a key of its own; set it to roll the key without touching the secret key.
    """

    model_config = SettingsConfigDict(
        env_prefix="PEDULI_EXCHANGE_", env_file=".env", extra="ignore"
    )
    signing_key: str = ""
    key_id: str = "peduli-1"
    # How old (or how far ahead) a partner's signed message may be, in seconds.
    replay_window_seconds: int = Field(default=300, ge=1)

    def signing_seed(self) -> bytes:
        """Our private key's seed (32 bytes)."""
        if self.signing_key:
            return _unb64(self.signing_key)
        secret = get_settings().secret_key
        return hashlib.sha256(f"exchange-signing:{secret}".encode()).digest()


def exchange_settings() -> ExchangeSettings:
    """The exchange's settings, read now (cheap; tests change the environment)."""
    return ExchangeSettings()


def our_public_keys() -> dict[str, str]:
    """Our key id and public key, as a partner (or the sandbox partner) knows them."""
    settings = exchange_settings()
    return {settings.key_id: public_key_of(settings.signing_seed())}


class ExchangeSignatureRejected(ValueError):
    """A message whose signature is missing, malformed, stale or wrong (``reason``)."""

    def __init__(self, reason: str) -> None:
        super().__init__(reason)
        self.reason = reason


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).decode().rstrip("=")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


def public_key_of(seed: bytes) -> str:
    """The base64url public key of the private key ``seed`` (32 bytes)."""
    key = Ed25519PrivateKey.from_private_bytes(seed).public_key()
    return _b64(key.public_bytes(Encoding.Raw, PublicFormat.Raw))


def sandbox_seed(name: str) -> bytes:
    """A deterministic key for a sandbox party (a partner state in the demo and the tests)."""
    return hashlib.sha256(f"peduli-sandbox-exchange-key:{name}".encode()).digest()


def signing_input(key_id: str, timestamp: int, body: bytes) -> bytes:
    return f"{key_id}\n{timestamp}\n".encode() + body


def sign(seed: bytes, *, key_id: str, body: bytes, timestamp: int) -> dict[str, str]:
    """The three headers that sign ``body`` with the private key ``seed``."""
    signature = Ed25519PrivateKey.from_private_bytes(seed).sign(
        signing_input(key_id, timestamp, body)
    )
    return {
        KEY_ID_HEADER: key_id,
        TIMESTAMP_HEADER: str(timestamp),
        SIGNATURE_HEADER: _b64(signature),
    }


def verify(
    headers: Mapping[str, str],
    body: bytes,
    *,
    public_keys: Mapping[str, str],
    now: float,
    window: int,
) -> str:
    """Check a signed message against the sender's keys (key id → base64url public key);
    returns the key id. Refused: ``missing``, ``malformed``, ``unknown_key``, ``stale``,
    ``mismatch``."""
    lowered = {k.lower(): v for k, v in headers.items()}
    key_id = lowered.get(KEY_ID_HEADER.lower())
    stamp = lowered.get(TIMESTAMP_HEADER.lower())
    signature = lowered.get(SIGNATURE_HEADER.lower())
    if not key_id or not stamp or not signature:
        raise ExchangeSignatureRejected("missing")
    if not stamp.isdigit() or len(stamp) > 12:
        raise ExchangeSignatureRejected("malformed")
    public = public_keys.get(key_id)
    if public is None:
        raise ExchangeSignatureRejected("unknown_key")
    timestamp = int(stamp)
    if abs(now - timestamp) > window:
        raise ExchangeSignatureRejected("stale")
    try:
        raw = _unb64(signature)
        key = Ed25519PublicKey.from_public_bytes(_unb64(public))
        key.verify(raw, signing_input(key_id, timestamp, body))
    except (binascii.Error, ValueError) as exc:
        raise ExchangeSignatureRejected("malformed") from exc
    except InvalidSignature as exc:
        raise ExchangeSignatureRejected("mismatch") from exc
    return key_id
