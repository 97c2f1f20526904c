"""Verification of people against the agencies, run by the worker, never inside a request.

A new record with a NIK (a self-report) and a pending identity claim queue a check at the
civil registry; an officer may queue one (``service.request_check``). Each turn of the
worker (``run_due``) queues what is new with one set-based statement and takes the due checks
under a lease (any number of workers) in one short transaction; each check then reads what to
ask in a short transaction, asks the agency with no transaction open (on SQLite a slow agency
must not hold the one writer's lock: ``gateway.release_during_calls``), and records the answer
in a second short transaction only while its lease is still the one it took (a worker whose
lease ran out and was taken by another drops its answer; the message log keeps the exchange).
Each check ends in a state per person and source: verified at T, mismatch on fields F, not
found, or agency unavailable, retry at T (backoff; an outage never blocks casework, it only
defers the check). A civil-registry match of every field of a claim's report, the mother's
name included, proves the claim (``registry.claim_decisions.prove_by_civil_registry``);
a mismatch leaves it, and a mismatching record, in front of an officer. Each source has a
checker in ``checkers.CHECKERS``.
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from datetime import datetime
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    exists,
    literal,
    or_,
    select,
    tuple_,
    update,
)
from sqlalchemy.orm import Session

from peduli.agencies import gateway, travel
from peduli.agencies.checkers import CHECKERS, Outcome
from peduli.agencies.envelope import Purpose
from peduli.agencies.gateway import AgencyRefused, AgencyUnavailable
from peduli.agencies.models import (
    MARITAL_STATUS,
    RECORD,
    CheckState,
    PersonVerification,
    Source,
)
from peduli.agencies.travel import queued_unless_there
from peduli.agencies.workflow import BATCH, DISCOVER_BATCH, LEASE, retry_after
from peduli.auth.actor import Actor, Role
from peduli.core import events
from peduli.core.db import is_postgres, session_scope, utcnow
from peduli.core.logging import get_logger
from peduli.registry import claim_decisions
from peduli.registry.models import (
    ClaimStatus,
    IdentityClaim,
    Person,
    PersonStatus,
)

log = get_logger(__name__)
SessionFactory = Callable[[], Session]
WORKER = Actor(
    role=Role.HQ_ADMIN, account_id=uuid.UUID(int=0), display="agencies worker", via="system"
)
NEW_REPORT_CAUSE = "self-report"


def queue_new_records(session: Session, now: datetime, *, since: datetime) -> int:
    """Queue a civil-registry check of every record with a NIK created since ``since`` that
    has none yet: one INSERT … SELECT over the creation index, newest first."""
    return _queue(session, Person.created_at >= since, subject=RECORD,
                  purpose=Purpose.IDENTITY_VERIFICATION, cause=NEW_REPORT_CAUSE, now=now,
                  newest=DISCOVER_BATCH)  # fmt: skip


def queue_marital_status(
    session: Session, people: Select[Any], *, cause: str, now: datetime,
    answered_before: datetime,
) -> int:  # fmt: skip
    """Queue the civil registry's answer on the marital status of ``people`` (their ids) for
    the voter list: those never asked, and those answered before ``answered_before`` (people
    marry). Two set-based statements; the worker asks."""
    session.execute(
        update(PersonVerification)
        .where(
            PersonVerification.person_id.in_(people.scalar_subquery()),
            PersonVerification.source == Source.CIVIL_REGISTRY.value,
            PersonVerification.subject == MARITAL_STATUS,
            PersonVerification.due_at.is_(None),
            PersonVerification.checked_at < answered_before,
        )
        .values(state=CheckState.QUEUED.value, due_at=now, cause=cause[:200])
        .execution_options(synchronize_session=False)
    )
    return _queue(session, Person.id.in_(people.scalar_subquery()), subject=MARITAL_STATUS,
                  purpose=Purpose.ELECTIONS, cause=cause, now=now)  # fmt: skip


def _queue(
    session: Session, people: ColumnElement[bool], *, subject: str, purpose: Purpose,
    cause: str, now: datetime, newest: int | None = None,
) -> int:  # fmt: skip
    """Queue a civil-registry check of ``subject`` for each person ``people`` selects with a
    NIK, active, and without one yet (only the ``newest`` created if given): one
    INSERT … SELECT."""
    checked = exists().where(
        PersonVerification.person_id == Person.id,
        PersonVerification.source == Source.CIVIL_REGISTRY.value,
        PersonVerification.subject == subject,
    )
    rows = select(
        Person.id,
        literal(Source.CIVIL_REGISTRY.value),
        literal(subject),
        literal(CheckState.QUEUED.value),
        literal("[]"),
        literal(purpose.value),
        literal(cause[:200]),
        literal(WORKER.display),
        literal(now, PersonVerification.requested_at.type),
        literal(now, PersonVerification.due_at.type),
        literal(0),
    ).where(people, Person.nik_index.is_not(None), Person.status == PersonStatus.ACTIVE, ~checked)
    if newest is not None:
        rows = rows.order_by(Person.created_at.desc()).limit(newest)
    columns = [
        "person_id", "source", "subject", "state", "fields", "purpose", "cause",
        "requested_by", "requested_at", "due_at", "attempts",
    ]  # fmt: skip
    result = session.execute(
        queued_unless_there(session, columns, rows),
        execution_options={"preserve_rowcount": True},
    )
    return int(getattr(result, "rowcount", 0) or 0)


def queue_pending_claims(session: Session, now: datetime) -> int:
    """Queue a civil-registry check of each pending identity claim not checked yet (claims
    are few: the claimants are rate-limited)."""
    checked = exists().where(
        PersonVerification.claim_id == IdentityClaim.id,
        PersonVerification.source == Source.CIVIL_REGISTRY.value,
    )
    pending = session.execute(
        select(IdentityClaim.id, IdentityClaim.person_id)
        .where(IdentityClaim.status == ClaimStatus.PENDING, ~checked)
        .limit(DISCOVER_BATCH)
    ).all()
    for claim_id, person_id in pending:
        session.add(
            PersonVerification(
                person_id=person_id,
                source=Source.CIVIL_REGISTRY.value,
                subject=str(claim_id),
                claim_id=claim_id,
                state=CheckState.QUEUED.value,
                purpose=Purpose.IDENTITY_VERIFICATION.value,
                cause=f"identity claim {claim_id}",
                requested_by=WORKER.display,
                requested_at=now,
                due_at=now,
            )
        )
    session.flush()
    return len(pending)


Key = tuple[uuid.UUID, str, str]


def take_due(session: Session, now: datetime, *, batch: int = BATCH) -> tuple[list[Key], datetime]:
    """Lease the due checks, newest request first; another worker takes the others. Answers
    the keys and the lease's end, which is also the token the answer is recorded under."""
    query = (
        select(PersonVerification.person_id, PersonVerification.source, PersonVerification.subject)
        .where(
            PersonVerification.due_at <= now,
            or_(PersonVerification.lease_until.is_(None), PersonVerification.lease_until < now),
        )
        .order_by(PersonVerification.requested_at.desc())
        .limit(batch)
    )
    if is_postgres(session):
        query = query.with_for_update(skip_locked=True)
    keys = [(row[0], row[1], row[2]) for row in session.execute(query)]
    lease = now + LEASE
    if keys:
        _lease(session, keys, lease)
    return keys, lease


