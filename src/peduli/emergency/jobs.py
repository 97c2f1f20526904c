"""The emergency domain's periodic work, run by ``peduli worker`` (listed in ``peduli.jobs``)."""

from __future__ import annotations

from peduli.core.periodic import PeriodicTask
from peduli.emergency import alerting

PERIODIC_TASKS: tuple[PeriodicTask, ...] = (
    # Every second: a crisis's call for help waits at most this long for its first alert.
    PeriodicTask("alert-crisis-calls-for-help", 1, alerting.alert_pending_calls, urgent=True),
    PeriodicTask("escalate-unacknowledged-emergencies", 30, alerting.escalate_unacknowledged),
)
