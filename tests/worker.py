"""The worker's turns that tests run by hand (``peduli worker`` runs them every second)."""

from __future__ import annotations

from peduli.core.db import get_sessionmaker, utcnow
from peduli.crisis import checkins


def raise_calls_for_help() -> int:
    """Raise the calls for help answered so far, as the worker's next turn would."""
    return checkins.raise_calls_for_help(get_sessionmaker(), utcnow())