def _lease(session: Session, keys: list[Key], lease: datetime) -> None:
    session.execute(
        update(PersonVerification)
        .where(_key_in(keys))
        .values(lease_until=lease)
        .execution_options(synchronize_session=False)
    )


def _still_held(session: Session, key: Key, lease: datetime) -> bool:
    """Is the check still under this worker's lease? A conditional UPDATE (it locks the row
    on PostgreSQL; SQLite's transaction already holds the writer's lock)."""
    result = session.execute(
        update(PersonVerification)
        .where(_key_in([key]), PersonVerification.lease_until == lease)
        .values(lease_until=lease)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0) == 1


def _key_in(keys: list[Key]):  # type: ignore[no-untyped-def]
    return tuple_(
        PersonVerification.person_id, PersonVerification.source, PersonVerification.subject
    ).in_(keys)


def run_one(
    session: Session, key: Key, now: datetime, lease: datetime | None = None
) -> PersonVerification | None:
    """Run one check leased until ``lease`` and store its state; None if it is no longer
    there, due, or this worker's. The agency is asked with no transaction open. Without a
    lease (the demo's set-up) it is leased here and asked within the caller's transaction."""
    if lease is None:
        lease = now + LEASE
        _lease(session, [key], lease)
    else:
        gateway.release_during_calls(session)
    check = session.get(PersonVerification, key, populate_existing=True)
    if check is None or check.due_at is None or check.lease_until != lease:
        return None
    return check if _run(session, check, now, lease) else None


