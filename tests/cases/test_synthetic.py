"""Synthetic cases of a seed: realistic, consistent with the workflow, counted, numbered on."""

from __future__ import annotations

from collections import Counter
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from peduli.cases import references, stats, workflow
from peduli.cases.models import Case, CasePerson, CaseStatus, OutcomeDaily
from peduli.core.db import utcnow
from peduli.demo import seed as seeding
from peduli.registry.models import Person, Stay

CITIZENS = 1500


@pytest.fixture
def seeded(db: Session) -> seeding.SeedOutcome:
    outcome = seeding.seed_citizens(
        db, citizens=CITIZENS, seed=5, batch_size=400, today=date(2026, 11, 24),
        cases_per_citizen=0.2,
    )  # fmt: skip
    db.commit()
    return outcome


def test_a_share_of_the_citizens_have_a_case_at_their_post(
    db: Session, seeded: seeding.SeedOutcome
) -> None:
    cases = db.scalars(select(Case)).all()
    assert len(cases) == seeded.cases
    assert 0.15 * CITIZENS < len(cases) < 0.25 * CITIZENS
    pairs = db.execute(
        select(CasePerson.case_id, Stay.representation_code, Person.id)
        .join(Person, Person.id == CasePerson.person_id)
        .join(Stay, Stay.person_id == Person.id)
    ).all()
    posts = {case.id: case.representation_code for case in cases}
    assert {case_id for case_id, _post, _person in pairs} == set(posts)
    assert all(posts[case_id] == post for case_id, post, _person in pairs)
    by_post = Counter(posts.values()).most_common()
    assert by_post[0][1] > 5 * by_post[len(by_post) // 2][1], "the largest post has the queue"


def test_cases_follow_the_taxonomy_and_the_workflow(
    db: Session, seeded: seeding.SeedOutcome
) -> None:
    cases = db.scalars(select(Case)).all()
    assert {c.status for c in cases} == set(CaseStatus)
    assert len({c.category for c in cases}) >= 9
    assert {c.priority for c in cases} == {"critical", "high", "normal", "low"}
    now = utcnow()
    for case in cases:
        assert case.sla_due_at == workflow.next_deadline(
            status=case.status,
            paused_since=case.paused_since,
            first_responded_at=case.first_responded_at,
            first_response_due_at=case.first_response_due_at,
            resolution_due_at=case.resolution_due_at,
        )
        assert (case.first_responded_at is None) == (case.status == CaseStatus.NEW)
        assert (case.resolved_at is not None) == (case.status in workflow.DONE)
        overdue = case.sla_due_at is not None and case.sla_due_at < now
        assert (case.escalated_at is not None) == overdue, "overdue means escalated already"
    open_cases = [c for c in cases if c.status not in workflow.DONE]
    assert len(open_cases) > 0.1 * len(cases)


def test_resolved_cases_are_in_the_outcome_figures(
    db: Session, seeded: seeding.SeedOutcome
) -> None:
    resolved = db.scalar(select(func.count()).where(Case.resolved_at.is_not(None)))
    assert resolved
    assert db.scalar(select(func.sum(OutcomeDaily.cases_resolved))) == resolved
    figures = stats.outcome_stats(
        db, date_from=date(2000, 1, 1), date_to=date(2100, 1, 1), representation_codes=None
    )
    assert figures.total.cases_resolved == resolved


def test_the_next_case_of_a_post_continues_after_the_seeded_references(
    db: Session, seeded: seeding.SeedOutcome
) -> None:
    post = db.scalar(select(Case.representation_code).limit(1))
    assert post is not None
    year = utcnow().year
    pattern = f"{post.upper()}-{year}-%"
    seeded_refs = db.scalars(select(Case.reference).where(Case.reference.like(pattern))).all()
    assert seeded_refs
    number = references.next_number(db, representation_code=post, year=year)
    assert number == len(seeded_refs) + 1
    references_all = db.scalars(select(Case.reference)).all()
    assert len(set(references_all)) == len(references_all)
