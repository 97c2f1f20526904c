"""Every periodic task of the platform, run by ``peduli worker`` (see ``core.periodic``).

Each domain lists its tasks in its own ``jobs.PERIODIC_TASKS``, next to its rules; this module
is the one place that joins them all, like ``peduli.models`` for the tables.
"""

from __future__ import annotations

from peduli import retention
from peduli.agencies import jobs as agency_jobs
from peduli.auth import jobs as auth_jobs
from peduli.cases import jobs as case_jobs
from peduli.conversations import jobs as conversation_jobs
from peduli.core import jobs as core_jobs
from peduli.core.periodic import PeriodicTask
from peduli.crisis import jobs as crisis_jobs
from peduli.emergency import jobs as emergency_jobs
from peduli.partners import jobs as partner_jobs
from peduli.services import jobs as service_jobs
from peduli.stats import jobs as stats_jobs
from peduli.voice import jobs as voice_jobs

PERIODIC_TASKS: tuple[PeriodicTask, ...] = (
    *auth_jobs.PERIODIC_TASKS,
    *core_jobs.PERIODIC_TASKS,
    *case_jobs.PERIODIC_TASKS,
    *partner_jobs.PERIODIC_TASKS,
    # A crisis's calls for help become emergencies first, so the alerting that follows in the
    # same turn pages the duty officer without waiting a second more.
    *crisis_jobs.PERIODIC_TASKS,
    *emergency_jobs.PERIODIC_TASKS,
    *voice_jobs.PERIODIC_TASKS,
    *conversation_jobs.PERIODIC_TASKS,
    *agency_jobs.PERIODIC_TASKS,
    *service_jobs.PERIODIC_TASKS,
    *stats_jobs.PERIODIC_TASKS,
    # Personal data past its retention period (settings PEDULI_RETENTION_*), in batches.
    PeriodicTask("purge-past-retention", 3600, run_batched=retention.purge_in_batches, slow=True),
)
