"""Channel adapters, and the wiring that builds them from settings."""

from __future__ import annotations

from peduli.core.config import Settings
from peduli.notify.channels.email_smtp import SmtpEmailChannel
from peduli.notify.channels.in_app import InAppChannel
from peduli.notify.channels.sms_http import HttpSmsChannel
from peduli.notify.channels.telegram_bot import TelegramBotChannel
from peduli.notify.channels.whatsapp_cloud import WhatsAppCloudChannel
from peduli.notify.models import ChannelName
from peduli.notify.ports import Channel


def build_channels(settings: Settings) -> dict[str, Channel]:
    """The adapters a worker delivers through, pointed where the settings say."""
    return {
        ChannelName.EMAIL.value: SmtpEmailChannel.from_settings(settings),
        ChannelName.SMS.value: HttpSmsChannel.from_settings(settings),
        ChannelName.WHATSAPP.value: WhatsAppCloudChannel.from_settings(settings),
        ChannelName.TELEGRAM.value: TelegramBotChannel.from_settings(settings),
        ChannelName.IN_APP.value: InAppChannel(),
    }
