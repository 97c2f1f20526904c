"""Tables of the agencies domain: the signed message log, the circuit breakers, the answer
cache, and each person's verification state per source."""

from __future__ import annotations

import uuid
from datetime import datetime
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    ForeignKey,
    Index,
    Integer,
    SmallInteger,
    String,
    Text,
    UniqueConstraint,
)
from sqlalchemy.orm import Mapped, mapped_column

from peduli.core.crypto import Sealed
from peduli.core.db import Base, utcnow
from peduli.registry.models import Person

MESSAGE_BODY_PURPOSE = "agency-message"
CACHED_ANSWER_PURPOSE = "agency-answer"


class Direction(StrEnum):
    REQUEST = "request"
    ANSWER = "answer"


class AgencyMessage(Base):
    """One request to an agency or its answer (or why none came). Never updated or deleted
    by the application, except that a citizen's erasure empties ``body`` (outside the hash)."""

    __tablename__ = "agency_message"
    __table_args__ = (
        UniqueConstraint("message_id", "direction", name="uq_agency_message_id"),
        Index("ix_agency_message_person", "person_id", "seq"),
        {"sqlite_autoincrement": True},
    )

    seq: Mapped[int] = mapped_column(
        BigInteger().with_variant(Integer, "sqlite"), primary_key=True, autoincrement=True
    )
    message_id: Mapped[uuid.UUID]
    direction: Mapped[str] = mapped_column(String(8))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    agency: Mapped[str] = mapped_column(String(32))
    operation: Mapped[str] = mapped_column(String(64))
    client: Mapped[str] = mapped_column(String(100))
    actor: Mapped[str] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(String(32))
    cause: Mapped[str] = mapped_column(String(200))
    person_id: Mapped[uuid.UUID | None]
    request_hash: Mapped[str] = mapped_column(String(64))
    # The answer's HTTP status (0: none came: time-out, refused connection, breaker open).
    status: Mapped[int] = mapped_column(SmallInteger, default=0)
    outcome: Mapped[str] = mapped_column(String(16))  # sent, ok, refused, unavailable
    body_hash: Mapped[str] = mapped_column(String(64))
    body: Mapped[str | None] = mapped_column(Sealed(MESSAGE_BODY_PURPOSE))
    prev_hash: Mapped[str] = mapped_column(String(64))
    hash: Mapped[str] = mapped_column(String(64), unique=True)


class AgencyLogHead(Base):
    """The newest hash of the message log and its length: the row a writer locks."""

    __tablename__ = "agency_log_head"

    chain: Mapped[int] = mapped_column(SmallInteger, primary_key=True, autoincrement=False)
    hash: Mapped[str] = mapped_column(String(64))
    entries: Mapped[int] = mapped_column(BigInteger, default=0)


class AgencyBreaker(Base):
    """The circuit breaker of one agency, shared by every worker: failures in a row, open
    until when, and the lease of the one trial call let through once it half-opens."""

    __tablename__ = "agency_breaker"

    agency: Mapped[str] = mapped_column(String(32), primary_key=True)
    failures: Mapped[int] = mapped_column(Integer, default=0)
    opened_until: Mapped[datetime | None]
    probe_until: Mapped[datetime | None]
    last_failure: Mapped[str | None] = mapped_column(String(200))
    changed_at: Mapped[datetime] = mapped_column(default=utcnow)


class AgencyAnswer(Base):
    """A cached answer of an agency to one request, until ``expires_at``; ``key`` is the
    hash of the agency, the operation and the request's hash."""

    __tablename__ = "agency_answer"

    key: Mapped[str] = mapped_column(String(64), primary_key=True)
    agency: Mapped[str] = mapped_column(String(32))
    operation: Mapped[str] = mapped_column(String(64))
    answer: Mapped[str] = mapped_column(Sealed(CACHED_ANSWER_PURPOSE))
    stored_at: Mapped[datetime] = mapped_column(default=utcnow)
    expires_at: Mapped[datetime] = mapped_column(index=True)


class Source(StrEnum):
    """Where a person's data is checked."""

    CIVIL_REGISTRY = "civil_registry"
    IMMIGRATION = "immigration"
    PLACEMENTS = "placements"


class CheckState(StrEnum):
    """A person's state at one source."""

    QUEUED = "queued"
    VERIFIED = "verified"
    MISMATCH = "mismatch"
    NOT_FOUND = "not_found"
    UNAVAILABLE = "unavailable"  # the agency did not answer: tried again at retry_at
    NOT_CHECKABLE = "not_checkable"  # nothing to ask with (no NIK) or the agency refused


RECORD = "record"  # the subject of a check of the record itself (not of a claim on it)


class PersonVerification(Base):
    """A person's verification at one source: its state, when, and the next try. The
    subject is the record itself (``RECORD``) or one identity claim on it (its id)."""

    __tablename__ = "person_verification"
    __table_args__ = (
        Index("ix_person_verification_due", "due_at"),
        Index("ix_person_verification_claim", "claim_id"),
    )

    person_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("person.id", ondelete="CASCADE"), primary_key=True
    )
    source: Mapped[str] = mapped_column(String(16), primary_key=True)
    subject: Mapped[str] = mapped_column(String(40), primary_key=True, default=RECORD)
    claim_id: Mapped[uuid.UUID | None]
    state: Mapped[str] = mapped_column(String(16), default=CheckState.QUEUED)
    # JSON list of the fields that did not match (mismatch), e.g. ["mother_name"].
    fields: Mapped[str] = mapped_column(Text, default="[]")
    name_score: Mapped[float | None]
    detail: Mapped[str | None] = mapped_column(String(200))
    purpose: Mapped[str] = mapped_column(String(32))
    cause: Mapped[str] = mapped_column(String(200))
    requested_by: Mapped[str] = mapped_column(String(200))
    requested_at: Mapped[datetime] = mapped_column(default=utcnow)
    due_at: Mapped[datetime | None]  # when the worker runs it next (None: nothing to do)
    attempts: Mapped[int] = mapped_column(Integer, default=0)
    checked_at: Mapped[datetime | None]
    retry_at: Mapped[datetime | None]
    lease_until: Mapped[datetime | None]  # a worker took it until then


# The worker finds new records by their creation time (``verification.queue_new_records``);
# declared here, next to the only query that needs it, on the registry's table.
Index("ix_person_created_at", Person.created_at)
