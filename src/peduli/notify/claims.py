"""Claiming due outbox messages for one worker: each channel's soonest, most urgent rows
become ``sending``, no more than its senders' tokens allow, in one short transaction.

Rows whose worker died mid-send are put back in line first (``_reclaim_orphans``).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from operator import itemgetter
from typing import Any, cast

from cryptography.exceptions import InvalidTag
from sqlalchemy import Table, and_, bindparam, case, exists, or_, select, text, update
from sqlalchemy.orm import Session

from peduli.core import liveness
from peduli.core.db import is_postgres, utcnow
from peduli.notify import sender_pacing, tallies
from peduli.notify.models import CLAIMABLE, OutboxMessage, OutboxStatus
from peduli.notify.outcomes import RetryPolicy
from peduli.notify.ports import DeliveryResult, DeliveryStatus, OutboundMessage
from peduli.notify.service import open_body, open_recipient

SessionFactory = Callable[[], Session]
# A claim's ``max_priority`` that takes every message, whatever its rung.
ANY_PRIORITY = 2**31 - 1
_UNREADABLE = "the recipient cannot be decrypted"
_LEASE_EXPIRED = "the worker sending this message stopped before recording the outcome"
# Claims younger than this are left alone whatever the locks say: it costs a dead worker's
# messages a second, and spares a caller that claims without a lock of its own (a one-off
# script) as long as its batch takes less.
DEAD_WORKER_GRACE_SECONDS = 1.0


@dataclass(frozen=True)
class Claimed:
    """The messages a turn claimed, and each one's attempt count (this one included)."""

    messages: list[OutboundMessage]
    attempts: dict[int, int]
    # Written to every claimed row with the worker id: together they name this claim, so
    # the outcome is recorded only on rows no later claim has taken over.
    claimed_at: datetime
    # Claimed rows whose recipient did not decrypt: recorded with these outcomes, never sent.
    unreadable: list[DeliveryResult]


def claim(
    session_factory: SessionFactory,
    *,
    channel_names: Sequence[str],
    batch_size: int,
    worker_id: str,
    policy: RetryPolicy,
    reclaim: bool,
    max_priority: int = ANY_PRIORITY,
) -> tuple[Claimed, bool]:
    """Mark due rows ``sending`` in one short transaction, and return them.

    Each channel is claimed on its own, up to ``batch_size`` rows and no more than its
    senders' buckets allow, lowest ``priority`` first. On PostgreSQL ``FOR UPDATE SKIP
    LOCKED`` lets concurrent workers take disjoint batches; SQLite renders no locking clause
    and serialises writers itself (one worker there). Also says whether a limit held back.
    Only rows of ``priority`` up to ``max_priority`` for the urgent lane, which may take the
    senders' reserve (``sender_pacing.URGENT_RESERVE_SECONDS``); other claims leave it.
    """
    claimed = Claimed(messages=[], attempts={}, claimed_at=utcnow(), unreadable=[])
    throttled = False
    for index, channel in enumerate(channel_names):
        held_back = _claim_channel_with_tokens(
            session_factory,
            into=claimed,
            channel=channel,
            batch_size=batch_size,
            worker_id=worker_id,
            policy=policy,
            reclaim=reclaim and index == 0,
            max_priority=max_priority,
        )
        throttled = throttled or held_back
    return claimed, throttled


