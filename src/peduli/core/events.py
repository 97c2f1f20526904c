"""Events the platform publishes to outside systems (webhooks), written where they happen.

A domain that does something a partner system may want to hear about (a case opened or
closed, a crisis declared, a person verified, a crisis check-in) appends one ``domain_event``
row in its own transaction with ``record`` (or writes ``row`` in a statement of its own): the
event exists exactly when what it tells of is committed.
The domains never know who listens: ``agencies.webhooks`` (a domain built on top of them)
turns unpublished rows into outbox messages, one per matching subscription, set-based.

``data`` holds codes and references only (a case's reference, category, priority and post;
a crisis's kind and severity), never a personal identifier, so a subscriber's copy of an
event discloses nobody.
"""

from __future__ import annotations

import json
import secrets
from datetime import datetime
from enum import StrEnum
from typing import Any

from sqlalchemy import BigInteger, Index, Integer, String, Text, text
from sqlalchemy.orm import Mapped, Session, mapped_column

from peduli.core.db import Base, utcnow

BigId = BigInteger().with_variant(Integer(), "sqlite")


class EventType(StrEnum):
    """What can be published; a webhook subscription picks some of these."""

    CASE_OPENED = "case.opened"
    CASE_CLOSED = "case.closed"
    CRISIS_DECLARED = "crisis.declared"
    PERSON_VERIFIED = "person.verified"
    CHECKIN_RECORDED = "checkin.recorded"


# What the publisher scans: only the rows not yet fanned out, oldest first.
UNPUBLISHED = "published_at IS NULL"


class DomainEvent(Base):
    """One thing that happened, as outside systems may hear of it (append-only)."""

    __tablename__ = "domain_event"
    __table_args__ = (
        Index(
            "ix_domain_event_unpublished",
            "id",
            postgresql_where=text(UNPUBLISHED),
            sqlite_where=text(UNPUBLISHED),
        ),
        Index("ix_domain_event_occurred_at", "occurred_at"),
    )

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    # A public, unguessable id subscribers deduplicate by (``evt_`` + 24 hex digits).
    public_id: Mapped[str] = mapped_column(String(40), unique=True)
    event_type: Mapped[str] = mapped_column(String(40))
    # What the event is about: a case's, crisis's or person record's id (never a personal
    # identifier such as a NIK or a passport number).
    subject_id: Mapped[str] = mapped_column(String(64))
    representation_code: Mapped[str | None] = mapped_column(String(40))
    data: Mapped[str] = mapped_column(Text, default="{}")
    occurred_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_at: Mapped[datetime | None]


def public_id() -> str:
    """A new event's public id (``evt_`` + 24 hex digits)."""
    return f"evt_{secrets.token_hex(12)}"


def row(
    *,
    event_type: EventType,
    subject_id: object,
    representation_code: str | None = None,
    data: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> dict[str, Any]:
    """The values of one new event, for a caller that writes it in its own statement."""
    return {
        "public_id": public_id(),
        "event_type": event_type.value,
        "subject_id": str(subject_id),
        "representation_code": representation_code,
        "data": json.dumps(data or {}, sort_keys=True, default=str),
        "occurred_at": at or utcnow(),
    }


def record(
    session: Session,
    *,
    event_type: EventType,
    subject_id: object,
    representation_code: str | None = None,
    data: dict[str, Any] | None = None,
    at: datetime | None = None,
) -> None:
    """Append one event in the caller's transaction (published only if it commits)."""
    session.add(
        DomainEvent(
            **row(
                event_type=event_type,
                subject_id=subject_id,
                representation_code=representation_code,
                data=data,
                at=at,
            )
        )
    )
