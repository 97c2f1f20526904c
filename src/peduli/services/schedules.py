"""Planning a post's appointments: opening hours, slot length, capacity, family size and the
release window per service, and blackout days; set by its supervisor (HQ admins: any post),
audited. A capacity lowered below what is already booked keeps those bookings."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime, time

from sqlalchemy import case, delete, select, update
from sqlalchemy.orm import Session

from peduli.auth import audit
from peduli.auth.actor import Actor
from peduli.core.errors import FieldProblem, require_valid
from peduli.core.i18n import _
from peduli.services import appointment_access as access
from peduli.services import catalogue
from peduli.services.models import AppointmentBlackout, AppointmentSchedule, AppointmentSlot
from peduli.services.slots import schedule_of


@dataclass(frozen=True)
class Plan:
    """A schedule as typed: hours in the post's time, capacity in people per slot."""

    opens_at: time
    closes_at: time
    slot_minutes: int
    capacity: int
    max_party: int = 1
    release_days: int = 14
    release_hour: int = 8


def _problems(plan: Plan) -> list[FieldProblem]:
    problems = []
    if plan.opens_at >= plan.closes_at:
        problems.append(
            FieldProblem("closes_at", "before_opening", _("Closing comes after opening."))
        )
    checks = (
        ("slot_minutes", plan.slot_minutes, 5, 240),
        ("capacity", plan.capacity, 1, 500),
        ("max_party", plan.max_party, 1, 20),
        ("release_days", plan.release_days, 1, 90),
        ("release_hour", plan.release_hour, 0, 23),
    )
    for field, value, low, high in checks:
        if not low <= value <= high:
            problems.append(
                FieldProblem(
                    field,
                    "out_of_range",
                    _("Give a number from {low} to {high}.").format(low=low, high=high),
                )
            )
    return problems


def set_schedule(
    session: Session, *, post: str, service: str, plan: Plan, actor: Actor, now: datetime
) -> AppointmentSchedule:
    """Create or change the post's schedule for a service; future slots take the capacity."""
    access.require_planner(session, actor, post=post, action="appointment.plan")
    catalogue.current_of(session, service)
    require_valid(_problems(plan))
    schedule = schedule_of(session, post, service)
    if schedule is None:
        schedule = AppointmentSchedule(
            id=uuid.uuid4(), representation_code=post, service_code=service
        )
        session.add(schedule)
    for field, value in vars(plan).items():
        setattr(schedule, field, value)
    schedule.updated_by_account_id = actor.account_id
    session.flush()
    slot = AppointmentSlot
    session.execute(
        update(slot)
        .where(slot.representation_code == post, slot.service_code == service, slot.starts_at > now)
        .values(capacity=case((slot.booked > plan.capacity, slot.booked), else_=plan.capacity))
        .execution_options(synchronize_session=False)
    )
    audit.record(
        session,
        actor=actor,
        action="appointment.plan",
        entity_type="appointment_schedule",
        entity_id=str(schedule.id),
    )
    return schedule


def add_blackout(
    session: Session, *, post: str, day: date, reason: str, actor: Actor, service: str | None = None
) -> AppointmentBlackout:
    """Close a day for appointments (all services, or one); bookings made stay."""
    access.require_planner(session, actor, post=post, action="appointment.blackout")
    if not reason.strip():
        require_valid([FieldProblem("reason", "required", _("Say why the day is closed."))])
    blackout = AppointmentBlackout(
        id=uuid.uuid4(),
        representation_code=post,
        day=day,
        service_code=service,
        reason=reason.strip()[:200],
        created_by_account_id=actor.account_id,
    )
    session.add(blackout)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="appointment.blackout",
        entity_type="appointment_blackout",
        entity_id=str(blackout.id),
    )
    return blackout


def remove_blackout(session: Session, *, blackout_id: uuid.UUID, post: str, actor: Actor) -> None:
    """Open a closed day again."""
    access.require_planner(session, actor, post=post, action="appointment.blackout")
    session.execute(
        delete(AppointmentBlackout).where(
            AppointmentBlackout.id == blackout_id, AppointmentBlackout.representation_code == post
        )
    )
    audit.record(
        session,
        actor=actor,
        action="appointment.blackout_removed",
        entity_type="appointment_blackout",
        entity_id=str(blackout_id),
    )


def plans_of(
    session: Session, *, post: str, actor: Actor
) -> tuple[list[AppointmentSchedule], list[AppointmentBlackout]]:
    """A post's schedules and its coming blackout days, for its planner."""
    access.require_planner(session, actor, post=post, action="appointment.plans")
    schedules = session.scalars(
        select(AppointmentSchedule)
        .where(AppointmentSchedule.representation_code == post)
        .order_by(AppointmentSchedule.service_code)
    )
    blackouts = session.scalars(
        select(AppointmentBlackout)
        .where(AppointmentBlackout.representation_code == post)
        .order_by(AppointmentBlackout.day)
    )
    return list(schedules), list(blackouts)
