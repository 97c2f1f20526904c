"""Every SELECT the case pages and the cases API share: the queue (sortable, paged, counted),
its counts, the overdue list, team load and the escalated cases.

Every query is scoped in SQL with ``access.case_scope``; the lists are audited like the
service's reads.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterable
from dataclasses import dataclass
from datetime import datetime
from enum import StrEnum

from sqlalchemy import ColumnElement, and_, func, select
from sqlalchemy import case as when
from sqlalchemy.orm import Session

from peduli.auth import audit
from peduli.auth.actor import Actor
from peduli.auth.models import StaffAccount
from peduli.auth.roles import POST_BOUND_ROLES
from peduli.cases import workflow
from peduli.cases.access import case_scope, require_case_worker
from peduli.cases.models import PRIORITY_RANK, Case, CasePerson, Priority
from peduli.cases.workflow import SlaState, sla_condition
from peduli.registry.models import Person

OPEN = "open"
# The desk counts up to here and then says "1,000+": nobody pages through more, and it keeps
# every count a short index range scan (the queue page's p95 budget is 100 ms).
PAGE_COUNT_CAP = 1_000
# The API counts further: past it the queue says "more than 10,000" and the client filters
# (as the registry's work queue does); it bounds the cost of every count.
API_COUNT_CAP = 10_000


def capped_count(session: Session, where: ColumnElement[bool], cap: int = PAGE_COUNT_CAP) -> int:
    """How many cases match, up to ``cap + 1`` (meaning: more than the cap)."""
    limited = select(Case.id).where(where).limit(cap + 1).subquery()
    return session.scalar(select(func.count()).select_from(limited)) or 0


class QueueSort(StrEnum):
    PRIORITY = "priority"
    DUE = "due"
    REFERENCE = "reference"


@dataclass(frozen=True)
class QueueQuery:
    """The queue's filters, as the page or the API read them (already checked)."""

    category: str | None = None
    priority: Priority | None = None
    status: str | None = OPEN  # a CaseStatus, OPEN, or None for any
    sla: SlaState | None = None
    assignee: uuid.UUID | None = None
    unassigned: bool = False
    representation_code: str | None = None


def _open() -> ColumnElement[bool]:
    return Case.status.not_in([s.value for s in workflow.DONE])


def _conditions(actor: Actor, query: QueueQuery, now: datetime) -> ColumnElement[bool]:
    conditions: list[ColumnElement[bool]] = [case_scope(actor)]
    if query.representation_code is not None:
        conditions.append(Case.representation_code == query.representation_code)
    if query.category is not None:
        conditions.append(Case.category == query.category)
    if query.priority is not None:
        conditions.append(Case.priority_rank == PRIORITY_RANK[query.priority])
    if query.status == OPEN and query.sla not in ("overdue", "due_soon"):
        # (A deadline in sight implies an open case: done cases have no ``sla_due_at``.)
        conditions.append(_open())
    elif query.status is not None:
        conditions.append(Case.status == query.status)
    if query.sla is not None:
        conditions.append(sla_condition(query.sla, now))
    if query.assignee is not None:
        conditions.append(Case.assigned_officer_id == query.assignee)
    elif query.unassigned:
        conditions.append(Case.assigned_officer_id.is_(None))
    return and_(*conditions)


# Each order is served by an index of the post's cases (ix_protection_case_queue,
# ix_protection_case_rep_sla, the unique reference), read forwards or backwards.
_ORDER = {
    QueueSort.PRIORITY: (Case.priority_rank, Case.created_at, Case.id),
    QueueSort.DUE: (Case.sla_due_at, Case.priority_rank, Case.id),
    QueueSort.REFERENCE: (Case.reference, Case.id),
}


