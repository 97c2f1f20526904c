"""Reading the outbox in tests: its recipients are stored encrypted (``notify.service``)."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.notify.models import OutboxMessage
from peduli.notify.service import open_recipient


def opened(message: OutboxMessage) -> str:
    """A message's recipient in clear."""
    return open_recipient(message.channel, message.recipient)


def all_messages(session: Session) -> list[OutboxMessage]:
    """Every outbox row, oldest first."""
    return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def recipients(session: Session) -> list[str]:
    """Every outbox row's recipient in clear, oldest first."""
    return [opened(m) for m in all_messages(session)]


def messages_to(session: Session, recipient: str) -> list[OutboxMessage]:
    """The messages to ``recipient``, newest first."""
    return [m for m in reversed(all_messages(session)) if opened(m) == recipient]
