"""The services' tables: the catalogue's versions, posts' local notes, and the applications
with their documents and decisions.

The catalogue is shipped as data (``data/catalogue.json``) and loaded as version 1 of each
service; HQ publishes a new version to change one, and an application keeps the version it
was made under. Amounts are integers of US cents (the base currency, ``fees``); the dated
rates are the platform's one rate table (``cases.models.ExchangeRate``).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from decimal import Decimal

from sqlalchemy import (
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

from peduli.core.crypto import Sealed
from peduli.core.db import Base, IdMixin, utcnow
from peduli.registry.models import NIK_PURPOSE, PASSPORT_PURPOSE

DOCUMENT_PAYLOAD_PURPOSE = "service-document"
# The open states (``workflow.OPEN_STATES``), for the partial index of the queue.
OPEN = "('submitted', 'documents_requested', 'approved', 'issued')"


class ServiceVersion(IdMixin, Base):
    """One published version of one service of the catalogue (the current one is flagged)."""

    __tablename__ = "service_version"
    __table_args__ = (
        UniqueConstraint("code", "version", name="uq_service_version"),
        Index(
            "ix_service_version_current",
            "code",
            unique=True,
            postgresql_where=text("is_current"),
            sqlite_where=text("is_current"),
        ),
    )

    code: Mapped[str] = mapped_column(String(40))
    version: Mapped[int] = mapped_column(Integer)
    # The whole entry as published (names, requirements, fee, SLA) as JSON text.
    definition: Mapped[str] = mapped_column(Text)
    is_current: Mapped[bool] = mapped_column(default=True)
    published_at: Mapped[datetime] = mapped_column(default=utcnow)
    published_by_account_id: Mapped[uuid.UUID | None]
    change_note: Mapped[str | None] = mapped_column(String(500))


class ServiceLocalNote(IdMixin, Base):
    """What one post adds to one service (opening days, where to queue): its only change."""

    __tablename__ = "service_local_note"
    __table_args__ = (
        UniqueConstraint("representation_code", "service_code", name="uq_service_local_note"),
    )

    representation_code: Mapped[str] = mapped_column(String(64))
    service_code: Mapped[str] = mapped_column(String(40))
    note: Mapped[str] = mapped_column(Text)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_by_account_id: Mapped[uuid.UUID | None]


class ServiceApplication(IdMixin, Base):
    """A citizen's application for one service at one post, from submission to hand-over."""

    __tablename__ = "service_application"
    __table_args__ = (
        # The post's queue: open applications by deadline; the escalation job's overdue ones.
        Index("ix_service_application_queue", "representation_code", "state", "due_at", "id"),
        # The default queue (every open application of a post by deadline): read in index
        # order, counted from the index alone; the dashboard counts open ones per service
        # from it too (the included columns).
        Index(
            "ix_service_application_open",
            "representation_code",
            "due_at",
            "id",
            postgresql_include=["service_code", "state"],
            postgresql_where=text(f"state IN {OPEN}"),
            sqlite_where=text(f"state IN {OPEN}"),
        ),
        Index(
            "ix_service_application_overdue",
            "due_at",
            postgresql_where=text("escalated_at IS NULL AND state IN ('submitted', 'approved')"),
            sqlite_where=text("escalated_at IS NULL AND state IN ('submitted', 'approved')"),
        ),
        Index("ix_service_application_person", "person_id", "submitted_at"),
        # The dashboard's figures of a period: received and completed applications read as
        # one range of these indexes each (index-only on PostgreSQL), not the whole table.
        Index(
            "ix_service_application_received",
            "submitted_at",
            "representation_code",
            "service_code",
        ),
        Index(
            "ix_service_application_completed",
            "issued_at",
            "representation_code",
            "service_code",
            "due_at",
            postgresql_where=text("issued_at IS NOT NULL"),
            sqlite_where=text("issued_at IS NOT NULL"),
        ),
    )

    reference: Mapped[str] = mapped_column(String(20), unique=True)
    service_code: Mapped[str] = mapped_column(String(40))
    service_version: Mapped[int] = mapped_column(Integer)
    representation_code: Mapped[str] = mapped_column(String(64))
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    account_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("citizen_account.id", ondelete="SET NULL")
    )
    # What the registry knew, confirmed by the applicant (a copy: the record may change).
    applicant_name: Mapped[str] = mapped_column(String(200))
    applicant_birth_date: Mapped[date] = mapped_column(Date)
    applicant_nik: Mapped[str | None] = mapped_column(Sealed(NIK_PURPOSE))
    applicant_passport: Mapped[str | None] = mapped_column(Sealed(PASSPORT_PURPOSE))
    applying_for: Mapped[str] = mapped_column(String(10))  # self | child | relative
    beneficiary_name: Mapped[str | None] = mapped_column(String(200))
    language: Mapped[str] = mapped_column(String(8))
    state: Mapped[str] = mapped_column(String(20))
    fee_usd_cents: Mapped[int] = mapped_column(Integer)
    local_currency: Mapped[str | None] = mapped_column(String(3))
    fee_local: Mapped[Decimal | None] = mapped_column(Numeric(18, 2))
    payment_method: Mapped[str] = mapped_column(String(10))  # online | counter | none
    payment_state: Mapped[str] = mapped_column(String(12))
    payment_reference: Mapped[str | None] = mapped_column(String(24), unique=True)
    payment_registered_at: Mapped[datetime | None]
    paid_at: Mapped[datetime | None]
    submitted_at: Mapped[datetime] = mapped_column(default=utcnow)
    due_at: Mapped[datetime]  # end of the last working day of the SLA, post's calendar
    escalated_at: Mapped[datetime | None]
    decided_at: Mapped[datetime | None]
    issued_at: Mapped[datetime | None]  # the SLA is met when the document is issued in time
    closed_at: Mapped[datetime | None]  # handed over or refused
    refusal_reason: Mapped[str | None] = mapped_column(Text)
    officer_note: Mapped[str | None] = mapped_column(Text)  # what more to send, for the citizen
    # The signed document issued for it (QR, checked offline) and its payload, to print again.
    document_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("issued_document.id", ondelete="SET NULL")
    )
    document_payload: Mapped[str | None] = mapped_column(Sealed(DOCUMENT_PAYLOAD_PURPOSE))
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


