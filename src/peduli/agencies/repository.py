"""The SELECTs the agencies' pages and API share: a person's checks, a post's checks that
need an officer, the message log in pages, and a citizen's agency trail."""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, func, select
from sqlalchemy.orm import Session

from peduli.agencies.models import AgencyMessage, CheckState, Direction, PersonVerification
from peduli.auth import policy
from peduli.auth.actor import Actor
from peduli.registry import access as registry_access
from peduli.registry.models import Person

NEEDS_OFFICER = (CheckState.MISMATCH.value, CheckState.NOT_FOUND.value)
OPEN = (CheckState.QUEUED.value, CheckState.UNAVAILABLE.value)


def checks_of(session: Session, person_id: uuid.UUID) -> list[PersonVerification]:
    """A person's checks, the record's first, then claims', newest request first."""
    return list(
        session.scalars(
            select(PersonVerification)
            .where(PersonVerification.person_id == person_id)
            .order_by(
                (PersonVerification.subject != "record"),
                PersonVerification.source,
                PersonVerification.requested_at.desc(),
            )
        )
    )


def needing_officer(
    session: Session, actor: Actor, *, limit: int, offset: int
) -> tuple[int, list[tuple[PersonVerification, Person]]]:
    """The checks of the caller's post's people that found a mismatch or no such NIK (or
    the agency down), newest first, with the total: an officer looks at each."""
    scope = policy.person_scope(actor)
    condition: ColumnElement[bool] = PersonVerification.state.in_(
        (*NEEDS_OFFICER, CheckState.UNAVAILABLE.value)
    )
    query = select(PersonVerification, Person).join(
        Person, Person.id == PersonVerification.person_id
    )
    if not scope.everyone:
        condition = condition & registry_access.served_by(
            PersonVerification.person_id, sorted(scope.representation_codes)
        )
    total = (
        session.scalar(select(func.count()).select_from(PersonVerification).where(condition)) or 0
    )
    rows = session.execute(
        query.where(condition)
        .order_by(PersonVerification.requested_at.desc())
        .limit(limit)
        .offset(offset)
    )
    return total, [(row[0], row[1]) for row in rows]


def message_page(
    session: Session, *, before: int | None, limit: int, agency: str | None = None
) -> list[AgencyMessage]:
    """One page of the message log, newest first, keyed by sequence number."""
    query = select(AgencyMessage).order_by(AgencyMessage.seq.desc()).limit(limit)
    if before is not None:
        query = query.where(AgencyMessage.seq < before)
    if agency is not None:
        query = query.where(AgencyMessage.agency == agency)
    return list(session.scalars(query))


def agency_trail(
    session: Session, *, person_id: uuid.UUID, limit: int, offset: int
) -> tuple[int, list[AgencyMessage]]:
    """Which agency was asked about the person, when and why: the requests, newest first."""
    condition = (AgencyMessage.person_id == person_id) & (
        AgencyMessage.direction == Direction.REQUEST.value
    )
    total = session.scalar(select(func.count()).select_from(AgencyMessage).where(condition)) or 0
    rows = session.scalars(
        select(AgencyMessage)
        .where(condition)
        .order_by(AgencyMessage.seq.desc())
        .limit(limit)
        .offset(offset)
    )
    return total, list(rows)
