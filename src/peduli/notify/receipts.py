"""Delivery receipts: what a provider says after it took a message — handed to the phone,
and read where the platform tells (WhatsApp) — or that it never reached the phone (an SMS
report of a failure makes the message a dead letter).

A receipt names the message by the provider's id, which the outbox keeps from the send
(``outbox_message.provider_message_id``), or by the idempotency key it was sent with where
the provider echoes it (the SMS gateway's ``reference``): a report that overtakes the
worker's record of the send still finds its message. A batch of receipts is set-based on
PostgreSQL (an ``UPDATE … FROM unnest(…)`` for the deliveries first learned, counted on
their tallies, one for reads of messages known delivered), never a read first. A receipt
for an id nobody sent matches no row; one that comes again changes nothing, since only a
time still unknown is written.
"""

from __future__ import annotations

from collections.abc import Iterable, Mapping, Sequence
from dataclasses import dataclass
from datetime import UTC, datetime
from typing import Any, cast

from sqlalchemy import ColumnElement, Table, Update, and_, bindparam, func, or_, text, update
from sqlalchemy.orm import Session

from peduli.core.db import is_postgres, utcnow
from peduli.notify import tallies
from peduli.notify.models import ChannelName, OutboxMessage, OutboxStatus

_OUTBOX = cast(Table, OutboxMessage.__table__)
# The channels whose providers send receipts here; the others never say "delivered".
RECEIPTED_CHANNELS = frozenset({ChannelName.SMS.value, ChannelName.WHATSAPP.value})


@dataclass(frozen=True)
class Receipt:
    """One provider's word on one message: delivered (and read, when ``read`` is True)."""

    provider_message_id: str
    at: datetime
    read: bool = False
    idempotency_key: str | None = None


@dataclass(frozen=True)
class SmsReport:
    """The SMS gateway's delivery report of one message (``SmsDeliveryReport`` on the API)."""

    id: str
    status: str
    reference: str | None = None
    at: datetime | None = None


def record(session: Session, *, channel: str, receipts: Iterable[Receipt]) -> int:
    """Write a batch of ``channel``'s receipts; returns how many messages learned something.

    A read message was delivered too. Of several receipts for one message, the earliest
    time of each kind counts.
    """
    delivered: dict[str, datetime] = {}
    read: dict[str, datetime] = {}
    sent_as: dict[str, str | None] = {}
    for receipt in receipts:
        key = receipt.provider_message_id
        delivered[key] = min(delivered.get(key, receipt.at), receipt.at)
        sent_as[key] = sent_as.get(key) or receipt.idempotency_key
        if receipt.read:
            read[key] = min(read.get(key, receipt.at), receipt.at)
    if not delivered:
        return 0
    ids = list(delivered)
    rows = [
        {"b_id": i, "b_key": sent_as[i], "b_delivered": delivered[i], "b_read": read.get(i)}
        for i in ids
    ]
    connection = session.connection()
    if is_postgres(session):
        arrays = {
            "channel": channel,
            "ids": ids,
            "keys": [sent_as[i] for i in ids],
            "delivered": [delivered[i] for i in ids],
            "read": [read.get(i) for i in ids],
        }
        newly = connection.execute(DELIVERED_PG, arrays).scalars().all()
        seen_read = connection.execute(READ_PG, arrays).rowcount if read else 0
    else:
        # A statement per receipt: SQLite (the embedded default) has no UPDATE … RETURNING
        # for many rows of parameters at once, and each delivery's tally is needed.
        newly_delivered = _newly_delivered(channel)
        newly = [t for row in rows for t in connection.execute(newly_delivered, row).scalars()]
        seen_read = connection.execute(_read_when_delivered(channel), rows).rowcount if read else 0
    tallies.add(session, "delivered", newly)
    return len(newly) + int(seen_read or 0)


def _named(channel: str) -> ColumnElement[bool]:
    """The message a receipt (bound as ``b_id``, ``b_key``) names on ``channel``."""
    table = _OUTBOX
    return and_(
        table.c.channel == channel,
        or_(
            table.c.provider_message_id == bindparam("b_id"),
            table.c.idempotency_key == bindparam("b_key"),
        ),
    )


def _newly_delivered(channel: str) -> Update:
    """A receipt's message not known delivered until now: delivered (and read, if the
    receipt says so); returns its tally."""
    table = _OUTBOX
    return (
        update(table)
        .where(_named(channel), table.c.delivered_at.is_(None))
        .values(
            delivered_at=bindparam("b_delivered", type_=table.c.delivered_at.type),
            read_at=func.coalesce(table.c.read_at, bindparam("b_read", type_=table.c.read_at.type)),
        )
        .returning(table.c.tally_id)
    )


def _read_when_delivered(channel: str) -> Update:
    """A receipt's message known delivered before and now read."""
    table = _OUTBOX
    read_at = bindparam("b_read", type_=table.c.read_at.type)
    return (
        update(table)
        .where(
            _named(channel),
            table.c.delivered_at.is_not(None),
            table.c.read_at.is_(None),
            read_at.is_not(None),
        )
        .values(read_at=read_at)
    )


