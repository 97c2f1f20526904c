"""Field encryption (AES-256-GCM, rotatable key ring) and keyed blind indexes (HMAC-SHA256).

Encrypted values are stored as ``key_id$nonce$ciphertext`` (base64url) so any key of the
ring can decrypt while the first one encrypts; re-encrypting under a new key is a rolling
job, never a flag day. The blind index lets the database answer "who has this NIK?" by
equality on an indexed column without ever holding the NIK in clear.
"""

from __future__ import annotations

import base64
import hashlib
import hmac
import os
from dataclasses import dataclass
from functools import lru_cache

from cryptography.hazmat.primitives.ciphers.aead import AESGCM

from peduli.core.config import get_settings


def _b64(data: bytes) -> str:
    return base64.urlsafe_b64encode(data).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))


@dataclass(frozen=True)
class FieldCipher:
    """Encrypts and decrypts short strings; ``purpose`` is bound as associated data."""

    ring: tuple[tuple[str, bytes], ...]
    index_key: bytes

    def encrypt(self, plaintext: str, *, purpose: str) -> str:
        key_id, key = self.ring[0]
        nonce = os.urandom(12)
        sealed = AESGCM(key).encrypt(nonce, plaintext.encode(), purpose.encode())
        return f"{key_id}${_b64(nonce)}${_b64(sealed)}"

    def decrypt(self, token: str, *, purpose: str) -> str:
        key_id, nonce, sealed = token.split("$")
        key = dict(self.ring).get(key_id)
        if key is None:
            raise KeyError(f"data key {key_id!r} is not in PEDULI_DATA_KEYS")
        return AESGCM(key).decrypt(_unb64(nonce), _unb64(sealed), purpose.encode()).decode()

    def needs_rotation(self, token: str) -> bool:
        """Tell whether ``token`` was sealed under an older key than the current one."""
        return token.split("$", 1)[0] != self.ring[0][0]

    def blind_index(self, value: str, *, purpose: str) -> str:
        """Keyed hash of a normalised value: equal inputs give equal outputs, nothing else leaks."""
        mac = hmac.new(self.index_key, f"{purpose}:{value}".encode(), hashlib.sha256)
        return mac.hexdigest()


@lru_cache
def get_cipher() -> FieldCipher:
    """The process-wide cipher built from settings (cleared with the settings in tests)."""
    settings = get_settings()
    return FieldCipher(
        ring=tuple(settings.data_key_ring()), index_key=settings.blind_index_secret()
    )


def new_data_key() -> str:
    """A fresh 256-bit key in the form PEDULI_DATA_KEYS expects after its ``id:`` prefix."""
    return base64.urlsafe_b64encode(AESGCM.generate_key(bit_length=256)).decode()
