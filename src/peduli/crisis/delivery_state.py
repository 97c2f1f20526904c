"""Each person's delivery in a crisis (``Recipient.delivery`` on their counted row),
followed from the outbox.

The board used to ask the outbox, on every call, how every recipient of the crisis fared
(a join of a million recipients with their messages by idempotency key, three times): a
minute of database time per call at a million people, while HQ and every post poll it. Now
each person's first row in the crisis (``Recipient.counted``) keeps the outcome over all
their broadcasts, and the board reads those rows alone (``crisis.repository.board``).

A periodic task brings the rows up to date, in one transaction and a few set-based
statements: the messages that finished since the last run (``notify.finished_since``, read
off the outbox's partial indexes by finish time, so a run costs what changed since, never a
full join), the people they went to recounted from all of their messages of the crisis
(``notify.delivery_counts``, as the board counted: reached if any was sent, failed if none
was and one is dead), and only the rows whose outcome differs are written. The outbox stays
notify's: crisis writes its own table only. A task rather than a hook in notify's outcome
writes: those are the outbox's hot path (four writers: sent batches, gateway reports, orphan
claims, dead letters), and a crisis row written there would lock against check-ins.

The mark (``DeliveryMark``) is moved in the same transaction as the rows, so a crash
repeats a run, never skips one; concurrent runs take turns on its row lock, and their
UPDATEs are idempotent. A message's finish time is stamped before its transaction commits,
and workers' clocks differ by a little: each run reads again the ``OVERLAP`` before its mark,
so a message that committed late is still seen (and one seen twice writes nothing).

A dead letter HQ puts back in line keeps its person ``dead`` until it is sent or dies again.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

from sqlalchemy import (
    Select,
    String,
    Subquery,
    and_,
    case,
    cast,
    func,
    select,
    tuple_,
    update,
)
from sqlalchemy.orm import Session, aliased

from peduli.core.db import insert_on_conflict
from peduli.crisis import delivery
from peduli.crisis.models import Delivery, DeliveryMark, Recipient
from peduli.notify import service as notify_service

MARK = "outbox"
# How long a message's finish time may precede its commit (a sent batch's UPDATE and
# commit, a gateway report's), plus the skew between workers' clocks.
OVERLAP = timedelta(seconds=10)


def follow_outbox(session: Session, now: datetime) -> int:
    """Bring the people whose messages finished since the last run up to date; returns how
    many counted rows changed."""
    since = _take_mark(session, now)
    finished = notify_service.finished_since(
        since - OVERLAP, key_prefix=delivery.KEY_PREFIX
    ).subquery()
    people = _people(_touched(finished))
    result = session.execute(
        update(Recipient)
        .where(
            Recipient.counted.is_(True),
            Recipient.crisis_id == people.c.crisis_id,
            Recipient.person_id == people.c.person_id,
            Recipient.delivery.is_distinct_from(people.c.outcome),
        )
        .values(delivery=people.c.outcome)
        .execution_options(synchronize_session=False)
    )
    session.execute(
        update(DeliveryMark).where(DeliveryMark.name == MARK).values(finished_until=now)
    )
    return int(getattr(result, "rowcount", 0) or 0)


def _touched(finished: Subquery) -> Select[uuid.UUID, uuid.UUID]:
    """The crisis and person of each broadcast message that ``finished``, when it may change
    the person's outcome: their counted row does not say what the message did already.

    A message re-read in the ``OVERLAP``, or a second message sent to someone already
    reached, costs two index look-ups and no recount; a message sent to someone counted dead,
    or found dead for someone counted reached (an SMS report), is recounted.
    """
    key, channel = finished.c.idempotency_key, finished.c.channel
    row, first = aliased(Recipient), aliased(Recipient)
    return (
        select(row.crisis_id, row.person_id)
        .select_from(finished)
        .join(row, row.id == delivery.recipient_of_key(key, channel))
        .join(
            first,
            and_(
                first.crisis_id == row.crisis_id,
                first.person_id == row.person_id,
                first.counted.is_(True),
            ),
        )
        .where(
            delivery.is_message_key(key, channel),
            first.delivery.is_distinct_from(cast(finished.c.status, String)),
        )
    )


def _people(touched: Select[uuid.UUID, uuid.UUID]) -> Subquery:
    """The ``touched`` people, each with their ``Delivery`` (or NULL) over every broadcast of
    the crisis to them, counted as the board always counted: reached if any message was
    sent, failed if none was and one is dead."""
    person = aliased(Recipient)
    their_rows = (
        select(person.id)
        .where(tuple_(person.crisis_id, person.person_id).in_(touched))
        .correlate(None)
        .scalar_subquery()
    )
    counts = notify_service.delivery_counts(
        group=Recipient.id,
        idempotency_keys=delivery.message_keys(),
        where=Recipient.id.in_(their_rows),
    )
    sent = func.max(case((counts.c.sent > 0, 1), else_=0))
    dead = func.max(case((counts.c.dead > 0, 1), else_=0))
    return (
        select(
            person.crisis_id,
            person.person_id,
            case((sent == 1, Delivery.SENT.value), (dead == 1, Delivery.DEAD.value)).label(
                "outcome"
            ),
        )
        .join(counts, counts.c.group_key == person.id)
        .group_by(person.crisis_id, person.person_id)
        .subquery()
    )


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
