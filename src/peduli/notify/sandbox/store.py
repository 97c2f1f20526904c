"""What the sandboxes received, kept in the database so every process can show it."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass

from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from peduli.core.db import insert_on_conflict, is_postgres, utcnow
from peduli.notify.models import SandboxMessage


@dataclass(frozen=True)
class Received:
    """One message as it reached a sandbox, with the key the sender gave it."""

    channel: str
    recipient: str
    subject: str
    body: str
    idempotency_key: str
    sender: str | None = None


# A gateway batch of hundreds in one statement, without compiling a many-VALUES INSERT.
_RECORD_PG = text(
    """
    INSERT INTO sandbox_message
        (channel, recipient, subject, body, idempotency_key, sender, deliveries, received_at)
    SELECT v.channel, v.recipient, v.subject, v.body, v.key, v.sender, 1, :now
    FROM unnest(CAST(:channels AS text[]), CAST(:recipients AS text[]),
                CAST(:subjects AS text[]), CAST(:bodies AS text[]), CAST(:keys AS text[]),
                CAST(:senders AS text[])) AS v(channel, recipient, subject, body, key, sender)
    ON CONFLICT (channel, idempotency_key)
    DO UPDATE SET deliveries = sandbox_message.deliveries + 1
    RETURNING id, idempotency_key
    """
)


def record(session: Session, items: Sequence[Received]) -> dict[str, int]:
    """Store ``items``; a key seen before only counts one more delivery. Returns key → id."""
    unique = {(item.channel, item.idempotency_key): item for item in items}
    if not unique:
        return {}
    now = utcnow()
    if is_postgres(session):
        values = list(unique.values())
        rows = session.execute(
            _RECORD_PG,
            {
                "channels": [i.channel for i in values],
                "recipients": [i.recipient for i in values],
                "subjects": [i.subject[:255] for i in values],
                "bodies": [i.body for i in values],
                "keys": [i.idempotency_key for i in values],
                "senders": [i.sender for i in values],
                "now": now,
            },
        )
        return {row.idempotency_key: row.id for row in rows}
    statement = insert_on_conflict(session, SandboxMessage).values(
        [
            {
                "channel": item.channel,
                "recipient": item.recipient,
                "subject": item.subject[:255],
                "body": item.body,
                "idempotency_key": item.idempotency_key,
                "sender": item.sender,
                "deliveries": 1,
                "received_at": now,
            }
            for item in unique.values()
        ]
    )
    statement = statement.on_conflict_do_update(
        index_elements=["channel", "idempotency_key"],
        set_={"deliveries": SandboxMessage.deliveries + 1},
    ).returning(SandboxMessage.id, SandboxMessage.idempotency_key)
    return {row.idempotency_key: row.id for row in session.execute(statement)}


def list_received(
    session: Session, *, channel: str, page: int, per_page: int
) -> tuple[list[SandboxMessage], int]:
    """One page of a channel's messages, newest first, and how many there are in all."""
    total = session.scalar(
        select(func.count()).select_from(SandboxMessage).where(SandboxMessage.channel == channel)
    )
    rows = session.scalars(
        select(SandboxMessage)
        .where(SandboxMessage.channel == channel)
        .order_by(SandboxMessage.received_at.desc(), SandboxMessage.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    ).all()
    return list(rows), total or 0


def counts_by_channel(session: Session) -> dict[str, int]:
    """How many messages each channel's sandbox holds."""
    rows = session.execute(
        select(SandboxMessage.channel, func.count()).group_by(SandboxMessage.channel)
    ).all()
    return {channel: int(count) for channel, count in rows}


def latest_for(session: Session, *, channel: str, recipient: str) -> SandboxMessage | None:
    """The newest message a recipient got on a channel (what a person would open first)."""
    return session.scalars(
        select(SandboxMessage)
        .where(SandboxMessage.channel == channel, SandboxMessage.recipient == recipient)
        .order_by(SandboxMessage.received_at.desc(), SandboxMessage.id.desc())
        .limit(1)
    ).first()
