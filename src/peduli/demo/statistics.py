"""The demo's statistics: the seeded population counted once, with two years of month-end
stocks drawn from the stays' arrival dates, so the dashboard shows a year-earlier figure;
from then on the worker's tally keeps the figures in step with every change."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.core.db import utcnow
from peduli.stats import month_ends, tally
from peduli.stats.models import StayContribution

HISTORY_MONTHS = 24


def ensure_demo_statistics(session: Session) -> None:
    """Count the demo population if nothing is counted yet."""
    if session.scalar(select(StayContribution.stay_id).limit(1)) is not None:
        return
    tally.rebuild(session)
    month_ends.backfill_months(session, today=utcnow().date(), months=HISTORY_MONTHS)
