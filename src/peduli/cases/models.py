"""Protection case tables: cases, the people they concern, the timeline, attachments,
typed outcomes, exchange rates and the maintained outcome aggregates.

A case belongs to one representation (``representation_code``) and every staff query is
scoped on that column in SQL. ``sla_due_at`` is the next deadline that can be missed (first
response, then resolution; NULL while the clock is paused or the case is done), so the
queue's SLA filter and the escalation task are plain indexed range conditions.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal
from enum import StrEnum

from sqlalchemy import (
    BigInteger,
    Boolean,
    Date,
    ForeignKey,
    Index,
    Integer,
    Numeric,
    String,
    Text,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from peduli.core.db import Base, IdMixin, TimestampMixin, utcnow

BigId = BigInteger().with_variant(Integer(), "sqlite")


# What the contact-back columns of a case are encrypted under (``core.crypto``).
CASE_CONTACT_PURPOSE = "case_contact"


class Priority(StrEnum):
    LOW = "low"
    NORMAL = "normal"
    HIGH = "high"
    CRITICAL = "critical"


PRIORITY_RANK = {Priority.CRITICAL: 0, Priority.HIGH: 1, Priority.NORMAL: 2, Priority.LOW: 3}


class CaseStatus(StrEnum):
    NEW = "new"
    TRIAGED = "triaged"
    IN_PROGRESS = "in_progress"
    WAITING = "waiting"
    RESOLVED = "resolved"
    CLOSED = "closed"


class WaitingOn(StrEnum):
    CITIZEN = "citizen"
    AGENCY = "agency"
    PARTNER = "partner"


class IntakeChannel(StrEnum):
    CITIZEN_REQUEST = "citizen_request"
    WALK_IN = "walk_in"
    PHONE = "phone"
    PARTNER = "partner"
    AGENCY_API = "agency_api"
    EMERGENCY = "emergency"


class EventKind(StrEnum):
    CREATED = "created"
    NOTE = "note"
    CALL = "call"
    STATUS_CHANGED = "status_changed"
    ASSIGNED = "assigned"
    PRIORITY_CHANGED = "priority_changed"
    PERSON_LINKED = "person_linked"
    ATTACHMENT = "attachment"
    OUTCOME = "outcome"
    OUTCOME_REMOVED = "outcome_removed"
    ESCALATED = "escalated"


class Visibility(StrEnum):
    INTERNAL = "internal"
    SHARED = "shared"  # shown to the citizen in "my requests"


class OutcomeKind(StrEnum):
    MONEY_RECOVERED = "money_recovered"
    REPATRIATED = "repatriated"
    REMAINS_REPATRIATED = "remains_repatriated"
    RELEASED_FROM_DETENTION = "released_from_detention"
    FREED_FROM_HOSTAGE = "freed_from_hostage"
    DEATH_SENTENCE_COMMUTED = "death_sentence_commuted"
    ACQUITTED = "acquitted"
    RESCUED_FROM_TRAFFICKING = "rescued_from_trafficking"
    EVACUATED = "evacuated"
    DOCUMENTS_ISSUED = "documents_issued"
    MEDICAL_CARE_ARRANGED = "medical_care_arranged"


class Case(IdMixin, TimestampMixin, Base):
    """One protection case of one representation."""

    __tablename__ = "protection_case"
    __table_args__ = (
        # The queue: a post's cases by priority then age (read in index order, no sort),
        # and the same per status; the other filter columns are carried in the index
        # (PostgreSQL INCLUDE) so counts and filters need no visit to the table.
        Index("ix_protection_case_queue", "representation_code", "priority_rank",
              "created_at", "id",
              postgresql_include=["status", "category", "assigned_officer_id", "sla_due_at"]),
        Index("ix_protection_case_status_queue", "representation_code", "status",
              "priority_rank", "created_at", "id",
              postgresql_include=["category", "assigned_officer_id", "sla_due_at"]),
        Index("ix_protection_case_rep_sla", "representation_code", "sla_due_at"),
        Index("ix_protection_case_assignee", "assigned_officer_id", "status"),
        # The escalation task: due cases not escalated yet (partial where supported).
        Index("ix_protection_case_escalation", "sla_due_at",
              postgresql_where=text("escalated_at IS NULL"),
              sqlite_where=text("escalated_at IS NULL")),
        Index("ix_protection_case_requester", "requester_account_id"),
    )  # fmt: skip

    reference: Mapped[str] = mapped_column(String(64), unique=True)
    representation_code: Mapped[str] = mapped_column(String(64))
    category: Mapped[str] = mapped_column(String(24))
    subcategory: Mapped[str | None] = mapped_column(String(40))
    summary: Mapped[str] = mapped_column(Text)
    priority: Mapped[str] = mapped_column(String(10))
    # 0 = critical … 3 = low, so the queue sorts by an integer column.
    priority_rank: Mapped[int] = mapped_column(Integer)
    priority_reason: Mapped[str | None] = mapped_column(Text)
    death_penalty: Mapped[bool] = mapped_column(Boolean, default=False)
    danger_to_life: Mapped[bool] = mapped_column(Boolean, default=False)
    status: Mapped[str] = mapped_column(String(12), default=CaseStatus.NEW)
    waiting_on: Mapped[str | None] = mapped_column(String(10))
    assigned_officer_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("staff_account.id", ondelete="SET NULL")
    )
    intake_channel: Mapped[str] = mapped_column(String(16))
    created_by_account_id: Mapped[uuid.UUID | None]
    # A citizen's account that asked for help (signed in); their "my requests" list.
    requester_account_id: Mapped[uuid.UUID | None]
    # Contact-back details of a requester without an account, encrypted (core.crypto).
    contact_phone_encrypted: Mapped[str | None] = mapped_column(
        String(300), info={"sealed": CASE_CONTACT_PURPOSE}
    )
    contact_email_encrypted: Mapped[str | None] = mapped_column(
        String(600), info={"sealed": CASE_CONTACT_PURPOSE}
    )
    contact_country: Mapped[str | None] = mapped_column(String(2))
    contact_city: Mapped[str | None] = mapped_column(String(120))
    first_response_due_at: Mapped[datetime]
    first_responded_at: Mapped[datetime | None]
    resolution_due_at: Mapped[datetime]
    paused_since: Mapped[datetime | None]
    paused_seconds: Mapped[int] = mapped_column(Integer, default=0)
    sla_due_at: Mapped[datetime | None]
    escalated_at: Mapped[datetime | None]
    resolved_at: Mapped[datetime | None]
    closed_at: Mapped[datetime | None]


class CaseReferenceCounter(Base):
    """The last reference number given per representation and year (one atomic upsert)."""

    __tablename__ = "case_reference_counter"

    representation_code: Mapped[str] = mapped_column(String(64), primary_key=True)
    year: Mapped[int] = mapped_column(Integer, primary_key=True)
    last_value: Mapped[int] = mapped_column(Integer, default=0)


class CasePerson(IdMixin, Base):
    """A person a case concerns: a registered one, or a name and phone to link later."""

    __tablename__ = "case_person"
    __table_args__ = (Index("ix_case_person_person", "person_id"),)

    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("protection_case.id", ondelete="CASCADE"), index=True
    )
    person_id: Mapped[uuid.UUID | None] = mapped_column(ForeignKey("person.id"))
    name: Mapped[str | None] = mapped_column(String(200))
    phone_encrypted: Mapped[str | None] = mapped_column(
        String(300), info={"sealed": CASE_CONTACT_PURPOSE}
    )
    role: Mapped[str] = mapped_column(String(16), default="subject")
    added_at: Mapped[datetime] = mapped_column(default=utcnow)


class CaseEvent(Base):
    """One entry of a case's append-only timeline (never updated or deleted)."""

    __tablename__ = "case_event"
    __table_args__ = (Index("ix_case_event_case", "case_id", "seq"),)

    seq: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    case_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("protection_case.id", ondelete="CASCADE"))
    at: Mapped[datetime] = mapped_column(default=utcnow)
    kind: Mapped[str] = mapped_column(String(20))
    visibility: Mapped[str] = mapped_column(String(10), default=Visibility.INTERNAL)
    actor_account_id: Mapped[uuid.UUID | None]
    actor_display: Mapped[str] = mapped_column(String(200))
    text: Mapped[str | None] = mapped_column(Text)
    # Machine-readable details (from/to status, priority, outcome id…) as JSON text.
    data: Mapped[str] = mapped_column(Text, default="{}")


