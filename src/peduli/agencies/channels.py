"""The agencies' outbox channels, which the worker adds to ``notify.channels``' own (the
outbox never imports the domains that use it; the command line joins both)."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy.orm import Session

from peduli.agencies.exchange_channel import PartnerStateChannel
from peduli.agencies.webhook_channel import WebhookChannel
from peduli.core.config import Settings
from peduli.notify.models import ChannelName
from peduli.notify.ports import Channel


def agency_channels(
    settings: Settings, session_factory: Callable[[], Session]
) -> dict[str, Channel]:
    """The webhook and partner-state adapters, pointed where the database says."""
    return {
        ChannelName.WEBHOOK.value: WebhookChannel.from_settings(settings, session_factory),
        ChannelName.PARTNER_STATE.value: PartnerStateChannel.from_settings(
            settings, session_factory
        ),
    }
