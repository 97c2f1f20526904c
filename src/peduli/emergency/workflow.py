"""An emergency's states and clocks: alerting, escalated, acknowledged; the time to
acknowledge, and how many escalation steps there are."""

from __future__ import annotations

from datetime import timedelta

from peduli.core.config import get_settings
from peduli.emergency.models import Emergency

MAX_LEVEL = 3  # after the third escalation the emergency stays on the HQ list only


def ack_window() -> timedelta:
    """How long the alerted person has to acknowledge (``PEDULI_EMERGENCY_ACK_MINUTES``)."""
    return timedelta(minutes=max(1, get_settings().emergency_ack_minutes))


def state_of(emergency: Emergency) -> str:
    """alerting (level 0, waiting), escalated, or acknowledged."""
    if emergency.acknowledged_at is not None:
        return "acknowledged"
    return "escalated" if emergency.escalation_level > 0 else "alerting"