class CaseAttachment(IdMixin, Base):
    """A file's metadata; the bytes are in an ``AttachmentStorage`` under ``storage_key``."""

    __tablename__ = "case_attachment"

    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("protection_case.id", ondelete="CASCADE"), index=True
    )
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(100))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(200), unique=True)
    visibility: Mapped[str] = mapped_column(String(10), default=Visibility.INTERNAL)
    uploaded_by_account_id: Mapped[uuid.UUID | None]
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)


class CaseOutcome(IdMixin, Base):
    """A typed result of a case; what the national figures are computed from."""

    __tablename__ = "case_outcome"

    case_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("protection_case.id", ondelete="CASCADE"), index=True
    )
    kind: Mapped[str] = mapped_column(String(32))
    people: Mapped[int] = mapped_column(Integer, default=1)
    achieved_on: Mapped[date] = mapped_column(Date)
    amount: Mapped[Decimal | None] = mapped_column(Numeric(16, 2))
    currency: Mapped[str | None] = mapped_column(String(3))
    idr_per_unit: Mapped[Decimal | None] = mapped_column(Numeric(18, 6))
    idr_value: Mapped[int | None] = mapped_column(BigInteger)
    # Copied from the case when recorded: a commuted or acquitted death-penalty case.
    death_penalty_case: Mapped[bool] = mapped_column(Boolean, default=False)
    description: Mapped[str | None] = mapped_column(Text)
    recorded_by_account_id: Mapped[uuid.UUID | None]
    recorded_at: Mapped[datetime] = mapped_column(default=utcnow)


