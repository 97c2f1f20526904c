"""The emergency rows that the API and the officers' pages share: the emergency queue."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from peduli.auth.actor import Actor
from peduli.emergency import access
from peduli.emergency.models import Emergency


def emergency_queue(
    session: Session,
    *,
    actor: Actor,
    open_only: bool,
    escalated_only: bool,
    limit: int,
    offset: int,
) -> tuple[int, Sequence[Emergency]]:
    """How many emergencies the actor sees, and one page of them, newest first."""
    condition = access.emergency_scope(actor)
    if open_only:
        condition = condition & Emergency.acknowledged_at.is_(None)
    if escalated_only:
        condition = condition & (Emergency.escalation_level > 0)
    total = session.scalar(select(func.count()).select_from(Emergency).where(condition)) or 0
    rows = session.scalars(
        select(Emergency)
        .where(condition)
        .order_by(Emergency.created_at.desc())
        .limit(limit)
        .offset(offset)
    ).all()
    return total, rows
