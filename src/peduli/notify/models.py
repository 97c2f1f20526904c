"""Outbox rows (one per message per recipient) and what the local sandboxes received."""

from __future__ import annotations

from datetime import datetime
from enum import IntEnum, StrEnum

from sqlalchemy import (
    BigInteger,
    Boolean,
    Enum,
    Float,
    Index,
    Integer,
    String,
    Text,
    UniqueConstraint,
    func,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from peduli.core.crypto import CONTACT_PURPOSE
from peduli.core.db import Base, utcnow

# SQLite only auto-increments an INTEGER PRIMARY KEY; PostgreSQL gets a 64-bit identity.
BigId = BigInteger().with_variant(Integer(), "sqlite")


# An outbox body that names a person (an emergency alert) is sealed under this purpose.
MESSAGE_BODY_PURPOSE = "message-body"


class ChannelName(StrEnum):
    """Ways a message can reach a person; each has an adapter and a sandbox."""

    EMAIL = "email"
    SMS = "sms"
    WHATSAPP = "whatsapp"
    TELEGRAM = "telegram"
    IN_APP = "in_app"
    # Machine recipients (agencies domain): a partner system's webhook, a partner state.
    WEBHOOK = "webhook"
    PARTNER_STATE = "partner_state"


# Channels whose recipient is an id (a person's, a subscription's, a partner state's code),
# no contact data: stored in clear.
CLEAR_RECIPIENT_CHANNELS = frozenset(
    {ChannelName.IN_APP, ChannelName.WEBHOOK, ChannelName.PARTNER_STATE}
)


class OutboxStatus(StrEnum):
    """Life of an outbox row: pending → sending → sent, or failed (retried) → dead."""

    PENDING = "pending"
    SENDING = "sending"
    SENT = "sent"
    FAILED = "failed"
    DEAD = "dead"


class MessagePriority(IntEnum):
    """The outbox's one priority ladder: a worker sends the lowest value first.

    Every writer of the outbox picks its rung here, so the order between kinds of message
    is decided in one place. Crisis broadcasts spread over a band, nearest people first.
    """

    EMERGENCY_ALERT = 5  # the officer on duty must call a citizen in danger back
    SIGN_IN_CODE = 8  # a person is waiting at the screen
    CHAT_REPLY = 9  # an officer's answer to a citizen waiting in a chat
    CRISIS_NEAREST = 10  # a broadcast to the people nearest the danger…
    CASE_ESCALATION = 20  # an overdue case, to the post's supervisors
    DEADLINE_REMINDER = 50  # a referral or delegation due within a day
    CRISIS_FARTHEST = 90  # …down to the people farthest from it
    ORDINARY = 100  # everything else


# Rows a worker may claim once ``next_attempt_at`` has passed.
CLAIMABLE = (OutboxStatus.PENDING, OutboxStatus.FAILED)


def _enum(enum_class: type[StrEnum], name: str) -> Enum:
    return Enum(
        enum_class,
        name=name,
        native_enum=False,
        length=16,
        values_callable=lambda members: [m.value for m in members],
        validate_strings=True,
    )


# The rows the retention purge still has to blank, written as literals so that both
# databases match a query's WHERE to the partial indexes below (``PURGED`` is '').
SENT_UNPURGED = "status = 'sent' AND recipient <> ''"
DEAD = "status = 'dead'"
DEAD_UNPURGED = "status = 'dead' AND recipient <> ''"


class OutboxMessage(Base):
    """One message to one recipient, written in the transaction of the event that causes it.

    Every column a fan-out ``INSERT … SELECT`` may leave out has a server default.
    """

    __tablename__ = "outbox_message"
    __table_args__ = (
        # What the claim scans: only the due rows of one channel, in sending order (the id
        # too, so a claim reads its batch off the index without sorting).
        Index(
            "ix_outbox_message_due",
            "channel",
            "priority",
            "next_attempt_at",
            "id",
            postgresql_where=text("status IN ('pending', 'failed')"),
            sqlite_where=text("status IN ('pending', 'failed')"),
        ),
        # What the dead-letter page lists. Partial, like the others: a claim or a sent mark
        # changes ``status``, so an index over every row's status would be written twice per
        # message on the hot path for a page that only ever looks at dead ones.
        Index(
            "ix_outbox_message_dead",
            "next_attempt_at",
            postgresql_where=text(DEAD),
            sqlite_where=text(DEAD),
        ),
        # What the retention purge reads (``notify.retention``): finished rows still holding
        # their recipient and body, by the time they finished. A batch reads only the rows
        # it blanks, never the millions blanked before. A row enters when it is marked sent
        # (or dead) and leaves when it is purged: one index write per message on the
        # sending path, not one per status change.
        Index(
            "ix_outbox_message_sent_unpurged",
            "sent_at",
            postgresql_where=text(SENT_UNPURGED),
            sqlite_where=text(SENT_UNPURGED),
        ),
        Index(
            "ix_outbox_message_dead_unpurged",
            "next_attempt_at",
            postgresql_where=text(DEAD_UNPURGED),
            sqlite_where=text(DEAD_UNPURGED),
        ),
        # What a delivery receipt looks up: a provider's id within its channel.
        Index(
            "ix_outbox_message_provider_id",
            "channel",
            "provider_message_id",
            postgresql_where=text("provider_message_id IS NOT NULL"),
            sqlite_where=text("provider_message_id IS NOT NULL"),
        ),
        # What the orphan check scans: only the rows in flight.
        Index(
            "ix_outbox_message_in_flight",
            "claimed_at",
            postgresql_where=text("status = 'sending'"),
            sqlite_where=text("status = 'sending'"),
        ),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(16))
    # Encrypted (``CONTACT_PURPOSE``): a fan-out copies the contact row's ciphertext as it
    # is, and the dispatcher decrypts it just before sending (``service.open_recipient``).
    # In-app rows hold a person id, which is no contact data, in clear.
    recipient: Mapped[str] = mapped_column(Text, info={"sealed": CONTACT_PURPOSE})
    subject: Mapped[str] = mapped_column(String(255), default="", server_default="")
    # In clear, except a body that names a person: sealed (``MESSAGE_BODY_PURPOSE``), opened
    # by the dispatcher just before sending (``service.open_body``). Declared sealed so that
    # ``peduli keys rotate`` re-seals those under the current key (it leaves clear ones be).
    body: Mapped[str] = mapped_column(Text, info={"sealed": MESSAGE_BODY_PURPOSE})
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    # Lower is sooner (``MessagePriority``).
    priority: Mapped[int] = mapped_column(
        Integer,
        default=int(MessagePriority.ORDINARY),
        server_default=str(int(MessagePriority.ORDINARY)),
    )
    status: Mapped[OutboxStatus] = mapped_column(
        _enum(OutboxStatus, "outbox_status"),
        default=OutboxStatus.PENDING,
        server_default=OutboxStatus.PENDING.value,
    )
    attempts: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    next_attempt_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())
    last_error: Mapped[str | None] = mapped_column(Text)
    claimed_by: Mapped[str | None] = mapped_column(String(100))
    claimed_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow, server_default=func.now())
    sent_at: Mapped[datetime | None]
    provider_message_id: Mapped[str | None] = mapped_column(String(200))
    # What the provider's receipts said afterwards (``notify.receipts``): handed to the
    # person's phone, and opened where the platform tells (WhatsApp); null until then.
    delivered_at: Mapped[datetime | None]
    read_at: Mapped[datetime | None]
    # Which of the channel's senders (SMS sender id, WhatsApp number) took it; null without.
    sender: Mapped[str | None] = mapped_column(String(100))
    # The ``OutboxTally`` that counts this message as it goes; null for most messages. No
    # foreign key: a fan-out writes a million rows at a time (see ``crisis.Recipient``).
    tally_id: Mapped[int | None] = mapped_column(BigId)


