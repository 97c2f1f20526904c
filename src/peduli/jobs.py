"""Every periodic task of the platform, run by ``peduli worker`` (see ``core.periodic``).

Each domain lists its tasks in its own ``jobs.PERIODIC_TASKS``, next to its rules; this module
is the one place that joins them all, like ``peduli.models`` for the tables.
"""

from __future__ import annotations

from peduli import retention
from peduli.auth import jobs as auth_jobs
from peduli.cases import escalation as case_escalation
from peduli.core import jobs as core_jobs
from peduli.core.periodic import PeriodicTask
from peduli.crisis import broadcasts as crisis_broadcasts
from peduli.emergency import alerting as emergency_alerting
from peduli.partners import reminders as partner_reminders

PERIODIC_TASKS: tuple[PeriodicTask, ...] = (
    *auth_jobs.PERIODIC_TASKS,
    *core_jobs.PERIODIC_TASKS,
    PeriodicTask("escalate-overdue-cases", 60, case_escalation.escalate_overdue),
    PeriodicTask("partner-deadline-reminders", 300, partner_reminders.send_reminders),
    PeriodicTask(
        "escalate-unacknowledged-emergencies", 30, emergency_alerting.escalate_unacknowledged
    ),
    PeriodicTask("crisis-remind-silent", 60, crisis_broadcasts.remind_silent),
    # Personal data past its retention period (settings PEDULI_RETENTION_*), in batches.
    PeriodicTask("purge-past-retention", 3600, run_batched=retention.purge_in_batches),
)
