"""The agencies' periodic work, run by ``peduli worker`` (listed in ``peduli.jobs``)."""

from __future__ import annotations

from peduli.agencies import licences
from peduli.core.periodic import PeriodicTask

PERIODIC_TASKS: tuple[PeriodicTask, ...] = (licences.PERIODIC_TASK,)
