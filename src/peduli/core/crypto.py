"""Field encryption (AES-256-GCM, rotatable key ring) and keyed blind indexes (HMAC-SHA256).

Encrypted values are stored as ``key_id$nonce$ciphertext`` (base64url) so any key of the
ring can decrypt while the first one encrypts; re-encrypting under a new key is a rolling
job, never a flag day. The blind index lets the database answer "who has this NIK?" by
equality on an indexed column without ever holding the NIK in clear.

A column typed ``Sealed(purpose)`` is encrypted on the way in and decrypted on the way out by
SQLAlchemy itself, so the ORM and Core statements see plain values; SQL that copies the
column (``INSERT … SELECT``) copies the ciphertext, which decrypts anywhere that names the
same purpose. Columns encrypted by hand carry ``info={"sealed": purpose}`` instead; both
kinds are what ``peduli keys rotate`` re-encrypts (``sealed_columns``).
"""

from __future__ import annotations

import base64
import binascii
import hmac
import os
from collections.abc import Iterator
from dataclasses import dataclass
from functools import cached_property, lru_cache
from typing import Any

from cryptography.hazmat.primitives.ciphers.aead import AESGCM
from sqlalchemy import Column, MetaData, Table, Text
from sqlalchemy.engine import Dialect
from sqlalchemy.sql import ColumnElement, operators
from sqlalchemy.types import TypeDecorator

from peduli.core.config import get_settings

# Phones and emails of citizens, staff and partners, wherever they are stored (contact
# points, outbox recipients): one purpose, so SQL may copy the ciphertext between them.
CONTACT_PURPOSE = "contact"


_FROM_URLSAFE = bytes.maketrans(b"-_", b"+/")
_TO_URLSAFE = bytes.maketrans(b"+/", b"-_")


def _b64(data: bytes) -> str:
    # ``base64.urlsafe_b64encode`` without its padding, in half the time: an import seals
    # three identifiers a row.
    return binascii.b2a_base64(data, newline=False).translate(_TO_URLSAFE).rstrip(b"=").decode()


def _unb64(text: str) -> bytes:
    # What ``base64.urlsafe_b64decode`` does, in a third of the time: every message the
    # dispatcher sends opens its recipient here.
    data = text.encode("ascii").translate(_FROM_URLSAFE)
    return binascii.a2b_base64(data + b"=" * (-len(data) % 4))


@dataclass(frozen=True)
class FieldCipher:
    """Encrypts and decrypts short strings; ``purpose`` is bound as associated data."""

    ring: tuple[tuple[str, bytes], ...]
    index_key: bytes

    @cached_property
    def _aeads(self) -> dict[str, AESGCM]:
        # One AESGCM object per key, built once: building it costs as much as a short seal.
        return {key_id: AESGCM(key) for key_id, key in self.ring}

    def _aead(self, key_id: str) -> AESGCM:
        aead = self._aeads.get(key_id)
        if aead is None:
            raise KeyError(f"data key {key_id!r} is not in PEDULI_DATA_KEYS")
        return aead

    def encrypt(self, plaintext: str, *, purpose: str) -> str:
        key_id = self.ring[0][0]
        nonce = os.urandom(12)
        sealed = self._aead(key_id).encrypt(nonce, plaintext.encode(), purpose.encode())
        return f"{key_id}${_b64(nonce)}${_b64(sealed)}"

    def decrypt(self, token: str, *, purpose: str) -> str:
        key_id, nonce, sealed = token.split("$")
        return self._aead(key_id).decrypt(_unb64(nonce), _unb64(sealed), purpose.encode()).decode()

    def encrypt_bytes(self, data: bytes, *, purpose: str) -> bytes:
        """Seal a file's bytes: ``PDA1``, key id length and id, nonce, ciphertext and tag."""
        key_id = self.ring[0][0]
        nonce = os.urandom(12)
        sealed = self._aead(key_id).encrypt(nonce, data, purpose.encode())
        header = key_id.encode()
        return _FILE_MAGIC + bytes([len(header)]) + header + nonce + sealed

    def decrypt_bytes(self, blob: bytes, *, purpose: str) -> bytes:
        """Open what ``encrypt_bytes`` sealed; refuses anything else."""
        if not blob.startswith(_FILE_MAGIC):
            raise ValueError("not a sealed file")
        size = blob[len(_FILE_MAGIC)]
        start = len(_FILE_MAGIC) + 1
        key_id = blob[start : start + size].decode()
        nonce = blob[start + size : start + size + 12]
        return self._aead(key_id).decrypt(nonce, blob[start + size + 12 :], purpose.encode())

    def file_key_id(self, blob: bytes) -> str | None:
        """The key a sealed file was written under (None: not a sealed file)."""
        if not blob.startswith(_FILE_MAGIC):
            return None
        size = blob[len(_FILE_MAGIC)]
        start = len(_FILE_MAGIC) + 1
        return blob[start : start + size].decode()

    def needs_rotation(self, token: str) -> bool:
        """Tell whether ``token`` was sealed under an older key than the current one."""
        return token.split("$", 1)[0] != self.ring[0][0]

    def is_sealed(self, token: str) -> bool:
        """Tell whether ``token`` looks like a value this ring's keys sealed."""
        parts = token.split("$")
        return len(parts) == 3 and parts[0] in self._aeads

    def blind_index(self, value: str, *, purpose: str) -> str:
        """Keyed hash of a normalised value: equal inputs give equal outputs, nothing else leaks."""
        return hmac.digest(self.index_key, f"{purpose}:{value}".encode(), "sha256").hex()


