"""The clocks of a verification: when a queued check runs, when an agency that did not
answer is asked again (exponential backoff with jitter, never sooner than the agency asked),
how long a worker holds a check it took."""

from __future__ import annotations

import random
from datetime import datetime, timedelta

from peduli.agencies.models import CheckState

RETRY_BASE = timedelta(seconds=15)
RETRY_CAP = timedelta(hours=6)
LEASE = timedelta(seconds=60)  # a check taken by a worker that died is taken again after this
BATCH = 25  # checks one worker turn runs
DISCOVER_BATCH = 500  # new reports and claims queued per turn (newest first)
# States the worker still has to act on (with due_at set).
OPEN_STATES = frozenset({CheckState.QUEUED, CheckState.UNAVAILABLE})


def retry_after(attempts: int, *, now: datetime, agency_says: datetime | None) -> datetime:
    """When to ask again after ``attempts`` unanswered tries: full-jitter exponential
    backoff, but never before the time the agency (or its breaker) named."""
    ceiling = min(RETRY_CAP, RETRY_BASE * 2 ** max(0, attempts - 1))
    backoff = now + ceiling / 2 + ceiling / 2 * random.random()
    return max(backoff, agency_says) if agency_says else backoff


NEW_RECORD_WINDOW = timedelta(days=1)  # records created this recently are checked unasked
