"""The demo's open data: the two months before this one published for the demo population,
so a newcomer sees a table with suppressed cells at ``/data-terbuka`` and a series whose
second month keeps the first month's suppressions."""

from __future__ import annotations

from datetime import date

from sqlalchemy.orm import Session

from peduli.auth.actor import SYSTEM
from peduli.core.db import utcnow
from peduli.stats import releases


def ensure_demo_releases(session: Session, *, today: date | None = None) -> list[date]:
    """Publish the two months before ``today``'s unless any month is published; the months
    published."""
    if releases.published_months(session):
        return []
    last = releases.previous_month(today or utcnow().date())
    months = [releases.previous_month(last), last]
    for month in months:
        releases.publish(session, month=month, actor=SYSTEM)
    return months
