"""The agencies' periodic work, run by ``peduli worker`` (listed in ``peduli.jobs``)."""

from __future__ import annotations

from datetime import datetime

from peduli.agencies import answers, imports_run, licences, verification, webhooks
from peduli.agencies.workflow import NEW_RECORD_WINDOW
from peduli.core.periodic import PeriodicTask, SessionFactory


def run_checks(session_factory: SessionFactory, now: datetime) -> int:
    """Queue checks of new records and claims, and run the due ones."""
    return verification.run_due(session_factory, now, since=now - NEW_RECORD_WINDOW)


PERIODIC_TASKS: tuple[PeriodicTask, ...] = (
    # Every few seconds: a self-report is verified within seconds of arriving.
    PeriodicTask("agency-checks", 2, run_batched=run_checks, slow=True),
    PeriodicTask("agency-answer-cache-purge", 3600, run=answers.purge_expired),
    licences.PERIODIC_TASK,  # BP2MI's licence list into licensed_agency
    # Agency exports queued for import: a turn of up to 30 s on the oldest one nobody holds.
    PeriodicTask("work-agency-imports", 2, run_batched=imports_run.work_imports, slow=True),
    # The platform's events to partner systems' webhooks, through the outbox.
    PeriodicTask("publish-webhook-events", 2, run=webhooks.publish),
    PeriodicTask("purge-published-events", 3600, run=webhooks.purge_published),
)
