"""The demo's statistics: the seeded population counted, with month-end stocks a year back."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from peduli.core.db import utcnow
from peduli.demo import seed as seeding
from peduli.demo.statistics import ensure_demo_statistics
from peduli.registry.models import Stay
from peduli.stats import repository
from peduli.stats.month_ends import month_end
from peduli.stats.repository import Filters, year_before

CITIZENS = 300


def test_the_demo_population_is_counted_with_a_year_earlier(db: Session) -> None:
    seeding.seed_citizens(db, citizens=CITIZENS, seed=2026, batch_size=CITIZENS)
    ensure_demo_statistics(db)
    db.commit()
    today = utcnow().date()
    reading = repository.citizens(
        db, by="country", filters=Filters(today.replace(day=1), today), today=today
    )
    stays = db.scalar(select(func.count()).select_from(Stay).where(Stay.status == "active"))
    assert reading.total == stays > 0
    assert len(reading.counts) > 3, "citizens in several countries"
    assert reading.year_earlier is not None
    # A year ago only those who had arrived by then were abroad (every seeded stay is open).
    then = month_end(year_before(today))
    earlier = db.scalar(select(func.count()).select_from(Stay).where(Stay.arrival_date <= then))
    assert reading.year_earlier_total == earlier
    assert 0 < (earlier or 0) < stays
    ensure_demo_statistics(db)  # counted once: a second call changes nothing
    assert (
        repository.citizens(
            db, by="country", filters=Filters(today.replace(day=1), today), today=today
        ).total
        == stays
    )