def case_queue(
    session: Session,
    *,
    actor: Actor,
    query: QueueQuery,
    sort: QueueSort = QueueSort.PRIORITY,
    descending: bool = False,
    limit: int,
    offset: int,
    now: datetime,
    count_cap: int = PAGE_COUNT_CAP,
) -> tuple[int, list[Case]]:
    """One page of the queue and how many cases match (counted up to ``count_cap``)."""
    require_case_worker(session, actor, action="case.list")
    where = _conditions(actor, query, now)
    total = capped_count(session, where, count_cap)
    columns = _ORDER[sort]
    order = [c.desc() if descending else c.asc() for c in columns]
    if sort == QueueSort.DUE and not descending:
        # Cases without a running clock last (PostgreSQL's own order; SQLite needs telling).
        order[0] = order[0].nulls_last()
    rows = session.scalars(
        select(Case).where(where).order_by(*order).limit(limit).offset(offset)
    ).all()
    audit.record(
        session,
        actor=actor,
        action="case.list",
        entity_type="case_queue",
        entity_id=query.representation_code or actor.representation_code,
    )
    return total, list(rows)


@dataclass(frozen=True)
class Named:
    """A person a case concerns as the queue shows them: the registered record's name (and
    a link to it), else the name the case was opened with."""

    name: str | None
    person_id: uuid.UUID | None


def people_of_cases(
    session: Session, *, actor: Actor, case_ids: Iterable[uuid.UUID]
) -> dict[uuid.UUID, list[Named]]:
    """The people of a page of cases, oldest link first, in one query (scoped like the
    queue); showing them is audited as one read of the list, as a search in scope is."""
    wanted = list(dict.fromkeys(case_ids))
    if not wanted:
        return {}
    rows = session.execute(
        select(CasePerson.case_id, Person.full_name, CasePerson.name, CasePerson.person_id)
        .join(Case, Case.id == CasePerson.case_id)
        .outerjoin(Person, Person.id == CasePerson.person_id)
        .where(CasePerson.case_id.in_(wanted), case_scope(actor))
        .order_by(CasePerson.case_id, CasePerson.added_at, CasePerson.id)
    ).all()
    people: dict[uuid.UUID, list[Named]] = {}
    for case_id, full_name, typed_name, person_id in rows:
        people.setdefault(case_id, []).append(Named(full_name or typed_name, person_id))
    audit.record(
        session,
        actor=actor,
        action="case.list_people",
        entity_type="case_queue",
        entity_id=f"{sum(len(named) for named in people.values())} shown",
        fields=["name"],
    )
    return people


def cases_of_person(
    session: Session, *, actor: Actor, person_id: uuid.UUID, limit: int = 100
) -> list[Case]:
    """The cases (SOS calls among them) that concern a person, in the caller's scope, the
    newest first; the read is audited on the person's trail."""
    require_case_worker(session, actor, action="case.list_for_person")
    theirs = select(CasePerson.case_id).where(CasePerson.person_id == person_id)
    rows = session.scalars(
        select(Case)
        .where(Case.id.in_(theirs), case_scope(actor))
        .order_by(Case.created_at.desc(), Case.id)
        .limit(limit)
    ).all()
    audit.record(
        session,
        actor=actor,
        action="case.list_for_person",
        entity_type="person",
        entity_id=str(person_id),
        subject_person_id=person_id,
    )
    return list(rows)


@dataclass(frozen=True)
class QueueCounts:
    open: int
    mine: int
    unassigned: int
    due_soon: int
    overdue: int


def queue_counts(
    session: Session, *, actor: Actor, representation_code: str | None, now: datetime
) -> QueueCounts:
    """The post's open cases, mine, unassigned, due soon and overdue (each up to the cap)."""
    scope = case_scope(actor)
    if representation_code is not None:
        scope = and_(scope, Case.representation_code == representation_code)
    opened = and_(scope, _open())
    return QueueCounts(
        open=capped_count(session, opened),
        mine=capped_count(session, and_(opened, Case.assigned_officer_id == actor.account_id)),
        unassigned=capped_count(session, and_(opened, Case.assigned_officer_id.is_(None))),
        due_soon=capped_count(session, and_(scope, sla_condition("due_soon", now))),
        overdue=capped_count(session, and_(scope, sla_condition("overdue", now))),
    )


