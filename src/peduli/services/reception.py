"""Receiving the day's appointments at a post: the list, checking arrivals in (each gets the
day's next ticket number), marking no-shows, and calling the next ticket for the waiting
room's screen. Every change is one conditional statement, audited; never commits."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date, datetime

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from peduli.auth import audit
from peduli.auth.actor import Actor
from peduli.core.errors import Conflict
from peduli.core.i18n import _
from peduli.reference.places import representation_by_code
from peduli.services import appointment_access as access
from peduli.services.appointments import BOOKED, CALLED, CHECKED_IN, NO_SHOW
from peduli.services.calendar import calendar_of
from peduli.services.models import Appointment

# The waiting room reads Indonesian and the host country's language where the platform
# speaks it (Chinese, French); English elsewhere.
HOST_LANGUAGES = {
    "CN": "zh",
    "HK": "zh",
    "TW": "zh",
    "MO": "zh",
    "SG": "zh",
    "FR": "fr",
    "BE": "fr",
    "LU": "fr",
    "MC": "fr",
    "SN": "fr",
    "CI": "fr",
    "MA": "fr",
    "DZ": "fr",
    "TN": "fr",
    "MG": "fr",
    "CD": "fr",
}


def screen_languages(post: str) -> tuple[str, str]:
    """The two languages of a post's queue screen: Indonesian and the host's."""
    found = representation_by_code(post)
    return "id", HOST_LANGUAGES.get(found.country if found else "", "en")


def today_at(post: str, now: datetime) -> date:
    """The post's local day at ``now``."""
    return now.astimezone(calendar_of(post).timezone).date()


def day_list(session: Session, *, post: str, day: date, actor: Actor) -> list[Appointment]:
    """The post's appointments of one day by start (cancelled ones left out); audited."""
    access.require_desk(session, actor, post=post, action="appointment.day_list")
    rows = list(
        session.scalars(
            select(Appointment)
            .where(
                Appointment.representation_code == post,
                Appointment.local_day == day,
                Appointment.state != "cancelled",
            )
            .order_by(Appointment.starts_at, Appointment.reference)
        )
    )
    audit.record(
        session,
        actor=actor,
        action="appointment.day_list",
        entity_type="post",
        entity_id=f"{post}:{day.isoformat()}",
    )
    return rows


def _mark(
    session: Session, actor: Actor, appointment_id: uuid.UUID, action: str, **values: object
) -> Appointment:
    appointment = access.appointment_in_scope(session, actor, appointment_id, action=action)
    access.require_desk(session, actor, post=appointment.representation_code, action=action)
    changed = session.execute(
        update(Appointment)
        .where(Appointment.id == appointment.id, Appointment.state == BOOKED)
        .values(**values)
        .returning(Appointment.id)
        .execution_options(synchronize_session=False)
    ).first()
    if changed is None:
        raise Conflict(_("This appointment is no longer waiting for arrival."), code="not_booked")
    session.refresh(appointment)
    audit.record(
        session,
        actor=actor,
        action=action,
        entity_type="appointment",
        entity_id=str(appointment.id),
        subject_person_id=appointment.person_id,
    )
    return appointment


def check_in(
    session: Session, *, appointment_id: uuid.UUID, actor: Actor, now: datetime
) -> Appointment:
    """The holder has arrived: checked in with the day's next ticket number."""
    same_day = Appointment.__table__.alias("same_day")
    target = session.get(Appointment, appointment_id)
    post, day = (target.representation_code, target.local_day) if target else ("", date.min)
    next_ticket = (
        select(func.coalesce(func.max(same_day.c.ticket), 0) + 1)
        .where(same_day.c.representation_code == post, same_day.c.local_day == day)
        .scalar_subquery()
    )
    return _mark(
        session,
        actor,
        appointment_id,
        "appointment.check_in",
        state=CHECKED_IN,
        checked_in_at=now,
        ticket=next_ticket,
    )


def no_show(
    session: Session, *, appointment_id: uuid.UUID, actor: Actor, now: datetime
) -> Appointment:
    """The holder did not come (the slot has passed; its places are not given back)."""
    del now
    return _mark(session, actor, appointment_id, "appointment.no_show", state=NO_SHOW)


def call_next(session: Session, *, post: str, actor: Actor, now: datetime) -> int | None:
    """Call the lowest waiting ticket of the day (one conditional UPDATE); its number, or
    None when nobody waits."""
    access.require_desk(session, actor, post=post, action="appointment.call_next")
    day = today_at(post, now)
    waiting = (
        select(Appointment.id)
        .where(
            Appointment.representation_code == post,
            Appointment.local_day == day,
            Appointment.state == CHECKED_IN,
        )
        .order_by(Appointment.ticket)
        .limit(1)
        .scalar_subquery()
    )
    called = session.execute(
        update(Appointment)
        .where(Appointment.id == waiting, Appointment.state == CHECKED_IN)
        .values(state=CALLED, called_at=now)
        .returning(Appointment.id, Appointment.ticket)
        .execution_options(synchronize_session=False)
    ).first()
    if called is None:
        return None
    audit.record(
        session,
        actor=actor,
        action="appointment.call_next",
        entity_type="appointment",
        entity_id=str(called[0]),
    )
    return int(called[1] or 0)


@dataclass(frozen=True)
class Screen:
    """What the waiting room's screen shows: the tickets called last, and those waiting."""

    called: list[int]
    waiting: list[int]


def screen(session: Session, *, post: str, actor: Actor, now: datetime) -> Screen:
    """The queue screen's numbers for today (no names: it hangs in a public room)."""
    access.require_desk(session, actor, post=post, action="appointment.screen")
    day = today_at(post, now)
    mine = (Appointment.representation_code == post) & (Appointment.local_day == day)
    called = session.scalars(
        select(Appointment.ticket)
        .where(mine, Appointment.state == CALLED)
        .order_by(Appointment.called_at.desc())
        .limit(5)
    )
    waiting = session.scalars(
        select(Appointment.ticket)
        .where(mine, Appointment.state == CHECKED_IN)
        .order_by(Appointment.ticket)
    )
    return Screen([t for t in called if t], [t for t in waiting if t])
