"""Agency tables: webhook subscriptions of partner systems, and the bilateral exchange with
partner states (their keys and the signed messages sent and received)."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import Boolean, ForeignKey, Index, String, Text, UniqueConstraint, text
from sqlalchemy.orm import Mapped, mapped_column

from peduli.core.crypto import Sealed
from peduli.core.db import Base, IdMixin, TimestampMixin, utcnow

# A subscriber's signing secret, sealed at rest and opened only to sign a delivery.
WEBHOOK_SECRET_PURPOSE = "webhook-secret"  # noqa: S105 (a purpose name, no secret)
# What a message to or from a partner state says of a citizen (name, passport, place).
EXCHANGE_BODY_PURPOSE = "exchange-body"


class WebhookSubscription(IdMixin, TimestampMixin, Base):
    """A partner system that receives some event types at its URL, signed with its secret."""

    __tablename__ = "webhook_subscription"

    subscriber: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(500))
    secret: Mapped[str] = mapped_column(Sealed(WEBHOOK_SECRET_PURPOSE))
    # Why the subscriber receives these events (recorded and shown; the payloads carry no
    # personal identifiers whatever the purpose).
    purpose: Mapped[str] = mapped_column(String(500))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))
    created_by: Mapped[uuid.UUID | None]


class WebhookSubscriptionEvent(Base):
    """One event type a subscription receives (what the publisher joins on)."""

    __tablename__ = "webhook_subscription_event"
    __table_args__ = (Index("ix_webhook_subscription_event_type", "event_type"),)

    subscription_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("webhook_subscription.id", ondelete="CASCADE"), primary_key=True
    )
    event_type: Mapped[str] = mapped_column(String(40), primary_key=True)


class ExchangePartner(TimestampMixin, Base):
    """A partner state of the "one channel" exchange: where it listens and its public key."""

    __tablename__ = "exchange_partner"

    code: Mapped[str] = mapped_column(String(8), primary_key=True)  # ISO country: MY, SA
    name: Mapped[str] = mapped_column(String(200))
    url: Mapped[str] = mapped_column(String(500))
    key_id: Mapped[str] = mapped_column(String(100))
    # The partner's Ed25519 public key, 32 raw bytes in base64url.
    public_key: Mapped[str] = mapped_column(String(100))
    active: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))


class Direction(StrEnum):
    OUTBOUND = "outbound"
    INBOUND = "inbound"


class ExchangeMessage(IdMixin, Base):
    """One signed message of the exchange, to or from a partner state, about one case.

    ``message_id`` is the sender's id (ours for outbound, the partner's for inbound): unique
    per partner and direction, so a replayed inbound message is refused.
    """

    __tablename__ = "exchange_message"
    __table_args__ = (
        UniqueConstraint("partner_code", "direction", "message_id", name="uq_exchange_message_id"),
        Index("ix_exchange_message_case", "case_id", "created_at"),
    )

    message_id: Mapped[str] = mapped_column(String(100))
    partner_code: Mapped[str] = mapped_column(ForeignKey("exchange_partner.code"))
    direction: Mapped[str] = mapped_column(String(10))
    kind: Mapped[str] = mapped_column(String(40))
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("protection_case.id", ondelete="CASCADE"))
    # The outbound request an inbound answer refers to (our message id).
    in_reply_to: Mapped[str | None] = mapped_column(String(100))
    # The document as signed (JSON), sealed: it names the citizen the message is about.
    body: Mapped[str] = mapped_column(Sealed(EXCHANGE_BODY_PURPOSE))
    # Outbound: answered once an answer of a kind that closes the request came in.
    answered_at: Mapped[datetime | None]
    actor_account_id: Mapped[uuid.UUID | None]
    actor_display: Mapped[str] = mapped_column(String(200), default="")
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    note: Mapped[str | None] = mapped_column(Text)