def _run(session: Session, check: PersonVerification, now: datetime, lease: datetime) -> bool:
    """Ask, then record the outcome if the lease still holds; whether it was recorded."""
    key = (check.person_id, check.source, check.subject)
    checker = CHECKERS.get(check.source)
    down: tuple[datetime | None, str] | None = None
    if checker is None:
        outcome = Outcome(CheckState.NOT_CHECKABLE, detail="no adapter for this source")
    else:
        try:
            outcome = checker(session, check)
        except AgencyUnavailable as exc:
            down = (exc.retry_at, exc.reason)
        except AgencyRefused as exc:
            if exc.malformed:  # an agency answering garbage is an agency not working
                down = (None, exc.reason)
            outcome = Outcome(CheckState.NOT_CHECKABLE, detail=f"refused: {exc.reason}"[:200])
    if not _still_held(session, key, lease):
        log.warning("agency check lease lost; answer dropped", extra={"source": check.source})
        return False
    if down is not None:
        _defer(session, check, now, agency_says=down[0], reason=down[1])
        return True
    if outcome.proves_claim and check.claim_id is not None:
        claim_decisions.prove_by_civil_registry(session, claim_id=check.claim_id, actor=WORKER)
    if outcome.state == CheckState.VERIFIED != check.state and check.subject == RECORD:
        events.record(  # newly verified at this source: partner systems may hear of it
            session,
            event_type=events.EventType.PERSON_VERIFIED,
            subject_id=check.person_id,
            data={"person_id": str(check.person_id), "source": check.source},
        )
    check.state = outcome.state.value
    check.fields = json.dumps(outcome.fields)
    check.name_score = outcome.name_score
    check.detail = outcome.detail
    check.checked_at = utcnow()
    check.attempts += 1
    check.due_at = check.retry_at = check.lease_until = None
    return True


def _defer(
    session: Session,
    check: PersonVerification,
    now: datetime,
    *,
    agency_says: datetime | None,
    reason: str,
) -> None:
    """The agency did not answer: this check, and every other due one of the same source,
    waits until the retry time (one statement), so an outage costs one call, not one each."""
    check.attempts += 1
    when = retry_after(check.attempts, now=now, agency_says=agency_says)
    check.state = CheckState.UNAVAILABLE.value
    check.retry_at = check.due_at = when
    check.lease_until = None
    check.detail = reason[:200]
    session.flush()
    session.execute(
        update(PersonVerification)
        .where(
            PersonVerification.source == check.source,
            PersonVerification.due_at <= when,
            PersonVerification.due_at.is_not(None),
            or_(PersonVerification.lease_until.is_(None), PersonVerification.lease_until < now),
            ~and_(
                PersonVerification.person_id == check.person_id,
                PersonVerification.subject == check.subject,
            ),
        )
        .values(
            state=CheckState.UNAVAILABLE.value,
            retry_at=when,
            due_at=when,
            detail=reason[:200],
        )
        .execution_options(synchronize_session=False)
    )


def run_due(session_factory: SessionFactory, now: datetime, *, since: datetime | None) -> int:
    """One worker turn: queue new records and claims, then run the due checks, each in a
    transaction of its own (a failure of one leaves its lease to expire, nothing else).
    Once a source is found unavailable, this turn's other checks of it wait with it."""
    with session_scope(session_factory) as session:
        if since is not None:
            queue_new_records(session, now, since=since)
            travel.queue_new_records(session, now, since=since)
        queue_pending_claims(session, now)
        keys, lease = take_due(session, now)
    done, down = 0, dict[str, tuple[datetime, str]]()
    for key in keys:
        try:
            with session_scope(session_factory) as session:
                if key[1] in down:
                    _release(session, key, *down[key[1]])
                    continue
                check = run_one(session, key, utcnow(), lease)
                if check is None:
                    continue
                done += 1
                if check.state == CheckState.UNAVAILABLE and check.retry_at is not None:
                    down[key[1]] = (check.retry_at, check.detail or "")
        except Exception:  # one bad check must not stop the others
            log.exception("agency check failed", extra={"source": key[1]})
    return done


def _release(session: Session, key: Key, when: datetime, reason: str) -> None:
    """Give back a leased check of a source found down this turn: it waits until ``when``."""
    session.execute(
        update(PersonVerification)
        .where(_key_in([key]))
        .values(
            state=CheckState.UNAVAILABLE.value,
            retry_at=when,
            due_at=when,
            lease_until=None,
            detail=reason[:200],
        )
        .execution_options(synchronize_session=False)
    )
