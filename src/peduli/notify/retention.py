"""How long the outbox keeps what it sent, and the sandboxes what they received.

A delivered (or dead) message keeps its row: the idempotency key must still refuse a
second send, and the counts and times serve the operators. Its recipient, subject and
body go once it is older than the retention period. The sandbox mailboxes of the demo
drop whole messages after theirs.
"""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import func
from sqlalchemy.orm import Session

from peduli.core.purging import delete_batch, update_batch
from peduli.notify.models import OutboxMessage, OutboxStatus, SandboxMessage

# What a purged row holds instead of its recipient and body (the columns are NOT NULL).
PURGED = ""
FINISHED = (OutboxStatus.SENT, OutboxStatus.DEAD)


def purge_finished_messages(session: Session, *, finished_before: datetime, limit: int) -> int:
    """Blank recipient, subject and body of one batch of sent or dead messages."""
    finished_at = func.coalesce(OutboxMessage.sent_at, OutboxMessage.next_attempt_at)
    return update_batch(
        session,
        OutboxMessage,
        key=OutboxMessage.id,
        condition=(
            OutboxMessage.status.in_(FINISHED)
            & (finished_at < finished_before)
            & ((OutboxMessage.body != PURGED) | (OutboxMessage.recipient != PURGED))
        ),
        values={"recipient": PURGED, "subject": PURGED, "body": PURGED},
        limit=limit,
    )


def purge_sandbox_mail(session: Session, *, received_before: datetime, limit: int) -> int:
    """Delete one batch of messages the sandboxes received before the time given."""
    return delete_batch(
        session,
        SandboxMessage,
        key=SandboxMessage.id,
        condition=SandboxMessage.received_at < received_before,
        limit=limit,
    )
