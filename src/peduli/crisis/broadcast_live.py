"""What a sent broadcast has done so far: its messages per channel (waiting, sent, failed)
and its recipients' answers, counted in the database for the live broadcast screen."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import case, func, select
from sqlalchemy.orm import Session

from peduli.auth.actor import Actor
from peduli.crisis import access, broadcasts, delivery
from peduli.crisis.models import Answer, Recipient
from peduli.notify import service as notify_service
from peduli.notify.models import OutboxMessage


@dataclass(frozen=True)
class ChannelFigures:
    """One channel's messages of the broadcast: still waiting, sent, and given up on."""

    channel: str
    queued: int
    sent: int
    failed: int


@dataclass(frozen=True)
class LiveFigures:
    """The broadcast's people (those the caller reaches) and how far each has come."""

    recipients: int
    safe: int
    need_help: int
    no_answer: int
    channels: list[ChannelFigures]


def live(
    session: Session, *, crisis_id: uuid.UUID, broadcast_id: uuid.UUID, actor: Actor
) -> LiveFigures:
    """Counts of the broadcast's messages and answers, for the caller's posts."""
    broadcast = broadcasts.get(session, crisis_id=crisis_id, broadcast_id=broadcast_id, actor=actor)
    counted = Recipient.broadcast_id == broadcast.id
    scope = access.audience_posts(actor)
    if scope is not None:
        counted = counted & Recipient.representation_code.in_(sorted(scope))
    answers = session.execute(
        select(
            func.count(),
            func.sum(case((Recipient.answer == Answer.SAFE.value, 1), else_=0)),
            func.sum(case((Recipient.answer == Answer.NEED_HELP.value, 1), else_=0)),
        ).where(counted)
    ).one()
    per_channel = notify_service.delivery_counts(
        group=OutboxMessage.channel, idempotency_keys=delivery.message_keys(), where=counted
    )
    rows = {row["group_key"]: row for row in session.execute(select(per_channel)).mappings().all()}
    channels = [
        ChannelFigures(
            channel=channel,
            queued=int(rows[channel]["queued"] or 0) if channel in rows else 0,
            sent=int(rows[channel]["sent"] or 0) if channel in rows else 0,
            failed=int(rows[channel]["dead"] or 0) if channel in rows else 0,
        )
        for channel in broadcast.channels.split(",")
    ]
    total, safe, need_help = answers[0] or 0, int(answers[1] or 0), int(answers[2] or 0)
    return LiveFigures(
        recipients=total,
        safe=safe,
        need_help=need_help,
        no_answer=total - safe - need_help,
        channels=channels,
    )
