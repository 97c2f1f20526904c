"""The telephony platform this installation talks to, from the settings (the wiring).

One platform today, the Twilio-style webhook; its webhooks come to
``PEDULI_PUBLIC_URL`` + ``/api/v1/channels/voice/calls`` and are signed with
``PEDULI_VOICE_AUTH_TOKEN``.
"""

from __future__ import annotations

from peduli.core.config import get_settings
from peduli.voice.ports import TelephonyPlatform
from peduli.voice.twiml import TwimlPlatform

WEBHOOK_PATH = "/api/v1/channels/voice/calls"


def webhook_url(path: str = WEBHOOK_PATH) -> str:
    """The full URL the platform posts to for ``path`` (what it signs)."""
    return get_settings().public_url.rstrip("/") + path


def current_platform() -> TelephonyPlatform:
    """The platform of the settings."""
    return TwimlPlatform(base_url=webhook_url(), token=get_settings().voice_auth_token)
