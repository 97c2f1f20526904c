"""The agencies domain's periodic work, run by ``peduli worker`` (listed in ``peduli.jobs``)."""

from __future__ import annotations

from peduli.agencies import imports_run
from peduli.core.periodic import PeriodicTask

PERIODIC_TASKS: tuple[PeriodicTask, ...] = (
    # Agency exports queued for import: a turn of up to 30 s on the oldest one nobody holds.
    PeriodicTask("work-agency-imports", 2, run_batched=imports_run.work_imports),
)
