"""The appointments' tables: each post's schedule for a service (opening hours, capacity of a
slot, how far ahead slots are released), its blackout days, the slots booked so far with
their counters, and the appointments.

A slot row is written the first time someone books it (``slots.take``), with the capacity of
the schedule; its ``booked`` counter only changes through one conditional UPDATE, so the
capacity holds however many bookings arrive at once (the CHECK is the last guard).
"""

from __future__ import annotations

import uuid
from datetime import date, datetime, time

from sqlalchemy import (
    CheckConstraint,
    Date,
    ForeignKey,
    Index,
    Integer,
    String,
    Text,
    Time,
    UniqueConstraint,
    text,
)
from sqlalchemy.orm import Mapped, mapped_column

from peduli.core.crypto import CONTACT_PURPOSE
from peduli.core.db import Base, IdMixin, utcnow

# An appointment still holding its place (one per person and service: no hoarding).
ACTIVE = "('booked', 'checked_in')"


class AppointmentSchedule(IdMixin, Base):
    """When one post receives one service by appointment, and how many per slot."""

    __tablename__ = "appointment_schedule"
    __table_args__ = (
        UniqueConstraint("representation_code", "service_code", name="uq_appointment_schedule"),
        CheckConstraint("opens_at < closes_at", name="hours"),
        CheckConstraint("slot_minutes BETWEEN 5 AND 240", name="slot_minutes"),
        CheckConstraint("capacity BETWEEN 1 AND 500", name="capacity"),
        CheckConstraint("max_party BETWEEN 1 AND 20", name="max_party"),
    )

    representation_code: Mapped[str] = mapped_column(String(64))
    service_code: Mapped[str] = mapped_column(String(40))
    opens_at: Mapped[time] = mapped_column(Time)  # the post's local time
    closes_at: Mapped[time] = mapped_column(Time)
    slot_minutes: Mapped[int] = mapped_column(Integer)
    capacity: Mapped[int] = mapped_column(Integer)  # people per slot (a family counts each)
    max_party: Mapped[int] = mapped_column(Integer, default=1)
    # Slots of day D open at ``release_hour`` (local) on D - ``release_days`` (daily windows).
    release_days: Mapped[int] = mapped_column(Integer, default=14)
    release_hour: Mapped[int] = mapped_column(Integer, default=8)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
    updated_by_account_id: Mapped[uuid.UUID | None]


class AppointmentBlackout(IdMixin, Base):
    """A day a post takes no appointments (for one service, or all when none is named)."""

    __tablename__ = "appointment_blackout"
    __table_args__ = (
        UniqueConstraint(
            "representation_code", "day", "service_code", name="uq_appointment_blackout"
        ),
    )

    representation_code: Mapped[str] = mapped_column(String(64))
    day: Mapped[date] = mapped_column(Date)
    service_code: Mapped[str | None] = mapped_column(String(40))
    reason: Mapped[str] = mapped_column(String(200))
    created_by_account_id: Mapped[uuid.UUID | None]


class AppointmentSlot(IdMixin, Base):
    """One slot someone has booked: its capacity (from the schedule) and the places taken."""

    __tablename__ = "appointment_slot"
    __table_args__ = (
        UniqueConstraint(
            "representation_code", "service_code", "starts_at", name="uq_appointment_slot"
        ),
        CheckConstraint("booked >= 0 AND booked <= capacity", name="within_capacity"),
    )

    representation_code: Mapped[str] = mapped_column(String(64))
    service_code: Mapped[str] = mapped_column(String(40))
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    capacity: Mapped[int] = mapped_column(Integer)
    booked: Mapped[int] = mapped_column(Integer, default=0)


class Appointment(IdMixin, Base):
    """A verified citizen's appointment (with their party) in one slot; not transferable."""

    __tablename__ = "appointment"
    __table_args__ = (
        # One active appointment per person and service, whatever arrives at once.
        Index(
            "ix_appointment_one_active",
            "person_id",
            "service_code",
            unique=True,
            postgresql_where=text(f"state IN {ACTIVE}"),
            sqlite_where=text(f"state IN {ACTIVE}"),
        ),
        # The day at a post (officers' list, queue screen); one ticket number per day.
        Index("ix_appointment_day", "representation_code", "local_day", "starts_at"),
        Index(
            "ix_appointment_ticket",
            "representation_code",
            "local_day",
            "ticket",
            unique=True,
            postgresql_where=text("ticket IS NOT NULL"),
            sqlite_where=text("ticket IS NOT NULL"),
        ),
        # The reminder job: booked appointments not reminded yet, by start.
        Index(
            "ix_appointment_to_remind",
            "starts_at",
            postgresql_where=text("reminded_at IS NULL AND state = 'booked'"),
            sqlite_where=text("reminded_at IS NULL AND state = 'booked'"),
        ),
        CheckConstraint("party_size BETWEEN 1 AND 20", name="party_size"),
    )

    reference: Mapped[str] = mapped_column(String(20), unique=True)
    slot_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("appointment_slot.id"), index=True)
    representation_code: Mapped[str] = mapped_column(String(64))
    service_code: Mapped[str] = mapped_column(String(40))
    person_id: Mapped[uuid.UUID] = mapped_column(ForeignKey("person.id", ondelete="CASCADE"))
    account_id: Mapped[uuid.UUID | None] = mapped_column(
        ForeignKey("citizen_account.id", ondelete="SET NULL")
    )
    holder_name: Mapped[str] = mapped_column(String(200))  # checked at the door
    party_size: Mapped[int] = mapped_column(Integer, default=1)
    starts_at: Mapped[datetime]
    ends_at: Mapped[datetime]
    local_day: Mapped[date] = mapped_column(Date)  # the post's day of the slot
    # The start as the holder reads it ("2026-12-10 10:00 KST"), for messages built in SQL.
    local_start: Mapped[str] = mapped_column(String(40))
    state: Mapped[str] = mapped_column(String(12), default="booked")
    language: Mapped[str] = mapped_column(String(8))
    # iCalendar: the UID stays, the SEQUENCE rises on every change the citizen is sent.
    sequence: Mapped[int] = mapped_column(Integer, default=0)
    # Where the reminder goes: the sign-in address, sealed as the outbox stores recipients.
    remind_channel: Mapped[str | None] = mapped_column(String(16))
    remind_to: Mapped[str | None] = mapped_column(Text, info={"sealed": CONTACT_PURPOSE})
    reminded_at: Mapped[datetime | None]
    ticket: Mapped[int | None] = mapped_column(Integer)  # queue number, given at check-in
    checked_in_at: Mapped[datetime | None]
    called_at: Mapped[datetime | None]
    cancelled_at: Mapped[datetime | None]
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)