class ApplicationDocument(IdMixin, Base):
    """A file an applicant sent for one requirement; the bytes are sealed in the storage."""

    __tablename__ = "service_application_document"

    application_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("service_application.id", ondelete="CASCADE"), index=True
    )
    requirement: Mapped[str] = mapped_column(String(40))
    filename: Mapped[str] = mapped_column(String(200))
    content_type: Mapped[str] = mapped_column(String(40))
    size_bytes: Mapped[int] = mapped_column(Integer)
    sha256: Mapped[str] = mapped_column(String(64))
    storage_key: Mapped[str] = mapped_column(String(120))
    uploaded_at: Mapped[datetime] = mapped_column(default=utcnow)


class ApplicationEvent(IdMixin, Base):
    """One step of an application's workflow: who did what, from which state to which."""

    __tablename__ = "service_application_event"

    application_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("service_application.id", ondelete="CASCADE"), index=True
    )
    action: Mapped[str] = mapped_column(String(24))
    from_state: Mapped[str | None] = mapped_column(String(20))
    to_state: Mapped[str] = mapped_column(String(20))
    actor_account_id: Mapped[uuid.UUID | None]
    actor_role: Mapped[str] = mapped_column(String(16))
    reason: Mapped[str | None] = mapped_column(Text)
    at: Mapped[datetime] = mapped_column(default=utcnow)


# The appointments' tables live in their own module (this one would pass 400 lines).
from peduli.services.appointment_models import (  # noqa: E402
    Appointment,
    AppointmentBlackout,
    AppointmentSchedule,
    AppointmentSlot,
)

__all__ = [
    "ApplicationDocument",
    "ApplicationEvent",
    "Appointment",
    "AppointmentBlackout",
    "AppointmentSchedule",
    "AppointmentSlot",
    "ServiceApplication",
    "ServiceLocalNote",
    "ServiceVersion",
]
