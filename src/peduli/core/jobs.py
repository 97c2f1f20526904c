"""Periodic work of the shared core: forgetting rate-limit windows long closed."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from peduli.core import ratelimit
from peduli.core.periodic import PeriodicTask

RATE_LIMIT_MEMORY = timedelta(days=1)


def forget_old_rate_limit_counters(session: Session, _now: datetime) -> int:
    """Delete the counters whose window started over ``RATE_LIMIT_MEMORY`` ago; returns how many."""
    return ratelimit.purge(session, older_than=RATE_LIMIT_MEMORY)


PERIODIC_TASKS: tuple[PeriodicTask, ...] = (
    PeriodicTask("forget-old-rate-limit-counters", 3600, forget_old_rate_limit_counters),
)
