"""Every periodic task of the platform, run by ``peduli worker`` (see ``core.periodic``).

Each domain defines its tasks next to its rules and lists them here; this module is the one
place that knows them all, like ``peduli.models`` for the tables.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from peduli import retention
from peduli.auth import checkpoint as audit_checkpoint
from peduli.cases import escalation as case_escalation
from peduli.core import ratelimit
from peduli.core.periodic import PeriodicTask
from peduli.crisis import broadcasts as crisis_broadcasts
from peduli.emergency import alerting as emergency_alerting
from peduli.partners import jobs as partner_jobs

RATE_LIMIT_MEMORY = timedelta(days=1)


def _forget_old_rate_limit_counters(session: Session, _now: datetime) -> int:
    return ratelimit.purge(session, older_than=RATE_LIMIT_MEMORY)


PERIODIC_TASKS: tuple[PeriodicTask, ...] = (
    audit_checkpoint.PERIODIC_TASK,
    PeriodicTask("forget-old-rate-limit-counters", 3600, _forget_old_rate_limit_counters),
    PeriodicTask("escalate-overdue-cases", 60, case_escalation.escalate_overdue),
    *partner_jobs.PERIODIC_TASKS,
    PeriodicTask(
        "escalate-unacknowledged-emergencies", 30, emergency_alerting.escalate_unacknowledged
    ),
    PeriodicTask("crisis-remind-silent", 60, crisis_broadcasts.remind_silent),
    # Personal data past its retention period (settings PEDULI_RETENTION_*), in batches.
    PeriodicTask("purge-past-retention", 3600, run_batched=retention.purge_in_batches),
)
