"""One reminder to each recipient of a broadcast still silent when it is due."""

from __future__ import annotations

from datetime import datetime

from sqlalchemy import ColumnElement, and_, case, or_, select, tuple_, update
from sqlalchemy.orm import Session, aliased

from peduli.core.i18n import LANGUAGES, _, in_language, localized
from peduli.crisis.delivery import delivery_channels, write_outbox
from peduli.crisis.models import Broadcast, Crisis, Recipient


def remind_silent(session: Session, now: datetime) -> int:
    """One reminder to each recipient still silent when due; safe to run twice at once.

    The outbox rows carry ``…:<channel>:reminder`` keys, so a second run writes nothing; the
    conditional UPDATEs then mark the people and the recipients reminded. A person is marked
    on their counted row, which the board page counts the silent from (``crisis.unreached``):
    most often it is the row reminded, marked by the same UPDATE, so no row is written twice.
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
        .values(reminded_at=now, reminded=case((Recipient.counted, True), else_=Recipient.reminded))
        .execution_options(synchronize_session=False)
    )
    return written


def _due(row: type[Recipient], now: datetime) -> ColumnElement[bool]:
    """A recipient row whose reminder is due: its time has come, none went, no answer."""
    return and_(row.remind_at <= now, row.reminded_at.is_(None), row.answer.is_(None))


def _mark_people_reminded(session: Session, now: datetime) -> None:
    """Mark reminded, in one UPDATE, the counted row of each silent person a reminder is due
    to on another row only (a later broadcast's): a counted row due itself is marked with the
    due rows, and one answered needs no mark (an answer is never taken back). Run before the
    due rows are marked, which ends their being due; with one broadcast it writes nothing."""
    due = aliased(Recipient)
    session.execute(
        update(Recipient)
        .where(
            Recipient.counted.is_(True),
            Recipient.reminded.is_(False),
            Recipient.answer.is_(None),
            or_(Recipient.remind_at.is_(None), Recipient.remind_at > now),
            tuple_(Recipient.crisis_id, Recipient.person_id).in_(
                select(due.crisis_id, due.person_id).where(_due(due, now), due.counted.is_(False))
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
