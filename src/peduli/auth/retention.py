"""How long ended sign-in sessions and one-time codes are kept (not past their use)."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy.orm import Session

from peduli.auth.models import AuthSession, CitizenCode
from peduli.core.purging import delete_batch


def purge_ended_sessions(session: Session, *, ended_before: datetime, limit: int) -> int:
    """Delete one batch of sessions that expired or were revoked before the time given."""
    return delete_batch(
        session,
        AuthSession,
        key=AuthSession.id,
        condition=(AuthSession.expires_at < ended_before) | (AuthSession.revoked_at < ended_before),
        limit=limit,
    )


def purge_spent_codes(session: Session, *, expired_before: datetime, limit: int) -> int:
    """Delete one batch of one-time codes that expired before the time given.

    A used code expires like any other; the rate limits of code requests count in their
    own table (``core.ratelimit``), so deleting codes never lifts a limit.
    """
    return delete_batch(
        session,
        CitizenCode,
        key=CitizenCode.id,
        condition=CitizenCode.expires_at < expired_before,
        limit=limit,
    )