class OutboxTally(Base):
    """A named group of messages on one channel whose counts are kept as each message goes
    (``notify.tallies``): what a live screen shows of a million-message broadcast, read
    from a few rows instead of recounting the million on every poll (4 s of database time a
    call at a million). Named by its owner (``crisis:<broadcast>:<post>``)."""

    __tablename__ = "outbox_tally"
    __table_args__ = (UniqueConstraint("name", "channel", name="uq_outbox_tally_name_channel"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    name: Mapped[str] = mapped_column(String(100))
    channel: Mapped[str] = mapped_column(String(16))


class OutboxTallyChange(Base):
    """What one statement moved of a tally's messages: queued (ever), sent, reported
    delivered, dead (negative where it took some back). A tally's counts are the sums of its
    changes; the still waiting are ``queued - sent - dead``.

    Appended, never updated: a tally's counts are changed by every sent batch, every batch
    of receipts and every run of the fan-out, at once and in their own transactions; one
    row of counts updated by all of them would make each wait for the others' commits (a
    fan-out run holds it to its end), and the workers and the receipts' requests with them.
    """

    __tablename__ = "outbox_tally_change"
    __table_args__ = (Index("ix_outbox_tally_change_tally", "tally_id"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    tally_id: Mapped[int] = mapped_column(BigId)
    queued: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    sent: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    delivered: Mapped[int] = mapped_column(Integer, default=0, server_default="0")
    dead: Mapped[int] = mapped_column(Integer, default=0, server_default="0")


class NotifySender(Base):
    """One sending identity of a channel (an SMS sender id, a WhatsApp phone number id) and
    its token bucket: at most ``rate_per_second`` messages a second, bursts up to ``burst``.

    The bucket lives here, not in a worker's memory, so the limit holds across any number of
    workers: a claim locks the channel's sender rows, refills, takes tokens and claims at
    most that many messages, all in one transaction.
    """

    __tablename__ = "notify_sender"
    __table_args__ = (UniqueConstraint("channel", "name", name="uq_notify_sender_channel_name"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(16))
    name: Mapped[str] = mapped_column(String(100))
    rate_per_second: Mapped[float] = mapped_column(Float)
    burst: Mapped[float] = mapped_column(Float)
    tokens: Mapped[float] = mapped_column(Float)
    refilled_at: Mapped[datetime] = mapped_column(default=utcnow)
    enabled: Mapped[bool] = mapped_column(Boolean, default=True, server_default=text("true"))


class Notice(Base):
    """An in-app notice: what the in-app channel delivers and a person's pages show.

    ``recipient`` is what the sender addressed (a person id as text); one row per
    idempotency key, so a re-sent batch never shows a notice twice.
    """

    __tablename__ = "notice"
    __table_args__ = (Index("ix_notice_recipient_created_at", "recipient", "created_at"),)

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    recipient: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(255), default="", server_default="")
    body: Mapped[str] = mapped_column(Text)
    idempotency_key: Mapped[str] = mapped_column(String(200), unique=True)
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    read_at: Mapped[datetime | None]


class SandboxMessage(Base):
    """A message a local sandbox (SMTP server, SMS gateway) received, shown on the mailbox page.

    ``deliveries`` counts raw arrivals: more than one means a sender retried and the sandbox
    deduplicated it, which is what the "never twice" guarantee is judged by.
    """

    __tablename__ = "sandbox_message"
    __table_args__ = (
        UniqueConstraint("channel", "idempotency_key", name="uq_sandbox_message_channel_key"),
        Index("ix_sandbox_message_channel_received_at", "channel", "received_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    channel: Mapped[str] = mapped_column(String(16))
    recipient: Mapped[str] = mapped_column(String(320))
    subject: Mapped[str] = mapped_column(String(255), default="")
    body: Mapped[str] = mapped_column(Text)
    idempotency_key: Mapped[str] = mapped_column(String(300))
    deliveries: Mapped[int] = mapped_column(Integer, default=1, server_default="1")
    sender: Mapped[str | None] = mapped_column(String(100))
    received_at: Mapped[datetime] = mapped_column(default=utcnow)
