"""The case file as staff read it: the case, its people (names and phones opened), outcomes
and contact, and its timeline; every read is audited in the caller's transaction."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.auth import audit
from peduli.auth.actor import Actor
from peduli.cases.access import load_case
from peduli.cases.models import CASE_CONTACT_PURPOSE, Case, CaseEvent, CaseOutcome, CasePerson
from peduli.cases.timeline import events_of
from peduli.core.crypto import get_cipher
from peduli.registry.models import Person

CONTACT_PURPOSE = CASE_CONTACT_PURPOSE


@dataclass(frozen=True)
class PersonOnCase:
    link: CasePerson
    name: str | None
    phone: str | None


@dataclass(frozen=True)
class CaseView:
    case: Case
    people: list[PersonOnCase]
    outcomes: list[CaseOutcome]
    contact_phone: str | None
    contact_email: str | None


def read_case(session: Session, *, case_id: uuid.UUID, actor: Actor) -> CaseView:
    """The case screen; the read is audited."""
    case = load_case(session, case_id=case_id, actor=actor, action="case.read")
    cipher = get_cipher()
    rows = session.execute(
        select(CasePerson, Person.full_name)
        .outerjoin(Person, Person.id == CasePerson.person_id)
        .where(CasePerson.case_id == case.id)
        .order_by(CasePerson.added_at, CasePerson.id)
    ).all()
    people = [
        PersonOnCase(
            link=link,
            name=full_name or link.name,
            phone=cipher.decrypt(link.phone_encrypted, purpose=CONTACT_PURPOSE)
            if link.phone_encrypted
            else None,
        )
        for link, full_name in rows
    ]
    outcomes = list(
        session.scalars(
            select(CaseOutcome)
            .where(CaseOutcome.case_id == case.id)
            .order_by(CaseOutcome.achieved_on, CaseOutcome.recorded_at)
        )
    )
    audit.record(
        session,
        actor=actor,
        action="case.read",
        entity_type="case",
        entity_id=str(case.id),
        subject_person_id=next((p.link.person_id for p in people if p.link.person_id), None),
    )
    return CaseView(
        case=case,
        people=people,
        outcomes=outcomes,
        contact_phone=_decrypt(case.contact_phone_encrypted),
        contact_email=_decrypt(case.contact_email_encrypted),
    )


def _decrypt(value: str | None) -> str | None:
    return get_cipher().decrypt(value, purpose=CONTACT_PURPOSE) if value else None


def read_events(
    session: Session, *, case_id: uuid.UUID, actor: Actor, limit: int = 100, offset: int = 0
) -> tuple[int, Sequence[CaseEvent]]:
    """A case's timeline, oldest first; the read is audited."""
    case = load_case(session, case_id=case_id, actor=actor, action="case.events")
    total, events = events_of(session, case.id, limit=limit, offset=offset)
    audit.record(
        session, actor=actor, action="case.events", entity_type="case", entity_id=str(case.id)
    )
    return total, events
