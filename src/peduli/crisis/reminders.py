"""One reminder to each recipient of a broadcast still silent when it is due."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import and_, select, update
from sqlalchemy.orm import Session

from peduli.core.i18n import LANGUAGES, _, in_language, localized
from peduli.crisis.delivery import delivery_channels, write_outbox
from peduli.crisis.models import Broadcast, Crisis, Recipient


def remind_silent(session: Session, now: datetime) -> int:
    """One reminder to each recipient still silent when due; safe to run twice at once.

    The outbox rows carry ``…:<channel>:reminder`` keys, so a second run writes nothing; the
    conditional UPDATE then marks the recipients reminded.
    """
    due = and_(
        Recipient.remind_at <= now, Recipient.reminded_at.is_(None), Recipient.answer.is_(None)
    )
    pending = session.execute(select(Recipient.broadcast_id).where(due).distinct()).scalars().all()
    written = 0
    for broadcast_id in pending:  # one statement per broadcast and channel, never per person
        broadcast = session.get_one(Broadcast, broadcast_id)
        crisis = session.get_one(Crisis, broadcast.crisis_id)
        body = localized(_reminder_texts(crisis), Recipient.language)
        for channel in delivery_channels(broadcast):  # a preferred chat channel too
            written += write_outbox(
                session, crisis, broadcast, channel=channel, body=body,
                key_suffix=f"{channel}:reminder", only=due,
            )  # fmt: skip
    session.execute(
        update(Recipient)
        .where(due)
        .values(reminded_at=now)
        .execution_options(synchronize_session=False)
    )
    return written


def _reminder_texts(crisis: Crisis) -> dict[str, str]:
    return {
        lang: in_language(
            _(
                "Reminder from the Indonesian representation ({title}): are you safe? "
                "Reply SAFE or HELP, or answer here:"
            ).format(title=crisis.title),
            lang,
        )
        + " "
        for lang in LANGUAGES
    }
