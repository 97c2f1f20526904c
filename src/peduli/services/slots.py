"""Appointment slots: which a post offers for a service (its opening hours, working days,
blackout days and release window, in its own time zone), how many places each has left, and
taking or giving back places with one conditional statement each.

Slots are computed from the schedule; a row exists only for a slot someone booked. Taking
places inserts that row if missing, then runs ``UPDATE … SET booked = booked + :n WHERE …
AND booked + :n <= capacity``: the database decides, so concurrent bookings never pass the
capacity on SQLite (one writer) or PostgreSQL (the row lock re-checks the condition).
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta

from sqlalchemy import Select, func, or_, select, update
from sqlalchemy.orm import Session

from peduli.core.db import insert_on_conflict
from peduli.core.errors import Conflict, FieldProblem, ValidationFailed
from peduli.core.i18n import _
from peduli.services.calendar import PostCalendar, calendar_of
from peduli.services.models import AppointmentBlackout, AppointmentSchedule, AppointmentSlot

MAX_DAYS = 62  # one search: about two months


@dataclass(frozen=True)
class Slot:
    """One slot offered: when (UTC and the post's time), and the places left."""

    starts_at: datetime
    ends_at: datetime
    local_start: datetime
    capacity: int
    booked: int

    @property
    def free(self) -> int:
        return max(self.capacity - self.booked, 0)


def schedule_of(session: Session, post: str, service: str) -> AppointmentSchedule | None:
    """The post's schedule for a service (None: it takes no appointments for it)."""
    return session.scalar(
        select(AppointmentSchedule).where(
            AppointmentSchedule.representation_code == post,
            AppointmentSchedule.service_code == service,
        )
    )


def last_released_day(schedule: AppointmentSchedule, calendar: PostCalendar, now: datetime) -> date:
    """The last local day whose slots are open for booking at ``now`` (daily windows)."""
    local = now.astimezone(calendar.timezone)
    ahead = (
        schedule.release_days if local.hour >= schedule.release_hour else schedule.release_days - 1
    )
    return local.date() + timedelta(days=ahead)


def _starts(
    schedule: AppointmentSchedule, calendar: PostCalendar, day: date
) -> Iterator[tuple[datetime, datetime]]:
    """Each slot start of a day: in UTC and in the post's time. The UTC offset is read once
    a day (a clock change inside opening hours would shift that day's later slots)."""
    step = timedelta(minutes=schedule.slot_minutes)
    local = datetime.combine(day, schedule.opens_at, tzinfo=calendar.timezone)
    close = datetime.combine(day, schedule.closes_at, tzinfo=calendar.timezone)
    starts = local.astimezone(UTC)
    while local + step <= close:
        yield starts, local
        local += step
        starts += step


def _blackouts(session: Session, post: str, service: str, first: date, last: date) -> set[date]:
    return set(
        session.scalars(
            select(AppointmentBlackout.day).where(
                AppointmentBlackout.representation_code == post,
                or_(
                    AppointmentBlackout.service_code.is_(None),
                    AppointmentBlackout.service_code == service,
                ),
                AppointmentBlackout.day.between(first, last),
            )
        )
    )


def offered(
    session: Session, *, post: str, service: str, first: date, last: date, now: datetime
) -> list[Slot]:
    """The slots a post offers for a service from ``first`` to ``last`` (its local days),
    released and not started yet, with the places taken so far; open or full."""
    schedule = schedule_of(session, post, service)
    if schedule is None:
        return []
    calendar = calendar_of(post)
    today = now.astimezone(calendar.timezone).date()
    first = max(first, today)
    last = min(last, last_released_day(schedule, calendar, now), first + timedelta(MAX_DAYS - 1))
    if last < first:
        return []
    closed = _blackouts(session, post, service, first, last)
    window_start = datetime.combine(first, time(0), tzinfo=calendar.timezone).astimezone(UTC)
    window_end = datetime.combine(last + timedelta(1), time(0), tzinfo=calendar.timezone)
    rows = session.execute(
        select(AppointmentSlot.starts_at, AppointmentSlot.booked).where(
            AppointmentSlot.representation_code == post,
            AppointmentSlot.service_code == service,
            AppointmentSlot.starts_at >= window_start,
            AppointmentSlot.starts_at < window_end.astimezone(UTC),
        )
    )
    taken = dict(rows.all())
    step = timedelta(minutes=schedule.slot_minutes)
    found: list[Slot] = []
    day = first
    while day <= last:
        if calendar.is_working_day(day) and day not in closed:
            for starts, local in _starts(schedule, calendar, day):
                if starts > now:
                    booked = taken.get(starts, 0)
                    found.append(Slot(starts, starts + step, local, schedule.capacity, booked))
        day += timedelta(1)
    return found


def find_offered(
    session: Session, *, post: str, service: str, starts_at: datetime, now: datetime
) -> Slot:
    """The slot starting at ``starts_at`` if the post offers it now; otherwise a 422."""
    calendar = calendar_of(post)
    day = starts_at.astimezone(calendar.timezone).date()
    for slot in offered(session, post=post, service=service, first=day, last=day, now=now):
        if slot.starts_at == starts_at.astimezone(UTC):
            return slot
    raise ValidationFailed(
        [FieldProblem("starts_at", "not_offered", _("This time is not open for booking."))]
    )


def take(session: Session, *, post: str, service: str, slot: Slot, places: int) -> uuid.UUID:
    """Take ``places`` in a slot (one conditional UPDATE); 409 when it has not enough left."""
    session.execute(
        insert_on_conflict(session, AppointmentSlot)
        .values(
            id=uuid.uuid4(),
            representation_code=post,
            service_code=service,
            starts_at=slot.starts_at,
            ends_at=slot.ends_at,
            capacity=slot.capacity,
            booked=0,
        )
        .on_conflict_do_nothing(index_elements=["representation_code", "service_code", "starts_at"])
    )
    taken = session.execute(
        update(AppointmentSlot)
        .where(
            AppointmentSlot.representation_code == post,
            AppointmentSlot.service_code == service,
            AppointmentSlot.starts_at == slot.starts_at,
            AppointmentSlot.booked + places <= AppointmentSlot.capacity,
        )
        .values(booked=AppointmentSlot.booked + places)
        .returning(AppointmentSlot.id)
        .execution_options(synchronize_session=False)
    ).scalar_one_or_none()
    if taken is None:
        raise Conflict(_("This time is fully booked. Choose another."), code="slot_full")
    return taken


def give_back(session: Session, *, slot_id: uuid.UUID, places: int) -> None:
    """Free ``places`` of a slot (a cancellation or a move to another time)."""
    session.execute(
        update(AppointmentSlot)
        .where(AppointmentSlot.id == slot_id, AppointmentSlot.booked >= places)
        .values(booked=AppointmentSlot.booked - places)
        .execution_options(synchronize_session=False)
    )


def give_back_held_by(session: Session, held: Select[uuid.UUID, int]) -> None:
    """Free the places that the appointments selected as (slot id, party size) hold, in one
    statement whatever their number (an erasure cancels every booking of a person)."""
    rows = held.subquery()
    places = (
        select(func.coalesce(func.sum(rows.c.party_size), 0))
        .where(rows.c.slot_id == AppointmentSlot.id)
        .scalar_subquery()
    )
    session.execute(
        update(AppointmentSlot)
        .where(AppointmentSlot.id.in_(select(rows.c.slot_id)))
        .values(booked=AppointmentSlot.booked - places)
        .execution_options(synchronize_session=False)
    )


def planned(session: Session) -> list[tuple[str, str]]:
    """Every (post, service) that takes appointments, for the citizen's chooser."""
    return [
        (post, service)
        for post, service in session.execute(
            select(
                AppointmentSchedule.representation_code, AppointmentSchedule.service_code
            ).order_by(AppointmentSchedule.representation_code, AppointmentSchedule.service_code)
        )
    ]