_FILE_MAGIC = b"PDA1"


@lru_cache
def get_cipher() -> FieldCipher:
    """The process-wide cipher built from settings (cleared with the settings in tests)."""
    settings = get_settings()
    return FieldCipher(
        ring=tuple(settings.data_key_ring()), index_key=settings.blind_index_secret()
    )


def contact_index(value: str) -> str:
    """The blind index of a normalised phone (E.164) or email: how contacts are looked up."""
    return get_cipher().blind_index(value, purpose=CONTACT_PURPOSE)


def new_data_key() -> str:
    """A fresh 256-bit key in the form PEDULI_DATA_KEYS expects after its ``id:`` prefix."""
    return base64.urlsafe_b64encode(AESGCM.generate_key(bit_length=256)).decode()


class Sealed(TypeDecorator[str]):
    """A text column stored AES-GCM encrypted under ``purpose``; reads give the plain value.

    Equality in SQL is refused: the ciphertext is randomised, so ``column == value`` could
    never match. Look such columns up through their blind index column instead.
    """

    impl = Text
    cache_ok = True

    class Comparator(TypeDecorator.Comparator[str]):
        def operate(self, op: Any, *other: Any, **kwargs: Any) -> Any:
            # Refused against a value (never matches); column to column is SQLAlchemy's own.
            if op in _REFUSED and not any(isinstance(o, ColumnElement) for o in other):
                raise TypeError("a sealed column cannot be compared in SQL; use its blind index")
            return super().operate(op, *other, **kwargs)

    comparator_factory = Comparator

    def __init__(self, purpose: str) -> None:
        super().__init__()
        self.purpose = purpose

    def __repr__(self) -> str:
        return f"Sealed(purpose={self.purpose!r})"

    def process_bind_param(self, value: str | None, dialect: Dialect | None) -> str | None:
        return None if value is None else get_cipher().encrypt(value, purpose=self.purpose)

    def process_result_value(self, value: str | None, dialect: Dialect | None) -> str | None:
        return None if value is None else get_cipher().decrypt(value, purpose=self.purpose)


_REFUSED = frozenset(
    {
        operators.eq,
        operators.ne,
        operators.in_op,
        operators.not_in_op,
        operators.like_op,
        operators.ilike_op,
        operators.startswith_op,
    }
)


def sealed_purpose(column: Column[Any]) -> str | None:
    """The purpose a column's values are sealed under, or None for a column in clear."""
    if isinstance(column.type, Sealed):
        return column.type.purpose
    purpose = column.info.get("sealed")
    return purpose if isinstance(purpose, str) else None


def sealed_columns(metadata: MetaData) -> Iterator[tuple[Table, Column[Any], str]]:
    """Every encrypted column of the schema with its purpose, table by table."""
    for table in metadata.sorted_tables:
        for column in table.columns:
            purpose = sealed_purpose(column)
            if purpose is not None:
                yield table, column, purpose
