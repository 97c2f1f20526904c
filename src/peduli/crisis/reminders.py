"""One reminder to each recipient of a broadcast still silent when it is due."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, and_, select, tuple_, update
from sqlalchemy.orm import Session, aliased

from peduli.core.i18n import LANGUAGES, _, in_language, localized
from peduli.crisis.delivery import delivery_channels, write_outbox
from peduli.crisis.models import Broadcast, Crisis, Recipient


def remind_silent(session: Session, now: datetime) -> int:
    """One reminder to each recipient still silent when due; safe to run twice at once.

    The outbox rows carry ``…:<channel>:reminder`` keys, so a second run writes nothing; the
    conditional UPDATEs then mark the people reminded and the recipients reminded.
    """
    due = _due(Recipient, now)
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
    if pending:
        _mark_people_reminded(session, now)
    session.execute(
        update(Recipient)
        .where(due)
        .values(reminded_at=now)
        .execution_options(synchronize_session=False)
    )
    return written


def _due(row: type[Recipient], now: datetime) -> ColumnElement[bool]:
    """A recipient row whose reminder is due: its time has come, none went, no answer."""
    return and_(row.remind_at <= now, row.reminded_at.is_(None), row.answer.is_(None))


def _mark_people_reminded(session: Session, now: datetime) -> None:
    """Mark reminded the counted row of each person a reminder is due to, in one UPDATE:
    the board page counts those still silent from these rows alone (``crisis.unreached``).
    Run before the due rows are marked, which ends their being due."""
    due = aliased(Recipient)
    session.execute(
        update(Recipient)
        .where(
            Recipient.counted.is_(True),
            Recipient.reminded.is_(False),
            tuple_(Recipient.crisis_id, Recipient.person_id).in_(
                select(due.crisis_id, due.person_id).where(_due(due, now))
            ),
        )
        .values(reminded=True)
        .execution_options(synchronize_session=False)
    )


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
