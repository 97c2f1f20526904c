"""Each recipient row's delivery (``Recipient.delivery``), followed from the outbox.

The board used to ask the outbox, on every call, how every recipient of the crisis fared
(a join of a million recipients with their messages by idempotency key, three times): a
minute of database time per call at a million people, while HQ and every post poll it. Now
the row keeps its own outcome and the board reads the recipients alone
(``crisis.repository.board``).

A periodic task brings the rows up to date, in one transaction and a few set-based
statements: the messages that finished since the last run (``notify.finished_since``, read
off the outbox's partial indexes by finish time, so a run costs what changed since, never a
full join), their recipient rows recounted from all of their messages
(``notify.delivery_counts``, as the board counted), and only the rows whose outcome differs
are written. The outbox stays notify's: crisis writes its own table only.

The mark (``DeliveryMark``) is moved in the same transaction as the rows, so a crash
repeats a run, never skips one; concurrent runs take turns on its row lock, and their
UPDATEs are idempotent. A message's finish time is stamped before its transaction commits,
and workers' clocks differ by a little: each run reads again the ``OVERLAP`` before its mark,
so a message that committed late is still seen (and one seen twice writes nothing).

A dead letter HQ puts back in line keeps its row ``dead`` until it is sent or dies again.
"""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import case, func, select, update
from sqlalchemy.orm import Session

from peduli.core.db import insert_on_conflict
from peduli.crisis import delivery
from peduli.crisis.models import Delivery, DeliveryMark, Recipient
from peduli.notify import service as notify_service

MARK = "outbox"
# How long a message's finish time may precede its commit (a sent batch's UPDATE and
# commit, a gateway report's), plus the skew between workers' clocks.
OVERLAP = timedelta(seconds=10)


def follow_outbox(session: Session, now: datetime) -> int:
    """Bring the recipient rows whose messages finished since the last run up to date;
    returns how many rows changed."""
    since = _take_mark(session, now)
    finished = notify_service.finished_since(
        since - OVERLAP, key_prefix=delivery.KEY_PREFIX
    ).subquery()
    touched = select(
        delivery.recipient_of_key(finished.c.idempotency_key, finished.c.channel)
    ).where(delivery.is_message_key(finished.c.idempotency_key, finished.c.channel))
    counts = notify_service.delivery_counts(
        group=Recipient.id,
        idempotency_keys=delivery.message_keys(),
        where=Recipient.id.in_(touched),
    )
    outcome = case(
        (counts.c.sent > 0, Delivery.SENT.value),
        (counts.c.dead > 0, Delivery.DEAD.value),
        else_=None,
    )
    result = session.execute(
        update(Recipient)
        .where(Recipient.id == counts.c.group_key, Recipient.delivery.is_distinct_from(outcome))
        .values(delivery=outcome)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(DeliveryMark).where(DeliveryMark.name == MARK).values(finished_until=now)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def _take_mark(session: Session, now: datetime) -> datetime:
    """The mark, locked until the transaction ends. The first run starts from the oldest
    recipient row: no message of theirs finished before it was written."""
    locked = select(DeliveryMark.finished_until).where(DeliveryMark.name == MARK).with_for_update()
    mark = session.scalar(locked)
    if mark is None:
        oldest = select(func.coalesce(func.min(Recipient.created_at), now)).scalar_subquery()
        session.execute(
            insert_on_conflict(session, DeliveryMark)
            .values(name=MARK, finished_until=oldest)
            .on_conflict_do_nothing(index_elements=["name"])
        )
        mark = session.scalar(locked)
    return mark if mark is not None else now
