"""The crisis domain's periodic work, run by ``peduli worker`` (listed in ``peduli.jobs``)."""

from __future__ import annotations

from peduli.core.periodic import PeriodicTask
from peduli.crisis import reminders

PERIODIC_TASKS: tuple[PeriodicTask, ...] = (
    PeriodicTask("crisis-remind-silent", 60, reminders.remind_silent),
)
