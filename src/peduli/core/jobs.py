"""Periodic work of the shared core: forgetting rate-limit windows long closed, and the
answers kept for retried requests once no client retries them any more."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from peduli.core import idempotency, ratelimit
from peduli.core.periodic import PeriodicTask

RATE_LIMIT_MEMORY = timedelta(days=1)


def forget_old_rate_limit_counters(session: Session, _now: datetime) -> int:
    """Delete the counters whose window started over ``RATE_LIMIT_MEMORY`` ago; returns how many."""
    return ratelimit.purge(session, older_than=RATE_LIMIT_MEMORY)


def forget_old_idempotent_answers(session: Session, _now: datetime) -> int:
    """Delete the answers kept for retries longer than ``idempotency.KEPT_FOR``; how many."""
    return idempotency.purge(session)


PERIODIC_TASKS: tuple[PeriodicTask, ...] = (
    PeriodicTask("forget-old-rate-limit-counters", 3600, forget_old_rate_limit_counters),
    PeriodicTask("forget-old-idempotent-answers", 3600, forget_old_idempotent_answers),
)
