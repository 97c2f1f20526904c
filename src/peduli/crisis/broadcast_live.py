"""What a sent broadcast has done so far: its messages per channel (waiting, sent,
delivered to the phone, failed) and its recipients' answers, counted in the database for
the live broadcast screen and the API."""

from __future__ import annotations

import uuid
from collections.abc import Mapping
from dataclasses import dataclass

from sqlalchemy import RowMapping, case, func, select
from sqlalchemy.orm import Session

from peduli.auth.actor import Actor
from peduli.crisis import access, broadcasts, delivery
from peduli.crisis.models import Answer, Recipient
from peduli.notify import receipts
from peduli.notify import service as notify_service
from peduli.notify.models import OutboxMessage


@dataclass(frozen=True)
class ChannelFigures:
    """One channel's messages of the broadcast: still waiting, sent, reported delivered by
    the provider (a part of the sent; None on a channel that sends no receipts), and given
    up on."""

    channel: str
    queued: int
    sent: int
    delivered: int | None
    failed: int


@dataclass(frozen=True)
class LiveFigures:
    """The broadcast's people (those the caller reaches) and how far each has come."""

    status: str
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
    chosen = broadcast.channels.split(",")
    channels = [
        ChannelFigures(
            channel=channel,
            queued=_count(rows, channel, "queued"),
            sent=_count(rows, channel, "sent"),
            delivered=(
                _count(rows, channel, "delivered")
                if channel in receipts.RECEIPTED_CHANNELS
                else None
            ),
            failed=_count(rows, channel, "dead"),
        )
        # The chosen channels, and a chat channel people preferred when it carried any.
        for channel in delivery.delivery_channels(broadcast)
        if channel in chosen or channel in rows
    ]
    total, safe, need_help = answers[0] or 0, int(answers[1] or 0), int(answers[2] or 0)
    return LiveFigures(
        status=broadcast.status,
        recipients=total,
        safe=safe,
        need_help=need_help,
        no_answer=total - safe - need_help,
        channels=channels,
    )


def _count(rows: Mapping[str, RowMapping], channel: str, column: str) -> int:
    return int(rows[channel][column] or 0) if channel in rows else 0
