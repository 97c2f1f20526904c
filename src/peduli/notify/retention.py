"""How long the outbox keeps what it sent, and the sandboxes what they received.

A delivered (or dead) message keeps its row: the idempotency key must still refuse a
second send, and the counts and times serve the operators. Its recipient, subject and
body go once it is older than the retention period. The sandbox mailboxes of the demo
drop whole messages after theirs.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, and_, text
from sqlalchemy.orm import Session

from peduli.core.purging import delete_batch, update_batch
from peduli.notify.models import DEAD_UNPURGED, SENT_UNPURGED, OutboxMessage, SandboxMessage

# What a purged row holds instead of its recipient and body (the columns are NOT NULL);
# ``models.SENT_UNPURGED`` / ``DEAD_UNPURGED`` name the rows that do not hold it yet.
PURGED = ""


def purgeable_messages(finished_before: datetime) -> tuple[ColumnElement[bool], ...]:
    """The conditions of the sent and the dead messages to blank, each matching its partial
    index, so a batch reads only rows it blanks (never those blanked before)."""
    return (
        and_(text(SENT_UNPURGED), OutboxMessage.sent_at < finished_before),
        and_(text(DEAD_UNPURGED), OutboxMessage.next_attempt_at < finished_before),
    )


def purge_finished_messages(session: Session, *, finished_before: datetime, limit: int) -> int:
    """Blank recipient, subject and body of one batch of sent or dead messages."""
    purged = 0
    for condition in purgeable_messages(finished_before):
        purged += update_batch(
            session,
            OutboxMessage,
            key=OutboxMessage.id,
            condition=condition,
            values={"recipient": PURGED, "subject": PURGED, "body": PURGED},
            limit=limit - purged,
        )
        if purged >= limit:
            break
    return purged


def purge_sandbox_mail(session: Session, *, received_before: datetime, limit: int) -> int:
    """Delete one batch of messages the sandboxes received before the time given."""
    return delete_batch(
        session,
        SandboxMessage,
        key=SandboxMessage.id,
        condition=SandboxMessage.received_at < received_before,
        limit=limit,
    )
