"""Periodic work of authentication: the signed checkpoint of the audit chains' ends."""

from __future__ import annotations

from peduli.auth import checkpoint
from peduli.core.periodic import PeriodicTask

PERIODIC_TASKS: tuple[PeriodicTask, ...] = (
    PeriodicTask("audit-checkpoint", checkpoint.EVERY_SECONDS, checkpoint.write_periodic),
)
