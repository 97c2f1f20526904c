"""The emergency domain's periodic work, run by ``peduli worker`` (listed in ``peduli.jobs``)."""

from __future__ import annotations

from peduli.core.periodic import PeriodicTask
from peduli.emergency import alerting

PERIODIC_TASKS: tuple[PeriodicTask, ...] = (
    PeriodicTask("escalate-unacknowledged-emergencies", 30, alerting.escalate_unacknowledged),
)
