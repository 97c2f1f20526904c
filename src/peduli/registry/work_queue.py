"""The officer's work queue: self-reports to verify and possible duplicates, counted and paged.

Each row of the verification queue is a person with the newest of their stays in the
caller's jurisdiction (the self-report that brought them in, or their latest one). Every
query is one set-based statement over indexes (``ix_stay_representation_created`` for the
post and the default order, ``ix_stay_person_id`` for the newest-stay test), limited to
one page, and counts stop at ``COUNT_CAP``; the caller's scope comes from the policy layer.
"""

from __future__ import annotations

import uuid
from collections.abc import Collection
from dataclasses import dataclass
from datetime import UTC, date, datetime, time, timedelta
from enum import StrEnum
from typing import Any

from sqlalchemy import ColumnElement, Select, and_, func, not_, or_, select
from sqlalchemy.orm import InstrumentedAttribute, Session, aliased

from peduli.auth import audit, policy
from peduli.auth.actor import Actor
from peduli.auth.roles import WORK_QUEUE_READERS
from peduli.core.errors import NotFound
from peduli.core.i18n import _
from peduli.registry.models import (
    ClaimStatus,
    DuplicateCandidate,
    DuplicateStatus,
    IdentityClaim,
    Person,
    PersonStatus,
    Stay,
    Verification,
)

# Counting stops here: past it a tab says "1,000+" and the list "more than 1,000", and the
# officer filters; nobody pages through more (the case desk stops at the same number). It
# bounds the cost of every count whatever the size of a post's population: at a post of a
# million, counting to 10,000 was 90 of the page's 93 ms, and the page's p50 under the
# load test's crisis 360-570 ms.
COUNT_CAP = 1_000


class QueueSort(StrEnum):
    """Columns the verification queue can be sorted by."""

    REPORTED = "reported"
    NAME = "name"
    BORN = "born"
    COUNTRY = "country"
    ARRIVAL = "arrival"
    REPRESENTATION = "representation"


_SORT_COLUMNS: dict[QueueSort, InstrumentedAttribute[Any]] = {
    QueueSort.REPORTED: Stay.created_at,
    QueueSort.NAME: Person.full_name,
    QueueSort.BORN: Person.date_of_birth,
    QueueSort.COUNTRY: Stay.country,
    QueueSort.ARRIVAL: Stay.arrival_date,
    QueueSort.REPRESENTATION: Stay.representation_code,
}


@dataclass(frozen=True)
class QueueFilters:
    """What the officer narrowed the queue to; None means any."""

    verification: Verification | None = Verification.UNVERIFIED
    country: str | None = None
    purpose: str | None = None
    sector: str | None = None
    reported_from: date | None = None
    reported_to: date | None = None
    representation_code: str | None = None  # HQ only; post-bound staff see their post


@dataclass(frozen=True)
class QueueRow:
    """One person to look at, with the stay that puts them in the queue."""

    person_id: uuid.UUID
    full_name: str
    date_of_birth: date
    sex: str
    verification: str
    stay_id: uuid.UUID
    country: str
    city: str
    purpose: str
    sector: str | None
    arrival_date: date
    representation_code: str | None
    reported_at: datetime


@dataclass(frozen=True)
class DuplicateRow:
    """One open pair with the names the officer compares at a glance."""

    id: uuid.UUID
    score: float
    reason: str
    created_at: datetime
    representation_code: str | None
    person_id: uuid.UUID
    person_name: str
    person_born: date
    other_person_id: uuid.UUID
    other_name: str
    other_born: date


@dataclass(frozen=True)
class Counts:
    """The figures on the queue's tabs."""

    to_verify: int
    duplicates: int
    claims: int = 0


def _codes(
    session: Session, actor: Actor, wanted: str | None, action: str
) -> frozenset[str] | None:
    """The posts whose people the caller may list (None: every post); HQ may ask for one."""
    policy.require_role(session, actor, roles=WORK_QUEUE_READERS, action=action)
    return policy.post_scope(actor).narrowed_to(wanted).limited_to


def _in_codes(
    column: InstrumentedAttribute[str | None], codes: Collection[str] | None
) -> ColumnElement[bool]:
    return column.in_(codes) if codes is not None else column.is_not(None)


def _capped_count(session: Session, query: Select[Any]) -> int:
    """How many rows ``query`` has, up to ``COUNT_CAP + 1`` (meaning: more than the cap)."""
    limited = query.limit(COUNT_CAP + 1).subquery()
    return session.scalar(select(func.count()).select_from(limited)) or 0


def _newest_in_scope(codes: Collection[str] | None) -> ColumnElement[bool]:
    """True for the stay no other stay of the same person in scope is newer than."""
    newer = aliased(Stay)
    return not_(
        select(newer.id)
        .where(
            newer.person_id == Stay.person_id,
            _in_codes(newer.representation_code, codes),
            or_(
                newer.created_at > Stay.created_at,
                and_(newer.created_at == Stay.created_at, newer.id > Stay.id),
            ),
        )
        .exists()
    )


def _day_start(day: date) -> datetime:
    return datetime.combine(day, time.min, tzinfo=UTC)


