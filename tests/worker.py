"""The worker's turns that tests run by hand (``peduli worker`` runs them every second)."""

from __future__ import annotations

from peduli.core.db import session_scope, utcnow
from peduli.crisis import checkins


def raise_calls_for_help() -> int:
    """Raise the calls for help answered so far, as the worker's next turn would."""
    with session_scope() as db:
        return checkins.raise_calls_for_help(db, utcnow())
