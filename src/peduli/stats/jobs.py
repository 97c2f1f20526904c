"""The statistics' periodic work, run by ``peduli worker`` (listed in ``peduli.jobs``): bring
the aggregates of citizens abroad up to date every two seconds (``stats.tally``), keep last
month's end stock once a month has ended, and once a month is over publish its open-data
release (``stats.releases.publish_last_month``; a month already published is left as it is,
and the month's unique row stops a second worker)."""

from __future__ import annotations

import os
import socket
from datetime import datetime

from sqlalchemy.orm import Session

from peduli.core.periodic import PeriodicTask
from peduli.stats import month_ends, releases, tally

EVERY_SECONDS = 2.0
_OWNER = f"{socket.gethostname()}:{os.getpid()}"


def refresh_citizens(session: Session, now: datetime) -> int:
    """One round of the tally; the month-end copy when a month has just ended."""
    handled = tally.refresh(session, now, owner=_OWNER)
    return handled + month_ends.keep_month_end(session, now.date())


PERIODIC_TASKS: tuple[PeriodicTask, ...] = (
    PeriodicTask("stats-citizens", EVERY_SECONDS, run=refresh_citizens),
    PeriodicTask("publish-open-data", 3600, releases.publish_last_month, slow=True),
)