# The messages a batch of receipts names, found receipt by receipt through the indexes of
# provider ids and idempotency keys (the lateral subquery, which OFFSET 0 keeps from being
# flattened into a join), with each message's earliest times. A plain join of the batch to
# the outbox on "provider id or key" could only loop, and at the start of a crisis, before
# the statistics knew of the new messages, PostgreSQL looped over every unsent message for
# each receipt: 15.9 million comparisons, 19-29 s a batch of 317, in the load test.
_NAMED_BY_RECEIPTS = """
    WITH named AS (
        SELECT found.id, min(v.delivered) AS delivered, min(v.read) AS read
        FROM unnest(CAST(:ids AS text[]), CAST(:keys AS text[]),
                    CAST(:delivered AS timestamptz[]), CAST(:read AS timestamptz[]))
             AS v(id, key, delivered, read)
        CROSS JOIN LATERAL (
            SELECT m.id FROM outbox_message AS m
            WHERE m.channel = :channel AND m.provider_message_id = v.id
            UNION ALL
            SELECT m.id FROM outbox_message AS m
            WHERE m.channel = :channel AND m.idempotency_key = v.key
            OFFSET 0
        ) AS found
        GROUP BY found.id
    )
"""
# A delivery first learned: counted on the message's tally (``RETURNING``), so it is
# written apart from a read learned of a message known delivered before, which is not.
DELIVERED_PG = text(
    _NAMED_BY_RECEIPTS  # noqa: S608 (constants only)
    + """
    UPDATE outbox_message AS o
    SET delivered_at = named.delivered, read_at = COALESCE(o.read_at, named.read)
    FROM named
    WHERE o.id = named.id AND o.delivered_at IS NULL
    RETURNING o.tally_id
    """
)
READ_PG = text(
    _NAMED_BY_RECEIPTS  # noqa: S608 (constants only)
    + """
    UPDATE outbox_message AS o
    SET read_at = named.read
    FROM named
    WHERE o.id = named.id AND o.delivered_at IS NOT NULL AND o.read_at IS NULL
      AND named.read IS NOT NULL
    """
)


def record_whatsapp_statuses(session: Session, statuses: Sequence[Mapping[str, Any]]) -> int:
    """The ``statuses`` of a WhatsApp Cloud API webhook (``entry[].changes[].value
    .statuses``): ``{"id": "wamid.…", "status": "delivered" | "read" | …, "timestamp":
    "<unix seconds>"}``; "sent" and "failed" say nothing about delivery and are left out."""
    receipts = []
    for status in statuses:
        state = status.get("status")
        provider_id = status.get("id")
        if state not in ("delivered", "read") or not isinstance(provider_id, str):
            continue
        receipts.append(
            Receipt(provider_id, _unix_time(status.get("timestamp")), read=state == "read")
        )
    return record(session, channel=ChannelName.WHATSAPP.value, receipts=receipts)


def record_sms_reports(session: Session, reports: Iterable[SmsReport]) -> int:
    """The SMS gateway's delivery reports: "delivered" marks the message delivered; a
    report that it failed, expired or was rejected makes a sent message a dead letter (the
    person did not get it; HQ may put it back in line). Returns how many changed."""
    reports = list(reports)
    receipts = [
        Receipt(r.id, r.at or utcnow(), idempotency_key=r.reference)
        for r in reports
        if r.status == "delivered"
    ]
    changed = record(session, channel=ChannelName.SMS.value, receipts=receipts)
    failed: dict[str, list[SmsReport]] = {}
    for report in reports:
        if report.status != "delivered":
            failed.setdefault(report.status, []).append(report)
    for status, alike in failed.items():
        changed += _undelivered(session, alike, error=f"the SMS gateway reported it {status}")
    return changed


def _undelivered(session: Session, reports: Sequence[SmsReport], *, error: str) -> int:
    """One UPDATE for reports that failed alike: sent, never delivered, now dead."""
    table = _OUTBOX
    named: ColumnElement[bool] = table.c.provider_message_id.in_([r.id for r in reports])
    keys = [r.reference for r in reports if r.reference]
    if keys:
        named = or_(named, table.c.idempotency_key.in_(keys))
    result = session.execute(
        update(table)
        .where(
            table.c.channel == ChannelName.SMS.value,
            table.c.status == OutboxStatus.SENT,
            table.c.delivered_at.is_(None),
            named,
        )
        .values(status=OutboxStatus.DEAD, last_error=error, next_attempt_at=utcnow())
        .returning(table.c.tally_id)
        .execution_options(synchronize_session=False)
    )
    tally_ids = result.scalars().all()
    tallies.add(session, "sent", tally_ids, by=-1)
    tallies.add(session, "dead", tally_ids)
    return len(tally_ids)


def _unix_time(value: Any) -> datetime:
    """A webhook's timestamp (unix seconds, as text or number); now if it has none."""
    try:
        return datetime.fromtimestamp(int(value), tz=UTC)
    except (TypeError, ValueError, OverflowError, OSError):
        return utcnow()
