"""Every transition of the workflow, allowed and refused, and the SLA clocks around them."""

from __future__ import annotations

from datetime import timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.auth.actor import Actor
from peduli.cases import casework, workflow
from peduli.cases.models import Case, CaseEvent, CaseStatus, WaitingOn
from peduli.core.db import utcnow
from peduli.core.errors import PeduliError, ValidationFailed
from tests.cases.conftest import open_case, walk

ALLOWED = {
    ("new", "triaged"),
    ("triaged", "in_progress"),
    ("in_progress", "waiting"),
    ("in_progress", "resolved"),
    ("waiting", "in_progress"),
    ("waiting", "resolved"),
    ("resolved", "closed"),
    ("resolved", "in_progress"),
    ("closed", "in_progress"),
}
STATUSES = [s.value for s in CaseStatus]


def test_the_table_matches_the_documented_workflow() -> None:
    table = {(a.value, b.value) for a, targets in workflow.TRANSITIONS.items() for b in targets}
    assert table == ALLOWED


@pytest.mark.parametrize("source", STATUSES)
@pytest.mark.parametrize("target", STATUSES)
def test_each_transition_is_allowed_or_refused(
    db: Session, officer: Actor, source: str, target: str
) -> None:
    case = walk(db, open_case(db, officer), officer, source)
    waiting_on = WaitingOn.AGENCY if target == "waiting" else None
    if (source, target) in ALLOWED:
        casework.transition(
            db, case_id=case.id, actor=officer, to=CaseStatus(target), waiting_on=waiting_on
        )
        assert case.status == target
        last = db.scalars(
            select(CaseEvent).where(CaseEvent.case_id == case.id).order_by(CaseEvent.seq.desc())
        ).first()
        assert last is not None and last.kind == "status_changed"
        assert f'"to": "{target}"' in last.data
    else:
        with pytest.raises(PeduliError) as refused:
            casework.transition(
                db, case_id=case.id, actor=officer, to=CaseStatus(target), waiting_on=waiting_on
            )
        assert refused.value.status == 409
        allowed = ", ".join(b for a, b in sorted(ALLOWED) if a == source) or "-"
        assert refused.value.problems[0].hint.endswith(f"{allowed}.") or all(
            b in refused.value.detail for a, b in ALLOWED if a == source
        )
        assert case.status == source


def test_waiting_needs_to_say_on_whom(db: Session, officer: Actor) -> None:
    case = walk(db, open_case(db, officer), officer, "in_progress")
    with pytest.raises(ValidationFailed) as refused:
        casework.transition(db, case_id=case.id, actor=officer, to=CaseStatus.WAITING)
    assert refused.value.problems[0].field == "waiting_on"


def test_the_first_action_stops_the_first_response_clock(db: Session, officer: Actor) -> None:
    case = open_case(db, officer)
    assert case.first_responded_at is None
    assert case.sla_due_at == case.first_response_due_at
    casework.transition(db, case_id=case.id, actor=officer, to=CaseStatus.TRIAGED)
    assert case.first_responded_at is not None
    assert case.sla_due_at == case.resolution_due_at


def test_waiting_pauses_the_clock_where_the_category_allows(db: Session, officer: Actor) -> None:
    case = walk(db, open_case(db, officer, category="labour"), officer, "waiting")
    assert case.paused_since is not None and case.sla_due_at is None
    due_before = case.resolution_due_at
    case.paused_since = utcnow() - timedelta(hours=5)  # as if it waited five hours
    casework.transition(db, case_id=case.id, actor=officer, to=CaseStatus.IN_PROGRESS)
    assert case.paused_since is None
    assert 5 * 3600 <= case.paused_seconds < 5 * 3600 + 60
    shift = case.resolution_due_at - due_before
    assert timedelta(hours=5) <= shift < timedelta(hours=5, minutes=1)
    assert case.sla_due_at == case.resolution_due_at


def test_the_clock_never_stops_where_life_is_at_stake(db: Session, officer: Actor) -> None:
    case = walk(db, open_case(db, officer, category="hostage"), officer, "waiting")
    assert case.paused_since is None
    assert case.sla_due_at == case.resolution_due_at


def test_reopening_gives_a_new_deadline_and_clears_the_escalation(
    db: Session, officer: Actor
) -> None:
    case = walk(db, open_case(db, officer), officer, "closed")
    assert case.sla_due_at is None and case.closed_at is not None
    case.escalated_at = utcnow()
    casework.transition(db, case_id=case.id, actor=officer, to=CaseStatus.IN_PROGRESS)
    assert case.resolved_at is None and case.closed_at is None and case.escalated_at is None
    assert case.sla_due_at is not None and case.sla_due_at > utcnow() + timedelta(days=59)


def test_another_posts_officer_cannot_move_the_case(
    db: Session, officer: Actor, officer_kl: Actor
) -> None:
    case = open_case(db, officer)
    with pytest.raises(PeduliError) as refused:
        casework.transition(db, case_id=case.id, actor=officer_kl, to=CaseStatus.TRIAGED)
    assert refused.value.status == 404
    assert db.get(Case, case.id).status == "new"  # type: ignore[union-attr]
