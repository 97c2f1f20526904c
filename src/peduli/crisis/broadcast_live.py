"""What a sent broadcast has done so far: its messages per channel (waiting, sent,
delivered to the phone, failed) and its recipients' answers, for the live broadcast screen
and the API."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from peduli.auth.actor import Actor
from peduli.crisis import access, broadcasts, delivery
from peduli.crisis.models import Answer, BroadcastPost, Recipient
from peduli.notify import receipts, tallies


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
    """Counts of the broadcast's messages and answers, for the caller's posts.

    Read from counts kept as the broadcast goes (its recipients per post, its messages'
    tallies) and from the answered recipients' index: a poll costs a few rows and the
    answers so far, never a read of the million recipients or their messages.
    """
    broadcast = broadcasts.get(session, crisis_id=crisis_id, broadcast_id=broadcast_id, actor=actor)
    scope = access.audience_posts(actor)
    posts = None if scope is None else sorted(scope)
    recipients = select(func.sum(BroadcastPost.recipients)).where(
        BroadcastPost.broadcast_id == broadcast.id
    )
    answered = Recipient.broadcast_id == broadcast.id
    if posts is not None:
        recipients = recipients.where(BroadcastPost.representation_code.in_(posts))
        answered = answered & Recipient.representation_code.in_(posts)
    answers = dict(
        session.execute(
            select(Recipient.answer, func.count())
            .where(answered, Recipient.answer.is_not(None))  # the index of the answered
            .group_by(Recipient.answer)
        ).all()
    )
    prefix = delivery.tally_prefix(broadcast)
    names = None if posts is None else [prefix + post for post in posts]
    kept = tallies.totals(session, prefix=prefix, names=names)
    chosen = broadcast.channels.split(",")
    channels = [
        _channel_figures(channel, kept.get(channel))
        # The chosen channels, and a chat channel people preferred when it carried any.
        for channel in delivery.delivery_channels(broadcast)
        if channel in chosen or channel in kept
    ]
    total = int(session.scalar(recipients) or 0)
    safe, need_help = answers.get(Answer.SAFE.value, 0), answers.get(Answer.NEED_HELP.value, 0)
    return LiveFigures(
        status=broadcast.status,
        recipients=total,
        safe=safe,
        need_help=need_help,
        no_answer=total - safe - need_help,
        channels=channels,
    )


def _channel_figures(channel: str, kept: tallies.TallyFigures | None) -> ChannelFigures:
    """A channel's figures as the screen shows them; "delivered" only where receipts come."""
    kept = kept or tallies.TallyFigures(waiting=0, sent=0, delivered=0, dead=0)
    return ChannelFigures(
        channel=channel,
        queued=kept.waiting,
        sent=kept.sent,
        delivered=kept.delivered if channel in receipts.RECEIPTED_CHANNELS else None,
        failed=kept.dead,
    )
