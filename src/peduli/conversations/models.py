"""Conversations with citizens over chat platforms, and their messages.

A conversation is one platform address (a WhatsApp number, a Telegram chat) on one channel,
kept encrypted and found by its blind index. It belongs to the post that serves the person
(their current stay, else the country of the phone, else HQ), and is linked to a person only
by a verified phone or by an officer. Each message is stored once: the platform's message id
is unique per channel, so a webhook delivered twice writes one row.
"""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Float, ForeignKey, Index, Integer, String, UniqueConstraint
from sqlalchemy.orm import Mapped, mapped_column

from peduli.core.crypto import CONTACT_PURPOSE, Sealed
from peduli.core.db import Base, IdMixin, utcnow

MESSAGE_PURPOSE = "chat_message"


class ChatChannel(StrEnum):
    WHATSAPP = "whatsapp"
    TELEGRAM = "telegram"
    SMS = "sms"


class ConversationStatus(StrEnum):
    OPEN = "open"
    CLOSED = "closed"


class PersonLink(StrEnum):
    """Why a conversation shows a person: never an unverified claim."""

    VERIFIED_PHONE = "verified_phone"  # the address is a trusted phone of the person
    OFFICER = "officer"  # an officer linked it (audited)


class Direction(StrEnum):
    INBOUND = "in"
    OUTBOUND = "out"


class MessageKind(StrEnum):
    TEXT = "text"
    IMAGE = "image"
    DOCUMENT = "document"
    LOCATION = "location"
    CONTACT = "contact"
    TEMPLATE = "template"


class Conversation(IdMixin, Base):
    """One citizen's thread on one channel, in the inbox of one post."""

    __tablename__ = "conversation"
    __table_args__ = (
        UniqueConstraint("channel", "address_index", name="uq_conversation_address"),
        # The inbox: a post's conversations, latest activity first.
        Index("ix_conversation_inbox", "representation_code", "last_activity_at"),
        Index("ix_conversation_person", "person_id"),
        Index("ix_conversation_case", "case_id"),
        Index("ix_conversation_last_activity", "last_activity_at"),  # the retention purge
    )

    channel: Mapped[str] = mapped_column(String(10))
    # A phone (E.164) or a Telegram chat id; the same ciphertext an outbox row copies.
    address: Mapped[str] = mapped_column(Sealed(CONTACT_PURPOSE))
    address_index: Mapped[str] = mapped_column(String(64))
    representation_code: Mapped[str] = mapped_column(String(64))
    person_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("person.id", ondelete="SET NULL")
    )
    person_link: Mapped[str | None] = mapped_column(String(16))
    case_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("protection_case.id", ondelete="SET NULL")
    )
    # The emergency a chat SOS opened: a repeat SOS in the conversation joins it.
    emergency_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("emergency.id", ondelete="SET NULL")
    )
    status: Mapped[str] = mapped_column(String(8), default=ConversationStatus.OPEN)
    language: Mapped[str | None] = mapped_column(String(8))
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    # WhatsApp's customer-service window runs 24 hours from the citizen's last message.
    last_inbound_at: Mapped[datetime | None]
    last_outbound_at: Mapped[datetime | None]
    last_activity_at: Mapped[datetime] = mapped_column(default=utcnow)


class ConversationMessage(IdMixin, Base):
    """One message in or out; its body and any file are encrypted at rest."""

    __tablename__ = "conversation_message"
    __table_args__ = (
        # A platform delivers a webhook at least once: its message id makes the retry a no-op.
        UniqueConstraint("channel", "platform_message_id", name="uq_conversation_message_platform"),
        Index("ix_conversation_message_thread", "conversation_id", "created_at"),
    )

    conversation_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("conversation.id", ondelete="CASCADE")
    )
    channel: Mapped[str] = mapped_column(String(10))
    platform_message_id: Mapped[str | None] = mapped_column(String(128))
    direction: Mapped[str] = mapped_column(String(3))
    kind: Mapped[str] = mapped_column(String(10), default=MessageKind.TEXT)
    body: Mapped[str | None] = mapped_column(Sealed(MESSAGE_PURPOSE))
    sent_by_account_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("staff_account.id", ondelete="SET NULL")
    )
    # The outbox row of a reply (its idempotency key), so its delivery can be read.
    outbox_key: Mapped[str | None] = mapped_column(String(200))
    # A photo or document: the platform's media id until the worker fetches it, then the
    # encrypted file under ``attachment_key`` (the case attachments' storage).
    media_id: Mapped[str | None] = mapped_column(String(200))
    media_type: Mapped[str | None] = mapped_column(String(100))
    attachment_key: Mapped[str | None] = mapped_column(String(200))
    # Why the file could not be fetched for good (the platform no longer has it, too large).
    media_error: Mapped[str | None] = mapped_column(String(200))
    size_bytes: Mapped[int | None] = mapped_column(Integer)
    latitude: Mapped[float | None] = mapped_column(Float)
    longitude: Mapped[float | None] = mapped_column(Float)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
