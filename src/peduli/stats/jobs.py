"""The statistics' periodic work, run by ``peduli worker`` (listed in ``peduli.jobs``): once a
month is over, publish its open-data release (``stats.releases.publish_last_month``; a month
already published is left as it is, and the month's unique row stops a second worker)."""

from __future__ import annotations

from peduli.core.periodic import PeriodicTask
from peduli.stats import releases

PERIODIC_TASKS: tuple[PeriodicTask, ...] = (
    PeriodicTask("publish-open-data", 3600, releases.publish_last_month),
)
