"""A citizen's appointments: booking a slot for themself and their party (identity verified,
one active appointment per service, places taken by one conditional statement), moving it to
another time, cancelling it; each audited and told through the outbox in their language.
Never commits."""

from __future__ import annotations

import secrets
import uuid
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from peduli.auth import audit
from peduli.auth import citizens as citizen_accounts
from peduli.auth.actor import Actor
from peduli.core.errors import Conflict, FieldProblem, NotFound, ValidationFailed
from peduli.core.i18n import _, in_language, known_language
from peduli.notify import service as notify_service
from peduli.reference.places import representation_by_code
from peduli.registry import service as registry_service
from peduli.services import appointment_access as access
from peduli.services import catalogue, slots
from peduli.services.appointment_schemas import AppointmentCreate
from peduli.services.models import Appointment

BOOKED, CHECKED_IN, CALLED, NO_SHOW, CANCELLED = (
    "booked",
    "checked_in",
    "called",
    "no_show",
    "cancelled",
)
ACTIVE = (BOOKED, CHECKED_IN)
TOLD = {
    BOOKED: _("Peduli: your appointment {reference} ({service}) is on {when} at {post}."),
    CANCELLED: _("Peduli: your appointment {reference} ({service}) on {when} is cancelled."),
}


def book(session: Session, *, data: AppointmentCreate, actor: Actor, now: datetime) -> Appointment:
    """Book a slot for the signed-in, verified citizen (and the party coming with them)."""
    person_id = access.require_verified_citizen(session, actor)
    _version, definition = catalogue.current_of(session, data.service)
    schedule = slots.schedule_of(session, data.representation, data.service)
    if schedule is None:
        raise ValidationFailed(
            [
                FieldProblem(
                    "service",
                    "no_appointments",
                    _("This representation takes no appointments for this service."),
                )
            ]
        )
    if data.party_size > schedule.max_party:
        raise ValidationFailed(
            [
                FieldProblem(
                    "party_size",
                    "too_many",
                    _("Too many people for one appointment of this service."),
                )
            ]
        )
    if _active_of(session, person_id, data.service) is not None:
        raise Conflict(
            _("You already have an appointment for this service. Move or cancel it."),
            code="already_booked",
        )
    slot = slots.find_offered(
        session, post=data.representation, service=data.service, starts_at=data.starts_at, now=now
    )
    slot_id = slots.take(
        session, post=data.representation, service=data.service, slot=slot, places=data.party_size
    )
    view = registry_service.own_person_view(session, actor=actor)
    address = (
        citizen_accounts.citizen_contact(session, account_id=actor.account_id)
        if actor.account_id
        else None
    )
    appointment = Appointment(
        id=uuid.uuid4(),
        reference=f"J{now:%y}-{secrets.token_hex(4).upper()}",
        slot_id=slot_id,
        representation_code=data.representation,
        service_code=definition.code,
        person_id=person_id,
        account_id=actor.account_id,
        holder_name=view.person.full_name,
        party_size=data.party_size,
        starts_at=slot.starts_at,
        ends_at=slot.ends_at,
        local_day=slot.local_start.date(),
        local_start=f"{slot.local_start:%Y-%m-%d %H:%M} {slot.local_start.tzname()}",
        state=BOOKED,
        language=known_language(view.person.preferred_language),
        sequence=0,
        remind_channel=address.channel if address else None,
        remind_to=notify_service.seal_recipient(address.channel, address.value)
        if address
        else None,
    )
    try:
        with session.begin_nested():
            session.add(appointment)
    except IntegrityError as error:  # the same person booking twice at the same moment
        raise Conflict(
            _("You already have an appointment for this service. Move or cancel it."),
            code="already_booked",
        ) from error
    _audit(session, actor, appointment, "appointment.book")
    tell_holder(session, appointment)
    return appointment


def _active_of(session: Session, person_id: uuid.UUID, service: str) -> uuid.UUID | None:
    return session.scalar(
        select(Appointment.id).where(
            Appointment.person_id == person_id,
            Appointment.service_code == service,
            Appointment.state.in_(ACTIVE),
        )
    )


