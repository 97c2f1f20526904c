"""Use cases of the agencies domain: queue a check of a person, read a person's checks,
read the message log (HQ), and a citizen's own agency trail. Never commits, never calls an
agency: the worker does (``verification``)."""

from __future__ import annotations

import uuid

from sqlalchemy.orm import Session

from peduli.agencies import access, repository
from peduli.agencies.envelope import Purpose
from peduli.agencies.models import (
    RECORD,
    AgencyMessage,
    CheckState,
    PersonVerification,
    Source,
)
from peduli.auth import audit
from peduli.auth.actor import Actor, Role
from peduli.auth.policy import Access
from peduli.core.db import utcnow
from peduli.core.errors import NotFound
from peduli.core.i18n import _


def actor_name(actor: Actor) -> str:
    """Who acts, as the envelope names them: role and account, never a name or email."""
    return f"{actor.role.value}/{actor.account_id}"


def request_check(
    session: Session,
    *,
    person_id: uuid.UUID,
    source: Source,
    purpose: Purpose,
    cause: str,
    actor: Actor,
) -> PersonVerification:
    """Queue a check of the person's record at ``source``; the worker runs it within
    seconds. A check already there is queued again (its last result stays until then)."""
    access.reach_person(
        session, actor, person_id=person_id, access=Access.WRITE, action="verification.request"
    )
    now = utcnow()
    check = session.get(PersonVerification, (person_id, source.value, RECORD))
    if check is None:
        check = PersonVerification(person_id=person_id, source=source.value, subject=RECORD)
        session.add(check)
    check.state = CheckState.QUEUED.value if check.checked_at is None else check.state
    check.purpose, check.cause = purpose.value, cause.strip()
    check.requested_by, check.requested_at = actor_name(actor), now
    check.due_at, check.lease_until, check.retry_at = now, None, None
    check.attempts = 0
    check.fields = check.fields or "[]"
    audit.record(
        session,
        actor=actor,
        action="verification.request",
        entity_type="person_verification",
        entity_id=source.value,
        subject_person_id=person_id,
        reason=f"{purpose.value}: {cause.strip()}",
    )
    return check


def checks_of_person(
    session: Session, *, person_id: uuid.UUID, actor: Actor
) -> list[PersonVerification]:
    """A person's checks per source, for an officer of their post (the read is audited)."""
    access.reach_person(
        session, actor, person_id=person_id, access=Access.READ, action="verification.read"
    )
    checks = repository.checks_of(session, person_id)
    audit.record(
        session,
        actor=actor,
        action="verification.read",
        entity_type="person_verification",
        subject_person_id=person_id,
    )
    return checks


def message_log_page(
    session: Session, *, actor: Actor, before: int | None, limit: int, agency: str | None
) -> list[AgencyMessage]:
    """A page of the message log for HQ (the read is audited)."""
    access.require_log_reader(session, actor)
    page = repository.message_page(session, before=before, limit=limit, agency=agency)
    audit.record(
        session,
        actor=actor,
        action="agency_log.read",
        entity_type="agency_message",
        entity_id=str(page[0].seq) if page else None,
    )
    return page


def own_agency_trail(
    session: Session, *, actor: Actor, limit: int, offset: int
) -> tuple[int, list[AgencyMessage]]:
    """Which agency was asked about the signed-in citizen, when and why."""
    if actor.role != Role.CITIZEN or actor.person_id is None:
        raise NotFound(_("You have no record yet; make a self-report (lapor diri) first."))
    return repository.agency_trail(session, person_id=actor.person_id, limit=limit, offset=offset)
