"""Accounts and credentials: staff, citizens, server-side sessions, API tokens, one-time codes.

Secrets are never stored as given: passwords as argon2id hashes, TOTP secrets encrypted,
session and API tokens as SHA-256 digests, citizen codes and addresses as keyed hashes.
"""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy import CheckConstraint, ForeignKey, Index, Integer, String, Text, false
from sqlalchemy.orm import Mapped, mapped_column, validates

from peduli.core.crypto import CONTACT_PURPOSE, get_cipher
from peduli.core.db import Base, IdMixin, TimestampMixin, utcnow
from peduli.core.i18n import DEFAULT_LANGUAGE

TOTP_PURPOSE = "totp-secret"
CITIZEN_ADDRESS_PURPOSE = "citizen-address"


class StaffAccount(IdMixin, TimestampMixin, Base):
    """A staff member or an agency's machine client; ``role`` is an ``actor.Role`` value."""

    __tablename__ = "staff_account"

    # A staff member's work address is their identity here (sign-in, rosters, audit), so it
    # stays in clear; ``email_sealed`` is the same address encrypted, which the set-based
    # outbox writers copy, so every outbox row holds its recipient encrypted.
    email: Mapped[str] = mapped_column(String(254), unique=True)
    email_sealed: Mapped[str] = mapped_column(Text, info={"sealed": CONTACT_PURPOSE})
    display_name: Mapped[str] = mapped_column(String(200))
    role: Mapped[str] = mapped_column(String(20))
    representation_code: Mapped[str | None] = mapped_column(String(64))
    # None for agency clients: they authenticate with API tokens only.
    password_hash: Mapped[str | None] = mapped_column(String(255))
    totp_secret_encrypted: Mapped[str | None] = mapped_column(
        String(255), info={"sealed": TOTP_PURPOSE}
    )
    totp_confirmed_at: Mapped[datetime | None]
    # The last accepted TOTP time step: a code of that step or earlier is a replay.
    totp_last_step: Mapped[int | None] = mapped_column(Integer)
    last_sign_in_at: Mapped[datetime | None]
    disabled_at: Mapped[datetime | None]
    # The language alerts and reminders are written in (id, en, zh, fr); kept in step with
    # the language the member picks on the pages.
    preferred_language: Mapped[str] = mapped_column(
        String(5), default=DEFAULT_LANGUAGE, server_default=DEFAULT_LANGUAGE
    )

    @validates("email")
    def _seal_email(self, _key: str, email: str) -> str:
        self.email_sealed = get_cipher().encrypt(email, purpose=CONTACT_PURPOSE)
        return email


class CitizenAccount(IdMixin, TimestampMixin, Base):
    """A citizen who signs in with one-time codes sent to an email address or a phone."""

    __tablename__ = "citizen_account"
    __table_args__ = (CheckConstraint("kind IN ('email', 'phone')", name="kind"),)

    kind: Mapped[str] = mapped_column(String(10))
    # Keyed hash of the normalised address (exact look-up) and the address encrypted.
    address_index: Mapped[str] = mapped_column(String(64), unique=True)
    address_encrypted: Mapped[str] = mapped_column(Text, info={"sealed": CITIZEN_ADDRESS_PURPOSE})
    person_id: Mapped[uuid.UUID | None] = mapped_column(index=True)
    last_sign_in_at: Mapped[datetime | None]


class AuthSession(IdMixin, Base):
    """A signed-in browser: the cookie holds the token, the database only its SHA-256."""

    __tablename__ = "auth_session"
    __table_args__ = (
        CheckConstraint(
            "(staff_account_id IS NULL) <> (citizen_account_id IS NULL)", name="one_owner"
        ),
    )

    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    csrf_token: Mapped[str] = mapped_column(String(64))
    staff_account_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("staff_account.id", ondelete="CASCADE"), index=True
    )
    citizen_account_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("citizen_account.id", ondelete="CASCADE"), index=True
    )
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    last_seen_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    ip: Mapped[str | None] = mapped_column(String(64))


class ApiToken(IdMixin, Base):
    """A bearer token of a staff or agency account: scoped, expiring, revocable."""

    __tablename__ = "api_token"

    staff_account_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("staff_account.id", ondelete="CASCADE"), index=True
    )
    token_hash: Mapped[str] = mapped_column(String(64), unique=True)
    # The first characters, shown in listings so a person can tell tokens apart.
    prefix: Mapped[str] = mapped_column(String(16))
    scopes: Mapped[str] = mapped_column(Text)  # space-separated, as in OAuth 2.0
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    revoked_at: Mapped[datetime | None]
    last_used_at: Mapped[datetime | None]


class CitizenCode(IdMixin, Base):
    """A one-time sign-in code: single use, short-lived, a few attempts, stored as a keyed hash."""

    __tablename__ = "citizen_code"
    __table_args__ = (Index("ix_citizen_code_address", "address_index", "created_at"),)

    address_index: Mapped[str] = mapped_column(String(64))
    code_hash: Mapped[str] = mapped_column(String(64))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime]
    # The client that asked for a sign-in code (``codes.Client.key``: a known device or a
    # network); None for codes proving something else (a claim, a contact).
    asked_by: Mapped[str | None] = mapped_column(String(100))
    # Asked from a known device of the address: only that device may enter it, and a code
    # asked by another client does not end it.
    device_bound: Mapped[bool] = mapped_column(default=False, server_default=false())
    # Wrong guesses by the client that asked, and by everyone else: each side has its own
    # few, so a stranger guessing wrong never spends the asker's.
    asker_attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    used_at: Mapped[datetime | None]