def _own_booked(
    session: Session, actor: Actor, appointment_id: uuid.UUID, action: str
) -> Appointment:
    appointment = access.appointment_in_scope(session, actor, appointment_id, action=action)
    if appointment.person_id != actor.person_id:
        raise NotFound(_("There is no appointment with this id for you."))
    if appointment.state != BOOKED:
        raise Conflict(_("This appointment can no longer be changed."), code="not_booked")
    return appointment


def reschedule(
    session: Session,
    *,
    appointment_id: uuid.UUID,
    starts_at: datetime,
    actor: Actor,
    now: datetime,
) -> Appointment:
    """Move one's appointment to another offered time (the old places are given back)."""
    appointment = _own_booked(session, actor, appointment_id, "appointment.reschedule")
    post, service = appointment.representation_code, appointment.service_code
    slot = slots.find_offered(session, post=post, service=service, starts_at=starts_at, now=now)
    if slot.starts_at == appointment.starts_at:
        return appointment
    new_id = slots.take(
        session, post=post, service=service, slot=slot, places=appointment.party_size
    )
    slots.give_back(session, slot_id=appointment.slot_id, places=appointment.party_size)
    appointment.slot_id = new_id
    appointment.starts_at, appointment.ends_at = slot.starts_at, slot.ends_at
    appointment.local_day = slot.local_start.date()
    appointment.local_start = f"{slot.local_start:%Y-%m-%d %H:%M} {slot.local_start.tzname()}"
    appointment.sequence += 1
    appointment.reminded_at = None
    _audit(session, actor, appointment, "appointment.reschedule")
    tell_holder(session, appointment)
    return appointment


def cancel(
    session: Session, *, appointment_id: uuid.UUID, actor: Actor, now: datetime
) -> Appointment:
    """Cancel one's appointment; its places go back to the slot."""
    appointment = _own_booked(session, actor, appointment_id, "appointment.cancel")
    slots.give_back(session, slot_id=appointment.slot_id, places=appointment.party_size)
    appointment.state = CANCELLED
    appointment.cancelled_at = now
    appointment.sequence += 1
    _audit(session, actor, appointment, "appointment.cancel")
    tell_holder(session, appointment)
    return appointment


def own_appointments(session: Session, *, actor: Actor) -> list[Appointment]:
    """The signed-in citizen's appointments, the coming ones first."""
    if actor.person_id is None:
        return []
    return list(
        session.scalars(
            select(Appointment)
            .where(Appointment.person_id == actor.person_id)
            .order_by(Appointment.state.in_(ACTIVE).desc(), Appointment.starts_at)
            .limit(100)
        )
    )


def tell_holder(session: Session, appointment: Appointment) -> None:
    """The holder is told of the booking, each move and the cancellation (once each)."""
    if appointment.remind_to is None or appointment.remind_channel is None:
        return
    language = appointment.language
    _v, definition = catalogue.current_of(session, appointment.service_code)
    text = in_language(TOLD[CANCELLED if appointment.state == CANCELLED else BOOKED], language)
    notify_service.enqueue(
        session,
        channel=appointment.remind_channel,
        recipient=notify_service.open_recipient(appointment.remind_channel, appointment.remind_to),
        subject=in_language(_("Peduli: your consular appointment"), language),
        body=text.format(
            reference=appointment.reference,
            service=definition.name.get(language),
            when=appointment.local_start,
            post=post_name(appointment.representation_code),
        ),
        idempotency_key=f"appointment:{appointment.id}:{appointment.sequence}",
    )


def post_name(code: str) -> str:
    """A post's name as its people know it ("KBRI Seoul")."""
    found = representation_by_code(code)
    return found.name if found else code


def _audit(session: Session, actor: Actor, appointment: Appointment, action: str) -> None:
    audit.record(
        session,
        actor=actor,
        action=action,
        entity_type="appointment",
        entity_id=str(appointment.id),
        subject_person_id=appointment.person_id,
    )
