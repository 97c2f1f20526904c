"""The demo's protection cases: created once through the services, across categories."""

from __future__ import annotations

from datetime import date

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from peduli.cases import stats
from peduli.cases.models import Case
from peduli.demo.cases import DEMO_POSTS, ensure_demo_cases
from peduli.demo.staff import ensure_demo_staff


def test_demo_cases_cover_the_posts_and_the_categories(db: Session) -> None:
    ensure_demo_staff(db)
    created = ensure_demo_cases(db)
    assert created >= 40
    posts = set(db.scalars(select(Case.representation_code).distinct()))
    assert posts == set(DEMO_POSTS)
    categories = set(db.scalars(select(Case.category).distinct()))
    assert len(categories) == 11
    figures = stats.outcome_stats(
        db, date_from=date(2000, 1, 1), date_to=date(2100, 1, 1), representation_codes=None
    ).total
    assert figures.cases_resolved > 0 and figures.financial_recovered_idr > 0
    assert figures.hostages_freed > 0 and figures.death_penalty_saved > 0
    assert ensure_demo_cases(db) == 0
    assert db.scalar(select(func.count()).select_from(Case)) == created
