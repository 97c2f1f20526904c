"""The emergency rows that the API, the officers' pages and the alerts share: the
emergency queue, and the person behind each emergency."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from peduli.auth.actor import Actor
from peduli.cases.models import CASE_CONTACT_PURPOSE, Case, CasePerson
from peduli.core.crypto import get_cipher
from peduli.emergency import access
from peduli.emergency.models import Emergency
from peduli.emergency.texts import Caller
from peduli.registry.models import Person


def emergency_queue(
    session: Session,
    *,
    actor: Actor,
    open_only: bool,
    escalated_only: bool,
    limit: int,
    offset: int,
) -> tuple[int, Sequence[Emergency]]:
    """How many emergencies the actor sees, and one page of them, newest first."""
    condition = access.emergency_scope(actor)
    if open_only:
        condition = condition & Emergency.acknowledged_at.is_(None)
    if escalated_only:
        condition = condition & (Emergency.escalation_level > 0)
    total = session.scalar(select(func.count()).select_from(Emergency).where(condition)) or 0
    rows = session.scalars(
        select(Emergency)
        .where(condition)
        .order_by(Emergency.created_at.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return total, rows


def callers(session: Session, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, Caller]:
    """The person behind each emergency of ``ids``: name, call-back phone (opened), place,
    language, and their record when there is one. One query, whatever the number."""
    if not ids:
        return {}
    first = (
        select(CasePerson.id)
        .where(CasePerson.case_id == Case.id)
        .order_by(CasePerson.added_at, CasePerson.id)
        .limit(1)
        .correlate(Case)
        .scalar_subquery()
    )
    rows = session.execute(
        select(
            Emergency.id,
            func.coalesce(Person.full_name, CasePerson.name),
            Case.contact_phone_encrypted,
            CasePerson.phone_encrypted,
            Case.contact_city,
            Case.contact_country,
            func.coalesce(Emergency.caller_language, Person.preferred_language),
            CasePerson.person_id,
        )
        .join(Case, Case.id == Emergency.case_id)
        .outerjoin(CasePerson, CasePerson.id == first)
        .outerjoin(Person, Person.id == CasePerson.person_id)
        .where(Emergency.id.in_(list(ids)))
    ).all()
    cipher = get_cipher()

    def opened(value: str | None) -> str | None:
        return cipher.decrypt(value, purpose=CASE_CONTACT_PURPOSE) if value else None

    return {
        id: Caller(name, opened(contact) or opened(own), city, country, language, person)
        for id, name, contact, own, city, country, language, person in rows
    }
