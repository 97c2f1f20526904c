"""The agencies' periodic work, run by ``peduli worker``: publishing the platform's events
to the webhook subscriptions (``webhooks.publish``), every few seconds."""

from __future__ import annotations

from peduli.agencies import webhooks
from peduli.core.periodic import PeriodicTask

PERIODIC_TASKS: tuple[PeriodicTask, ...] = (
    PeriodicTask("publish-webhook-events", 2, run=webhooks.publish),
)
