"""Reading the outbox and the sandboxes from tests, each read in a session of its own."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from peduli.notify.models import OutboxMessage, SandboxMessage

SessionFactory = Callable[[], Session]


def outbox(factory: SessionFactory) -> list[OutboxMessage]:
    """Every outbox row, read in a session of its own (SQLite allows one writer at a time)."""
    with factory() as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def received(factory: SessionFactory, channel: str) -> list[SandboxMessage]:
    """What one sandbox received, oldest first."""
    with factory() as session:
        query = select(SandboxMessage).where(SandboxMessage.channel == channel)
        return list(session.scalars(query.order_by(SandboxMessage.id)))


def make_due(factory: SessionFactory) -> None:
    """Let every waiting retry happen now, as if its back-off had passed."""
    from peduli.core.db import utcnow

    with factory() as session, session.begin():
        session.execute(update(OutboxMessage).values(next_attempt_at=utcnow()))
