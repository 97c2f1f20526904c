"""Who may book, see and receive appointments: a signed-in citizen whose identity is verified
books for themself (never for someone else); the post's staff receive its appointments; its
supervisor (HQ admins: any post) plans capacity. Built on the one policy of ``auth.policy``."""

from __future__ import annotations

import uuid

from sqlalchemy import exists, select
from sqlalchemy.orm import Session

from peduli.agencies.models import RECORD, CheckState, PersonVerification, Source
from peduli.auth import audit, policy
from peduli.auth.actor import Actor
from peduli.auth.roles import APPOINTMENT_DESK, APPOINTMENT_PLANNERS, Role
from peduli.core.errors import Forbidden, NotFound
from peduli.core.i18n import _
from peduli.registry.models import Person, Verification
from peduli.services.models import Appointment

# The agencies whose match proves who a person is (a work placement does not).
IDENTITY_SOURCES = (Source.CIVIL_REGISTRY.value, Source.IMMIGRATION.value)


def identity_verified(session: Session, person_id: uuid.UUID) -> bool:
    """Whether the record was confirmed: by an officer against documents, or by the civil
    registry or immigration matching it (the agencies' check of the record itself)."""
    by_agency = exists().where(
        PersonVerification.person_id == person_id,
        PersonVerification.subject == RECORD,
        PersonVerification.source.in_(IDENTITY_SOURCES),
        PersonVerification.state == CheckState.VERIFIED.value,
    )
    return bool(
        session.scalar(
            select(Person.id).where(
                Person.id == person_id,
                (Person.verification == Verification.VERIFIED.value) | by_agency,
            )
        )
    )


def require_verified_citizen(session: Session, actor: Actor) -> uuid.UUID:
    """The person a booking is for: the signed-in citizen's own verified record."""
    if actor.role != Role.CITIZEN:
        raise Forbidden(_("Only a signed-in citizen books an appointment."), code="not_citizen")
    if actor.person_id is None:
        raise Forbidden(
            _("Make your self-report (lapor diri) before booking an appointment."),
            code="no_record",
        )
    if not identity_verified(session, actor.person_id):
        raise Forbidden(
            _("Your identity is not verified yet. The representation checks your record first."),
            code="identity_not_verified",
        )
    return actor.person_id


def require_desk(session: Session, actor: Actor, *, post: str, action: str) -> None:
    """The post's staff (HQ admins: any post) receive its appointments; others get 404."""
    policy.require_role(session, actor, roles=APPOINTMENT_DESK, action=action)
    if not policy.reaches_post(actor, post):
        audit.record_denial(session, actor=actor, action=action, entity_type="post", entity_id=post)
        raise NotFound(_("There is no such representation for you."))


def require_planner(session: Session, actor: Actor, *, post: str, action: str) -> None:
    """A post's supervisor (HQ admins: any post) sets its capacity, hours and blackouts."""
    policy.require_role(session, actor, roles=APPOINTMENT_PLANNERS, action=action)
    if not policy.reaches_post(actor, post):
        audit.record_denial(session, actor=actor, action=action, entity_type="post", entity_id=post)
        raise NotFound(_("There is no such representation for you."))


def appointment_in_scope(
    session: Session, actor: Actor, appointment_id: uuid.UUID, *, action: str
) -> Appointment:
    """The appointment if the caller reaches it (its holder, or its post's staff);
    otherwise 404, and the denial audited when it exists."""
    if actor.role == Role.CITIZEN:
        where = Appointment.person_id == actor.person_id
    else:
        policy.require_role(session, actor, roles=APPOINTMENT_DESK, action=action)
        where = policy.within_posts(actor, Appointment.representation_code)
    found = (
        session.scalar(select(Appointment).where(Appointment.id == appointment_id, where))
        if actor.role != Role.CITIZEN or actor.person_id is not None
        else None
    )
    if found is None:
        if session.get(Appointment, appointment_id) is not None:
            audit.record_denial(
                session,
                actor=actor,
                action=action,
                entity_type="appointment",
                entity_id=str(appointment_id),
            )
        raise NotFound(_("There is no appointment with this id for you."))
    return found
