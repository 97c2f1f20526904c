"""Dead letters: messages the outbox gave up on, listed for staff and put back on request."""

from __future__ import annotations

from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from peduli.core.db import utcnow
from peduli.core.errors import NotFound
from peduli.core.i18n import _
from peduli.notify import tallies
from peduli.notify.models import OutboxMessage, OutboxStatus
from peduli.notify.service import open_recipient


def mask(recipient: str) -> str:
    """Enough of an address to recognise a pattern (a domain, a country code), no more."""
    if "@" in recipient:
        local, _, domain = recipient.partition("@")
        return f"{local[:1]}…@{domain}"
    if len(recipient) > 6:
        return f"{recipient[:4]}…{recipient[-2:]}"
    return "…"


def masked_recipient(message: OutboxMessage) -> str:
    """A dead letter's recipient, decrypted only to be masked."""
    return mask(open_recipient(message.channel, message.recipient))


def list_dead(
    session: Session, *, channel: str | None, page: int, per_page: int
) -> tuple[list[OutboxMessage], int]:
    """One page of dead letters, newest failure first, and how many there are in all.

    Who may call it is the edge's decision (``notify/api.py``): the outbox knows no roles.
    """
    where = [OutboxMessage.status == OutboxStatus.DEAD]
    if channel:
        where.append(OutboxMessage.channel == channel)
    total = session.scalar(select(func.count()).select_from(OutboxMessage).where(*where))
    rows = session.scalars(
        select(OutboxMessage)
        .where(*where)
        .order_by(OutboxMessage.next_attempt_at.desc(), OutboxMessage.id.desc())
        .limit(per_page)
        .offset((page - 1) * per_page)
    )
    return list(rows), int(total or 0)


def retry(session: Session, *, message_id: int | None, channel: str | None) -> int:
    """Put one dead letter (or all, or a channel's) back in line with fresh attempts.

    The idempotency key is unchanged, so a provider that did take it still keeps one copy.
    """
    where = [OutboxMessage.status == OutboxStatus.DEAD]
    if message_id is not None:
        where.append(OutboxMessage.id == message_id)
    if channel:
        where.append(OutboxMessage.channel == channel)
    result = session.execute(
        update(OutboxMessage)
        .where(*where)
        .values(
            status=OutboxStatus.PENDING,
            attempts=0,
            next_attempt_at=utcnow(),
            claimed_by=None,
            claimed_at=None,
        )
        .returning(OutboxMessage.tally_id)
        .execution_options(synchronize_session=False)
    )
    tally_ids = result.scalars().all()
    tallies.add(session, "dead", tally_ids, by=-1)
    count = len(tally_ids)
    if message_id is not None and count == 0:
        raise NotFound(_("There is no dead letter with this id."))
    return count