def _queue_query(filters: QueueFilters, codes: Collection[str] | None) -> Select[Any]:
    conditions: list[ColumnElement[bool]] = [
        Person.status == PersonStatus.ACTIVE,
        _in_codes(Stay.representation_code, codes),
        _newest_in_scope(codes),
    ]
    if filters.verification is not None:
        conditions.append(Person.verification == filters.verification)
    if filters.country:
        conditions.append(Stay.country == filters.country.upper())
    if filters.purpose:
        conditions.append(Stay.purpose == filters.purpose)
    if filters.sector:
        conditions.append(Stay.sector == filters.sector)
    if filters.reported_from:
        conditions.append(Stay.created_at >= _day_start(filters.reported_from))
    if filters.reported_to:
        conditions.append(Stay.created_at < _day_start(filters.reported_to + timedelta(days=1)))
    return select(Stay.id).join(Person, Person.id == Stay.person_id).where(*conditions)


def self_reports(
    session: Session,
    *,
    actor: Actor,
    filters: QueueFilters,
    sort: QueueSort = QueueSort.REPORTED,
    descending: bool = True,
    limit: int,
    offset: int,
) -> tuple[int, list[QueueRow]]:
    """People of the caller's jurisdiction matching ``filters``, one page, with the total
    (counted up to ``COUNT_CAP + 1``)."""
    codes = _codes(session, actor, filters.representation_code, "queue.self_reports")
    base = _queue_query(filters, codes)
    total = _capped_count(session, base)
    column = _SORT_COLUMNS[sort]
    order = [column.desc() if descending else column.asc(), Stay.id.desc()]
    rows = session.execute(
        base.with_only_columns(
            Person.id,
            Person.full_name,
            Person.date_of_birth,
            Person.sex,
            Person.verification,
            Stay.id,
            Stay.country,
            Stay.city,
            Stay.purpose,
            Stay.sector,
            Stay.arrival_date,
            Stay.representation_code,
            Stay.created_at,
        )
        .order_by(*order)
        .limit(limit)
        .offset(offset)
    )
    page = [QueueRow(*tuple(row)) for row in rows]
    # A queue page shows names and birth dates: staff reads of personal data are audited.
    audit.record(
        session,
        actor=actor,
        action="queue.self_reports",
        entity_type="queue",
        fields=["full_name", "date_of_birth", "sex", "stay"],
        reason=f"{len(page)} people listed" if page else None,
    )
    return total, page


def _open_pairs(codes: Collection[str] | None) -> ColumnElement[bool]:
    condition = DuplicateCandidate.status == DuplicateStatus.OPEN
    if codes is not None:
        condition = and_(condition, DuplicateCandidate.representation_code.in_(codes))
    return condition


def duplicates(
    session: Session,
    *,
    actor: Actor,
    representation_code: str | None = None,
    limit: int,
    offset: int,
) -> tuple[int, list[DuplicateRow]]:
    """Open possible duplicates of the caller's jurisdiction, newest first, with both names."""
    codes = _codes(session, actor, representation_code, "queue.duplicates")
    condition = _open_pairs(codes)
    total = _capped_count(session, select(DuplicateCandidate.id).where(condition))
    first, second = aliased(Person), aliased(Person)
    rows = session.execute(
        select(
            DuplicateCandidate.id,
            DuplicateCandidate.score,
            DuplicateCandidate.reason,
            DuplicateCandidate.created_at,
            DuplicateCandidate.representation_code,
            first.id,
            first.full_name,
            first.date_of_birth,
            second.id,
            second.full_name,
            second.date_of_birth,
        )
        .join(first, first.id == DuplicateCandidate.person_id)
        .join(second, second.id == DuplicateCandidate.other_person_id)
        .where(condition)
        .order_by(DuplicateCandidate.created_at.desc(), DuplicateCandidate.id.desc())
        .limit(limit)
        .offset(offset)
    )
    return total, [DuplicateRow(*tuple(row)) for row in rows]


def counts(
    session: Session,
    *,
    actor: Actor,
    representation_code: str | None = None,
    to_verify: int | None = None,
) -> Counts:
    """How many people wait for verification, pairs for review and claims (capped).

    ``to_verify``: the number a caller already counted with the queue's default filters
    (the verification tab's own list), not counted again: at a large post each count is a
    capped scan of ten thousand people, the page's main cost.
    """
    codes = _codes(session, actor, representation_code, "queue.counts")
    pairs = select(DuplicateCandidate.id).where(_open_pairs(codes))
    claims = select(IdentityClaim.id).where(IdentityClaim.status == ClaimStatus.PENDING)
    if codes is not None:
        claims = claims.where(IdentityClaim.representation_code.in_(codes))
    return Counts(
        to_verify=(
            to_verify
            if to_verify is not None
            else _capped_count(session, _queue_query(QueueFilters(), codes))
        ),
        duplicates=_capped_count(session, pairs),
        claims=_capped_count(session, claims),
    )


def duplicate_pair(
    session: Session, *, candidate_id: uuid.UUID, actor: Actor
) -> DuplicateCandidate:
    """One pair for the side-by-side screen (reading the two records is audited separately)."""
    policy.require_role(session, actor, roles=WORK_QUEUE_READERS, action="duplicate.read")
    pair = session.get(DuplicateCandidate, candidate_id)
    if pair is None:
        raise NotFound(_("No possible duplicate has this id."))
    return pair
