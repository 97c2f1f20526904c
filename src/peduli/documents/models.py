"""Signing keys, the register of issued documents, and revocations.

A signing key's private half is sealed at rest like other secrets (``core.crypto.Sealed``);
its id is the first 8 bytes of the SHA-256 of the public point (hex here, bytes in the QR
code). One key is active and signs; retired keys stay listed so that documents they signed
keep verifying. The register holds what the QR code does not need to: who holds the
document (a person id, no copy of the name) and a hash of the payload.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import ForeignKey, Index, LargeBinary, String, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from peduli.core.crypto import Sealed
from peduli.core.db import Base, IdMixin, utcnow

SIGNING_KEY_PURPOSE = "signing_key"


class KeyState(StrEnum):
    ACTIVE = "active"
    RETIRED = "retired"


class DocumentKind(StrEnum):
    SELF_REPORT = "self_report"  # proof of self-report (lapor diri)
    CERTIFICATE = "certificate"
    SPLP = "splp"  # emergency travel document
    CIVIL_STATUS = "civil_status"
    PASSPORT = "passport"  # a passport the post issued (the QR confirms the booklet's issue)


class SigningKey(Base):
    """An ES256 key pair; ``id`` is the key id in hex (16 characters)."""

    __tablename__ = "document_signing_key"
    __table_args__ = (
        # At most one active key: the one that signs.
        Index("ux_document_signing_key_active", "state", unique=True,
              postgresql_where=text("state = 'active'"), sqlite_where=text("state = 'active'")),
    )  # fmt: skip

    id: Mapped[str] = mapped_column(String(16), primary_key=True)
    public_point: Mapped[bytes] = mapped_column(LargeBinary(65))
    private_key: Mapped[str] = mapped_column(Sealed(SIGNING_KEY_PURPOSE))  # PKCS#8 PEM
    state: Mapped[str] = mapped_column(String(8), default=KeyState.ACTIVE)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    retired_at: Mapped[datetime | None]


class IssuedDocument(IdMixin, Base):
    """A document the platform signed: its kind and number, whose it is, and its state."""

    __tablename__ = "issued_document"
    __table_args__ = (
        UniqueConstraint("kind", "number", name="uq_issued_document_number"),
        Index("ix_issued_document_holder", "holder_person_id", "issued_at"),
    )

    kind: Mapped[str] = mapped_column(String(16))
    number: Mapped[str] = mapped_column(String(32))
    holder_person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    representation_code: Mapped[str] = mapped_column(String(64))
    key_id: Mapped[str] = mapped_column(ForeignKey("document_signing_key.id"))
    payload_hash: Mapped[str] = mapped_column(String(64))
    issued_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_on: Mapped[date]
    revoked_at: Mapped[datetime | None]
    revocation_reason: Mapped[str | None] = mapped_column(String(16))


class RevocationReason(StrEnum):
    LOST = "lost"
    REPLACED = "replaced"
    ISSUED_IN_ERROR = "in_error"
    STAY_ENDED = "stay_ended"
    ERASED = "erased"  # the holder's record was erased at their request


class Revocation(Base):
    """Who revoked a document, when and why (one per document; the audit log has it too)."""

    __tablename__ = "document_revocation"

    document_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("issued_document.id", ondelete="CASCADE"), primary_key=True
    )
    reason: Mapped[str] = mapped_column(String(16))
    note: Mapped[str | None] = mapped_column(String(500))
    revoked_by: Mapped[uuid.UUID | None]  # the staff account
    revoked_at: Mapped[datetime] = mapped_column(default=utcnow)