def overdue_cases(
    session: Session,
    *,
    actor: Actor,
    limit: int,
    offset: int = 0,
    now: datetime,
    representation_code: str | None = None,
    count_cap: int = PAGE_COUNT_CAP,
) -> tuple[int, list[Case]]:
    """Cases past a deadline in the caller's scope (one post's, when given), the longest
    overdue first, and how many there are (counted up to ``count_cap``)."""
    require_case_worker(session, actor, action="case.overdue")
    where = and_(case_scope(actor), Case.sla_due_at <= now)
    if representation_code is not None:
        where = and_(where, Case.representation_code == representation_code)
    total = capped_count(session, where, count_cap)
    items = session.scalars(
        select(Case).where(where).order_by(Case.sla_due_at, Case.id).limit(limit).offset(offset)
    ).all()
    audit.record(
        session,
        actor=actor,
        action="case.overdue",
        entity_type="case_queue",
        entity_id=representation_code or actor.representation_code,
    )
    return total, list(items)


@dataclass(frozen=True)
class Load:
    """One officer's open cases by priority (None: the unassigned ones)."""

    officer_id: uuid.UUID | None
    by_priority: dict[str, int]
    overdue: int

    @property
    def total(self) -> int:
        return sum(self.by_priority.values())


def team_load(
    session: Session, *, actor: Actor, representation_code: str | None, now: datetime
) -> list[Load]:
    """Open cases per assignee and priority, and how many are overdue, for one post."""
    require_case_worker(session, actor, action="case.team")
    where = and_(case_scope(actor), _open())
    if representation_code is not None:
        where = and_(where, Case.representation_code == representation_code)
    rows = session.execute(
        select(
            Case.assigned_officer_id,
            Case.priority,
            func.count(),
            func.coalesce(func.sum(when((Case.sla_due_at <= now, 1), else_=0)), 0),
        )
        .where(where)
        .group_by(Case.assigned_officer_id, Case.priority)
    ).all()
    loads: dict[uuid.UUID | None, tuple[dict[str, int], list[int]]] = {}
    for officer_id, priority, count, overdue in rows:
        by_priority, late = loads.setdefault(officer_id, ({}, [0]))
        by_priority[priority] = int(count)
        late[0] += int(overdue or 0)
    audit.record(
        session,
        actor=actor,
        action="case.team",
        entity_type="case_queue",
        entity_id=representation_code or actor.representation_code,
    )
    return [
        Load(officer_id, by_priority, late[0]) for officer_id, (by_priority, late) in loads.items()
    ]


def escalated(
    session: Session, *, actor: Actor, representation_code: str | None, limit: int = 50
) -> list[Case]:
    """Open cases the escalation task raised to the supervisor, the oldest first."""
    where = and_(case_scope(actor), _open(), Case.escalated_at.is_not(None))
    if representation_code is not None:
        where = and_(where, Case.representation_code == representation_code)
    return list(
        session.scalars(
            select(Case).where(where).order_by(Case.escalated_at, Case.id).limit(limit)
        ).all()
    )


def staff_display(session: Session, account_id: uuid.UUID | None) -> str | None:
    """The name of a staff account (an assignee), or None."""
    if account_id is None:
        return None
    return session.scalar(select(StaffAccount.display_name).where(StaffAccount.id == account_id))


def officers_of(session: Session, representation_code: str | None) -> list[tuple[uuid.UUID, str]]:
    """(id, name) of the active officers and supervisors of a post, by name."""
    if not representation_code:
        return []
    rows = session.execute(
        select(StaffAccount.id, StaffAccount.display_name)
        .where(
            StaffAccount.representation_code == representation_code,
            StaffAccount.role.in_([r.value for r in POST_BOUND_ROLES]),
            StaffAccount.disabled_at.is_(None),
        )
        .order_by(StaffAccount.display_name)
    ).all()
    return [(row[0], row[1]) for row in rows]


def names_of(session: Session, ids: Iterable[uuid.UUID | None]) -> dict[uuid.UUID, str]:
    """Display names of staff accounts, in one query (for a page of rows)."""
    wanted = {i for i in ids if i is not None}
    if not wanted:
        return {}
    rows = session.execute(
        select(StaffAccount.id, StaffAccount.display_name).where(StaffAccount.id.in_(wanted))
    ).all()
    return {row[0]: row[1] for row in rows}