class ExchangeRate(Base):
    """Rupiah per unit of a currency from a date on (the latest on or before a date applies)."""

    __tablename__ = "exchange_rate"

    currency: Mapped[str] = mapped_column(String(3), primary_key=True)
    rate_date: Mapped[date] = mapped_column(Date, primary_key=True)
    idr_per_unit: Mapped[Decimal] = mapped_column(Numeric(18, 6))
    source: Mapped[str] = mapped_column(String(60), default="shipped")


FIGURE_COLUMNS = (
    "cases_resolved",
    "death_penalty_saved",
    "financial_recovered_idr",
    "hostages_freed",
    "people_repatriated",
)


class OutcomeDaily(Base):
    """Maintained aggregate: headline figures per day, representation and category.

    Updated by upsert increments in the same transaction as each resolution, reopening,
    outcome record or removal (``cases.stats``), so reading it is exact and never stale.
    """

    __tablename__ = "case_outcome_daily"
    __table_args__ = (
        UniqueConstraint("representation_code", "day", "category", name="uq_case_outcome_daily"),
        # Readings sum the figures straight from these (PostgreSQL index-only scans).
        Index("ix_case_outcome_daily_rep_day", "representation_code", "day",
              postgresql_include=list(FIGURE_COLUMNS)),
        Index("ix_case_outcome_daily_day", "day",
              postgresql_include=["representation_code", *FIGURE_COLUMNS]),
    )  # fmt: skip

    id: Mapped[int] = mapped_column(BigId, primary_key=True, autoincrement=True)
    representation_code: Mapped[str] = mapped_column(String(64))
    day: Mapped[date] = mapped_column(Date)
    category: Mapped[str] = mapped_column(String(24))
    cases_resolved: Mapped[int] = mapped_column(BigInteger, default=0)
    death_penalty_saved: Mapped[int] = mapped_column(BigInteger, default=0)
    financial_recovered_idr: Mapped[int] = mapped_column(BigInteger, default=0)
    hostages_freed: Mapped[int] = mapped_column(BigInteger, default=0)
    people_repatriated: Mapped[int] = mapped_column(BigInteger, default=0)
