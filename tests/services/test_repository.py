"""The dashboard's services figures of a period: received and completed in the period and a
year earlier, open now, for the posts asked."""

from __future__ import annotations

from datetime import UTC, date, datetime

from sqlalchemy import update
from sqlalchemy.orm import Session

from peduli.auth.actor import Actor, Role
from peduli.core.db import utcnow
from peduli.services import repository
from peduli.services.models import ServiceApplication
from tests.cases.conftest import staff_actor
from tests.services.conftest import renewal

MARCH = (date(2026, 3, 1), date(2026, 3, 31))
MARCH_BEFORE = (date(2025, 3, 1), date(2025, 3, 31))


def _at(day: int, month: int = 3, year: int = 2026) -> datetime:
    return datetime(year, month, day, 12, tzinfo=UTC)


def _dated(db: Session, applicant: Actor, **times: datetime | str | None) -> None:
    application = renewal(db, applicant)
    db.execute(
        update(ServiceApplication).where(ServiceApplication.id == application.id).values(**times)
    )


def test_a_period_counts_its_own_applications_and_the_same_days_a_year_earlier(
    db: Session, applicant: Actor
) -> None:
    _dated(db, applicant, submitted_at=_at(10), issued_at=_at(12), due_at=_at(20),
           state="handed_over")  # fmt: skip
    _dated(db, applicant, submitted_at=_at(5, year=2025), issued_at=_at(30, year=2025),
           due_at=_at(20, year=2025), state="handed_over")  # fmt: skip
    _dated(db, applicant, submitted_at=_at(10, month=1), due_at=_at(20, month=1))
    _dated(db, applicant, submitted_at=_at(1, month=4), due_at=_at(20, year=2099))
    db.commit()
    hq = staff_actor(db, Role.HQ_ANALYST, None, "hq-analyst")

    def figures(posts: set[str] | None) -> list[repository.PeriodFigures]:
        return repository.period_figures(
            db, actor=hq, period=MARCH, year_earlier=MARCH_BEFORE, posts=posts, now=utcnow()
        )

    [row] = figures(None)
    assert (row.received, row.completed, row.completed_on_time) == (1, 1, 1)
    assert (
        row.received_year_earlier,
        row.completed_year_earlier,
        row.completed_on_time_year_earlier,
    ) == (1, 1, 0), "completed after its deadline a year earlier"
    assert (row.open, row.overdue_open) == (2, 1), "open now, whatever the period"
    assert figures({"kbri-seoul"}) == [row]
    assert figures({"kbri-kuala-lumpur"}) == []


def test_a_post_reads_only_its_own_applications(
    db: Session, applicant: Actor, officer_kl: Actor
) -> None:
    _dated(db, applicant, submitted_at=_at(10))
    db.commit()
    read = repository.period_figures(
        db, actor=officer_kl, period=MARCH, year_earlier=MARCH_BEFORE, posts=None, now=utcnow()
    )
    assert read == []