def _claim_channel_with_tokens(
    session_factory: SessionFactory,
    *,
    into: Claimed,
    channel: str,
    batch_size: int,
    worker_id: str,
    policy: RetryPolicy,
    reclaim: bool,
    max_priority: int,
) -> bool:
    """Claim the channel's due rows, no more than its senders' tokens allow, in one transaction.

    The senders' rows are locked, refilled, the claim runs with their whole tokens as its
    limit, and exactly one token per claimed message is taken before the commit: a limit
    that holds across any number of workers, and no tokens taken for messages that were not
    there. The sender rows stay locked for the claim statement only (a few milliseconds);
    a channel without senders locks nothing. Adds the claimed messages, each with its sender,
    to ``into``; returns whether a limit held back.
    """
    now = into.claimed_at
    with session_factory() as session, session.begin():
        if reclaim:
            _reclaim_orphans(session, now=now, policy=policy)
        allowance = sender_pacing.lock_and_refill(
            session,
            channel=channel,
            now=now,
            want=batch_size,
            keep_reserve=max_priority == ANY_PRIORITY,
        )
        limit = batch_size if allowance.limit is None else allowance.limit
        if limit:
            rows = _claim_channel(
                session, channel=channel, limit=limit, worker_id=worker_id, now=now,
                max_priority=max_priority,
            )  # fmt: skip
            held_back = allowance.throttled and len(rows) == limit
        else:
            rows, held_back = [], _any_due(session, channel=channel, now=now)
        names = sender_pacing.assign(allowance, len(rows))
        sender_pacing.store_buckets(session, allowance.buckets, now=now)
    # The statement returns rows in no particular order: send the most urgent first.
    rows = sorted(rows, key=_SENDING_ORDER)
    for (id, stored, subject, stored_body, key, _, _), sender in zip(rows, names, strict=True):
        opened = _opened(id, channel, stored, stored_body, into.unreadable)
        if opened is not None:
            recipient, body = opened
            into.messages.append(
                OutboundMessage(id, channel, recipient, subject, body, key, sender)
            )
    into.attempts.update((row[0], row[5]) for row in rows)
    return held_back


def channels_with_urgent(
    session_factory: SessionFactory, *, channel_names: Sequence[str], max_priority: int
) -> list[str]:
    """The channels holding a due message of ``priority`` up to ``max_priority``: one
    statement of index probes, so the urgent lane's four rounds a second cost next to
    nothing while no call for help waits (a claim is a transaction per channel)."""
    now = utcnow()
    waiting = [
        exists()
        .where(
            OutboxMessage.channel == channel,
            OutboxMessage.status.in_(CLAIMABLE),
            OutboxMessage.priority <= max_priority,
            OutboxMessage.next_attempt_at <= now,
        )
        .label(f"c{index}")
        for index, channel in enumerate(channel_names)
    ]
    if not waiting:
        return []
    with session_factory() as session:
        row = session.execute(select(*waiting)).one()
    return [channel for channel, due in zip(channel_names, row, strict=True) if due]


def _any_due(session: Session, *, channel: str, now: datetime) -> bool:
    """Whether a message of ``channel`` waits (for tokens, when none were left)."""
    return (
        session.scalar(
            select(OutboxMessage.id)
            .where(
                OutboxMessage.channel == channel,
                OutboxMessage.status.in_(CLAIMABLE),
                OutboxMessage.next_attempt_at <= now,
            )
            .limit(1)
        )
        is not None
    )


def _claim_channel(
    session: Session, *, channel: str, limit: int, worker_id: str, now: datetime,
    max_priority: int,
) -> Sequence[Any]:  # fmt: skip
    """One claim statement: the channel's ``limit`` soonest due rows become ``sending``.

    Rows are (id, recipient, subject, body, idempotency_key, attempts, priority).
    """
    if is_postgres(session):
        parameters = {
            "channel": channel, "limit": limit, "worker_id": worker_id, "now": now,
            "max_priority": max_priority,
        }  # fmt: skip
        return session.connection().execute(_CLAIM_PG, parameters).all()
    # SQLite has no row locks: its one writer at a time is the lock (one worker there).
    table = _OUTBOX
    due = (
        select(table.c.id)
        .where(
            table.c.channel == channel,
            table.c.status.in_(CLAIMABLE),
            table.c.next_attempt_at <= now,
            table.c.priority <= max_priority,
        )
        .order_by(table.c.priority, table.c.next_attempt_at, table.c.id)
        .limit(limit)
    )
    claim = (
        update(table)
        .where(table.c.id.in_(due.scalar_subquery()))
        .values(
            status=OutboxStatus.SENDING,
            claimed_by=worker_id,
            claimed_at=now,
            attempts=table.c.attempts + 1,
        )
        .returning(
            table.c.id,
            table.c.recipient,
            table.c.subject,
            table.c.body,
            table.c.idempotency_key,
            table.c.attempts,
            table.c.priority,
        )
    )
    return session.connection().execute(claim).all()


