"""The case workflow (which status may follow which) and the SLA clocks.

new → triaged → in_progress ⇄ waiting → resolved → closed; resolved or closed cases can
be reopened (→ in_progress). The resolution clock stops while a case waits, where its
category allows; the time spent waiting is added to the deadline when work resumes. A
case's next deadline (``sla_due_at``) is on time, due soon (within a day) or overdue; the
overdue ones are escalated to the post's supervisors (``cases.jobs``).
"""

from __future__ import annotations

from datetime import datetime, timedelta
from typing import Literal

from sqlalchemy import ColumnElement, and_, or_

from peduli.cases.models import Case, CaseStatus
from peduli.cases.taxonomy import Category

S = CaseStatus
TRANSITIONS: dict[CaseStatus, tuple[CaseStatus, ...]] = {
    S.NEW: (S.TRIAGED,),
    S.TRIAGED: (S.IN_PROGRESS,),
    S.IN_PROGRESS: (S.WAITING, S.RESOLVED),
    S.WAITING: (S.IN_PROGRESS, S.RESOLVED),
    S.RESOLVED: (S.CLOSED, S.IN_PROGRESS),
    S.CLOSED: (S.IN_PROGRESS,),
}
DONE = frozenset({S.RESOLVED, S.CLOSED})
REOPEN_FROM = DONE
DUE_SOON = timedelta(hours=24)
SlaState = Literal["on_time", "due_soon", "overdue"]


def allowed_from(status: str) -> tuple[CaseStatus, ...]:
    """The statuses a case in ``status`` may move to."""
    return TRANSITIONS.get(CaseStatus(status), ())


def start_clocks(case: Case, category: Category, now: datetime) -> None:
    """Set the deadlines of a new case from its category."""
    case.first_response_due_at = now + timedelta(hours=category.first_response_hours)
    case.resolution_due_at = now + timedelta(hours=category.resolution_hours)
    case.paused_seconds = 0
    refresh_sla_due(case)


def next_deadline(
    *,
    status: str,
    paused_since: datetime | None,
    first_responded_at: datetime | None,
    first_response_due_at: datetime,
    resolution_due_at: datetime,
) -> datetime | None:
    """The next deadline that can be missed: first response, then resolution; None if none."""
    if status in DONE or paused_since is not None:
        return None
    return first_response_due_at if first_responded_at is None else resolution_due_at


def refresh_sla_due(case: Case) -> None:
    """Keep ``case.sla_due_at`` on the case's next deadline."""
    case.sla_due_at = next_deadline(
        status=case.status,
        paused_since=case.paused_since,
        first_responded_at=case.first_responded_at,
        first_response_due_at=case.first_response_due_at,
        resolution_due_at=case.resolution_due_at,
    )


def mark_responded(case: Case, now: datetime) -> None:
    """The first staff action on the case stops the first-response clock."""
    if case.first_responded_at is None:
        case.first_responded_at = now
        refresh_sla_due(case)


def apply_status(case: Case, target: CaseStatus, category: Category, now: datetime) -> None:
    """Move the clocks along with a status change (already validated)."""
    leaving = CaseStatus(case.status)
    if leaving == S.WAITING and case.paused_since is not None:
        paused = int((now - case.paused_since).total_seconds())
        case.paused_seconds = (case.paused_seconds or 0) + paused
        case.resolution_due_at = case.resolution_due_at + timedelta(seconds=paused)
        case.paused_since = None
    if target == S.WAITING and category.pause_while_waiting:
        case.paused_since = now
    if target == S.RESOLVED:
        case.resolved_at = now
    if target == S.CLOSED:
        case.closed_at = now
    if target == S.IN_PROGRESS and leaving in REOPEN_FROM:
        case.resolved_at = None
        case.closed_at = None
        # A reopened case gets a fresh resolution deadline and may be escalated again.
        case.resolution_due_at = now + timedelta(hours=category.resolution_hours)
        case.escalated_at = None
    case.status = target
    if target != S.WAITING:
        case.waiting_on = None
    mark_responded(case, now)
    refresh_sla_due(case)


def sla_state(case: Case, now: datetime) -> SlaState:
    """Where a case stands against its next deadline."""
    due = case.sla_due_at
    if due is None or due - now > DUE_SOON:
        return "on_time"
    return "overdue" if due <= now else "due_soon"


def sla_condition(state: SlaState, now: datetime) -> ColumnElement[bool]:
    """The SQL condition for one SLA state (range conditions on the indexed ``sla_due_at``)."""
    if state == "overdue":
        return Case.sla_due_at <= now
    if state == "due_soon":
        return and_(Case.sla_due_at > now, Case.sla_due_at <= now + DUE_SOON)
    return or_(Case.sla_due_at.is_(None), Case.sla_due_at > now + DUE_SOON)
