"""Every periodic task of the platform, run by ``peduli worker`` (see ``core.periodic``).

Each domain defines its tasks next to its rules and lists them here; this module is the one
place that knows them all, like ``peduli.models`` for the tables.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy.orm import Session

from peduli import retention
from peduli.auth import checkpoint as audit_checkpoint
from peduli.cases import jobs as case_jobs
from peduli.core import ratelimit
from peduli.core.periodic import PeriodicTask
from peduli.crisis import jobs as crisis_jobs
from peduli.emergency import jobs as emergency_jobs
from peduli.partners import jobs as partner_jobs

RATE_LIMIT_MEMORY = timedelta(days=1)


def _forget_old_rate_limit_counters(session: Session, _now: datetime) -> int:
    return ratelimit.purge(session, older_than=RATE_LIMIT_MEMORY)


PERIODIC_TASKS: tuple[PeriodicTask, ...] = (
    audit_checkpoint.PERIODIC_TASK,
    PeriodicTask("forget-old-rate-limit-counters", 3600, _forget_old_rate_limit_counters),
    *case_jobs.PERIODIC_TASKS,
    *partner_jobs.PERIODIC_TASKS,
    *emergency_jobs.PERIODIC_TASKS,
    *crisis_jobs.PERIODIC_TASKS,
    # Personal data past its retention period (settings PEDULI_RETENTION_*), in batches.
    PeriodicTask("purge-past-retention", 3600, run_batched=retention.purge_in_batches),
)