_OUTBOX = cast(Table, OutboxMessage.__table__)
# ``id = ANY(ARRAY(…))``, not ``id IN (…)``: the batch's ids are found first (the index of
# due rows, read in sending order), then each row is updated through the primary key. With
# ``IN`` PostgreSQL may plan a hash semi-join that reads the whole table for every batch,
# and the table keeps every message ever sent.
_CLAIM_PG = text(
    """
    UPDATE outbox_message
    SET status = 'sending', claimed_by = :worker_id, claimed_at = :now,
        attempts = attempts + 1
    WHERE id = ANY(ARRAY(
        SELECT id FROM outbox_message
        WHERE channel = :channel AND status IN ('pending', 'failed')
          AND next_attempt_at <= :now AND priority <= :max_priority
        ORDER BY priority, next_attempt_at, id
        LIMIT :limit
        FOR UPDATE SKIP LOCKED))
    RETURNING id, recipient, subject, body, idempotency_key, attempts, priority
    """
).bindparams(bindparam("now", type_=_OUTBOX.c.claimed_at.type))
# Claimed rows by (priority, id): the order they are handed to the channels.
_SENDING_ORDER = itemgetter(6, 0)


def _reclaim_orphans(session: Session, *, now: datetime, policy: RetryPolicy) -> None:
    """Put rows whose worker died mid-send back in line (or to rest, past the last attempt):
    on PostgreSQL as soon as their worker holds no lock (``core.liveness``), a moment after
    the claim; everywhere once their lease ran out."""
    orphaned = OutboxMessage.claimed_at < now - timedelta(seconds=policy.lease_seconds)
    if is_postgres(session):
        dead = and_(
            OutboxMessage.claimed_at < now - timedelta(seconds=DEAD_WORKER_GRACE_SECONDS),
            liveness.claimer_is_dead(OutboxMessage.claimed_by),
        )
        orphaned = or_(orphaned, dead)
    orphans = (
        select(OutboxMessage.id)
        .where(OutboxMessage.status == OutboxStatus.SENDING, orphaned)
        .with_for_update(skip_locked=True)
    )
    moved = session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(orphans.scalar_subquery()))
        .values(
            status=case(
                (OutboxMessage.attempts >= policy.max_attempts, OutboxStatus.DEAD.value),
                else_=OutboxStatus.FAILED.value,
            ),
            next_attempt_at=now,
            last_error=_LEASE_EXPIRED,
        )
        .returning(OutboxMessage.tally_id, OutboxMessage.status)
        .execution_options(synchronize_session=False)
    )
    tallies.add(session, "dead", (row[0] for row in moved if row[1] == OutboxStatus.DEAD))


def _opened(
    message_id: int, channel: str, stored: str, body: str, unreadable: list[DeliveryResult]
) -> tuple[str, str] | None:
    """A claimed recipient and body decrypted (after the claim's transaction, before
    sending), or None.

    One that does not open is not sent: retried later when its data key is missing from the
    ring (a configuration to fix), refused when its ciphertext is damaged.
    """
    try:
        return open_recipient(channel, stored), open_body(body)
    except KeyError as error:
        unreadable.append(DeliveryResult(message_id, DeliveryStatus.RETRY, error=str(error)))
    except (ValueError, InvalidTag):
        unreadable.append(DeliveryResult(message_id, DeliveryStatus.REJECTED, error=_UNREADABLE))
    return None
