"""Delivering the outbox: claim a batch, send it through the channels, record the outcome.

Each step is its own short transaction, so no lock is held while a provider is called. A
worker that dies between sending and recording leaves its rows in ``sending``; once their
lease runs out another worker re-sends them, and the provider (or sandbox) recognises the
idempotency key, so the person still gets one copy.
"""

from __future__ import annotations

import random
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from datetime import datetime, timedelta
from functools import partial
from operator import itemgetter
from typing import Any, cast

from cryptography.exceptions import InvalidTag
from sqlalchemy import Connection, Table, bindparam, case, select, text, update
from sqlalchemy.orm import Session

from peduli.core.config import Settings
from peduli.core.db import is_postgres, utcnow
from peduli.core.logging import get_logger
from peduli.notify import sender_pacing
from peduli.notify.models import CLAIMABLE, OutboxMessage, OutboxStatus
from peduli.notify.ports import (
    Channel,
    ChannelError,
    DeliveryResult,
    DeliveryStatus,
    OutboundMessage,
    RetryableError,
)
from peduli.notify.service import open_recipient

log = get_logger(__name__)

SessionFactory = Callable[[], Session]
# How long a worker waits for tokens when a rate limit, not an empty queue, stopped it.
THROTTLED_PAUSE = 0.05
_UNREADABLE = "the recipient cannot be decrypted"
_LEASE_EXPIRED = "the worker sending this message stopped before recording the outcome"


@dataclass(frozen=True)
class RetryPolicy:
    """How often and how late a failed message is tried again."""

    max_attempts: int = 8
    base_seconds: float = 5.0
    max_seconds: float = 900.0
    lease_seconds: float = 300.0

    @classmethod
    def from_settings(cls, settings: Settings) -> RetryPolicy:
        """The policy an operator configured (``PEDULI_NOTIFY_*``)."""
        return cls(
            max_attempts=settings.notify_max_attempts,
            base_seconds=settings.notify_retry_base_seconds,
            max_seconds=settings.notify_retry_max_seconds,
            lease_seconds=settings.notify_lease_seconds,
        )

    def delay(self, attempts: int, retry_after: float | None) -> float:
        """Seconds to wait after the ``attempts``-th failure: exponential, jittered, capped.

        Jitter keeps many workers from retrying a recovering provider in lockstep; a
        provider's own Retry-After is honoured up to the cap.
        """
        backoff = min(self.max_seconds, self.base_seconds * 2 ** max(attempts - 1, 0))
        jittered = backoff * (0.5 + random.random() / 2)
        return max(jittered, min(retry_after or 0.0, self.max_seconds))


@dataclass(frozen=True)
class _Claimed:
    """The messages a turn claimed, and each one's attempt count (this one included)."""

    messages: list[OutboundMessage]
    attempts: dict[int, int]
    # Written to every claimed row with the worker id: together they name this claim, so
    # the outcome is recorded only on rows no later claim has taken over.
    claimed_at: datetime
    # Claimed rows whose recipient did not decrypt: recorded with these outcomes, never sent.
    unreadable: list[DeliveryResult]


@dataclass(frozen=True)
class BatchOutcome:
    """What one turn did: messages claimed, and whether a rate limit held some back."""

    claimed: int
    throttled: bool


def dispatch_once(
    session_factory: SessionFactory,
    *,
    channels: Mapping[str, Channel],
    batch_size: int = 500,
    worker_id: str,
    policy: RetryPolicy | None = None,
) -> int:
    """Claim up to ``batch_size`` due messages per channel, deliver them, record each outcome.

    Returns how many messages were claimed (0 when nothing was due).
    """
    return dispatch_batch(
        session_factory,
        channels=channels,
        batch_size=batch_size,
        worker_id=worker_id,
        policy=policy,
    ).claimed


def dispatch_batch(
    session_factory: SessionFactory,
    *,
    channels: Mapping[str, Channel],
    batch_size: int = 500,
    worker_id: str,
    policy: RetryPolicy | None = None,
    reclaim: bool = True,
) -> BatchOutcome:
    """``dispatch_once``, also telling whether the senders' rate limits bound the claim.

    ``reclaim`` first puts back rows whose worker died mid-send (a worker loop does it a
    few times per lease, not every batch).
    """
    policy = policy or RetryPolicy()
    with _one_connection(session_factory) as (connection, owned):
        claimed, throttled = _claim(
            partial(Session, bind=connection),
            channel_names=list(channels),
            batch_size=batch_size,
            worker_id=worker_id,
            policy=policy,
            reclaim=reclaim,
        )
        if not claimed.messages and not claimed.unreadable:
            return BatchOutcome(0, throttled)
        by_channel: dict[str, list[OutboundMessage]] = defaultdict(list)
        for message in claimed.messages:
            by_channel[message.channel].append(message)
        results: list[DeliveryResult] = list(claimed.unreadable)
        for name, messages in by_channel.items():
            results.extend(_send(channels[name], messages))
        with _last_step(connection, autocommit=owned) as session, session.begin():
            _record(
                session,
                results=results,
                attempts=claimed.attempts,
                senders={m.id: m.sender for m in claimed.messages},
                worker_id=worker_id,
                claimed_at=claimed.claimed_at,
                policy=policy,
            )
    return BatchOutcome(len(claimed.messages) + len(claimed.unreadable), throttled)


def _opened(
    message_id: int, channel: str, stored: str, unreadable: list[DeliveryResult]
) -> str | None:
    """A claimed recipient decrypted (after the claim's transaction, before sending), or None.

    One that does not open is not sent: retried later when its data key is missing from the
    ring (a configuration to fix), refused when its ciphertext is damaged.
    """
    try:
        return open_recipient(channel, stored)
    except KeyError as error:
        unreadable.append(DeliveryResult(message_id, DeliveryStatus.RETRY, error=str(error)))
    except (ValueError, InvalidTag):
        unreadable.append(DeliveryResult(message_id, DeliveryStatus.REJECTED, error=_UNREADABLE))
    return None


def _last_step(connection: Connection, *, autocommit: bool) -> Session:
    """A session for the outcomes, the batch's last step; on PostgreSQL in autocommit.

    Every statement of ``_record`` stands alone (each touches only its own rows, and only
    while this claim still holds them), so a surrounding transaction would add nothing but
    two round trips (BEGIN, COMMIT). If the worker dies between two of them, the rows not
    yet recorded stay ``sending`` and are sent again after the lease, under the same
    idempotency key. The pool restores the isolation level when the connection goes back;
    a connection the caller lent (``autocommit=False``) is left as it is.
    """
    if autocommit and connection.dialect.name == "postgresql":
        connection.execution_options(isolation_level="AUTOCOMMIT")
    return Session(bind=connection)


@contextmanager
def _one_connection(session_factory: SessionFactory) -> Iterator[tuple[Connection, bool]]:
    """One pooled connection for the whole batch, and whether this batch checked it out.

    Each step still commits on its own, but the connection is checked out (and pinged by
    the pool) once per batch, not once per step: a round trip saved per transaction. No
    transaction is open while the channels are called, so holding the idle connection
    locks nothing (on SQLite neither).
    """
    with session_factory() as probe:
        bind = probe.get_bind()
    if isinstance(bind, Connection):  # the caller's sessions share one connection already
        yield bind, False
        return
    with bind.connect() as connection:
        yield connection, True


def run_worker(
    session_factory: SessionFactory,
    *,
    channels: Mapping[str, Channel],
    worker_id: str,
    batch_size: int = 500,
    policy: RetryPolicy | None = None,
    idle_seconds: float = 1.0,
    stop: threading.Event | None = None,
    between_batches: Callable[[], object] | None = None,
) -> int:
    """Dispatch until ``stop`` is set, sleeping when nothing is due; returns messages claimed.

    A failing database or adapter is logged and retried after the idle pause, so a worker
    outlives a database restart. The batch in hand is always finished before stopping.
    ``between_batches`` (the periodic tasks) is called at most once per ``idle_seconds``.
    """
    stop = stop or threading.Event()
    policy = policy or RetryPolicy()
    total = 0
    last_between = last_reclaim = float("-inf")
    reclaim_every = min(policy.lease_seconds / 10, 10.0)
    log.info("worker started", worker_id=worker_id, channels=sorted(channels))
    while not stop.is_set():
        if between_batches is not None and time.monotonic() - last_between >= idle_seconds:
            last_between = time.monotonic()
            _guarded(between_batches, worker_id=worker_id)
        reclaim = time.monotonic() - last_reclaim >= reclaim_every
        if reclaim:
            last_reclaim = time.monotonic()
        try:
            outcome = dispatch_batch(
                session_factory,
                channels=channels,
                batch_size=batch_size,
                worker_id=worker_id,
                policy=policy,
                reclaim=reclaim,
            )
        except Exception:
            log.exception("dispatch failed; retrying after a pause", worker_id=worker_id)
            outcome = BatchOutcome(0, throttled=False)
        total += outcome.claimed
        if outcome.throttled:
            # The senders' buckets are empty: let tokens gather for a fuller next batch.
            stop.wait(min(THROTTLED_PAUSE, idle_seconds))
        elif outcome.claimed == 0:
            stop.wait(idle_seconds)
    log.info("worker stopped", worker_id=worker_id, claimed=total)
    return total


def _guarded(work: Callable[[], object], *, worker_id: str) -> None:
    """Run ``work``; a failure (the database restarting…) is logged, never fatal."""
    try:
        work()
    except Exception:
        log.exception("periodic work failed; retrying later", worker_id=worker_id)


def _claim(
    session_factory: SessionFactory,
    *,
    channel_names: Sequence[str],
    batch_size: int,
    worker_id: str,
    policy: RetryPolicy,
    reclaim: bool,
) -> tuple[_Claimed, bool]:
    """Mark due rows ``sending`` in one short transaction, and return them.

    Each channel is claimed on its own, up to ``batch_size`` rows and no more than its
    senders' buckets allow, lowest ``priority`` first. On PostgreSQL ``FOR UPDATE SKIP
    LOCKED`` lets concurrent workers take disjoint batches; SQLite renders no locking clause
    and serialises writers itself (one worker there). Also says whether a limit held back.
    """
    claimed = _Claimed(messages=[], attempts={}, claimed_at=utcnow(), unreadable=[])
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
        )
        throttled = throttled or held_back
    return claimed, throttled


def _claim_channel_with_tokens(
    session_factory: SessionFactory,
    *,
    into: _Claimed,
    channel: str,
    batch_size: int,
    worker_id: str,
    policy: RetryPolicy,
    reclaim: bool,
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
            session, channel=channel, now=now, want=batch_size
        )
        limit = batch_size if allowance.limit is None else allowance.limit
        if limit:
            rows = _claim_channel(
                session, channel=channel, limit=limit, worker_id=worker_id, now=now
            )
            held_back = allowance.throttled and len(rows) == limit
        else:
            rows, held_back = [], _any_due(session, channel=channel, now=now)
        names = sender_pacing.assign(allowance, len(rows))
        sender_pacing.store_buckets(session, allowance.buckets, now=now)
    # The statement returns rows in no particular order: send the most urgent first.
    rows = sorted(rows, key=_SENDING_ORDER)
    for (id, stored, subject, body, key, _, _), sender in zip(rows, names, strict=True):
        recipient = _opened(id, channel, stored, into.unreadable)
        if recipient is not None:
            into.messages.append(
                OutboundMessage(id, channel, recipient, subject, body, key, sender)
            )
    into.attempts.update((row[0], row[5]) for row in rows)
    return held_back


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
    session: Session, *, channel: str, limit: int, worker_id: str, now: datetime
) -> Sequence[Any]:
    """One claim statement: the channel's ``limit`` soonest due rows become ``sending``.

    Rows are (id, recipient, subject, body, idempotency_key, attempts, priority).
    """
    if is_postgres(session):
        parameters = {"channel": channel, "limit": limit, "worker_id": worker_id, "now": now}
        return session.connection().execute(_CLAIM_PG, parameters).all()
    # SQLite has no row locks: its one writer at a time is the lock (one worker there).
    table = _OUTBOX
    due = (
        select(table.c.id)
        .where(
            table.c.channel == channel,
            table.c.status.in_(CLAIMABLE),
            table.c.next_attempt_at <= now,
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
          AND next_attempt_at <= :now
        ORDER BY priority, next_attempt_at, id
        LIMIT :limit
        FOR UPDATE SKIP LOCKED))
    RETURNING id, recipient, subject, body, idempotency_key, attempts, priority
    """
).bindparams(bindparam("now", type_=_OUTBOX.c.claimed_at.type))
# Claimed rows by (priority, id): the order they are handed to the channels.
_SENDING_ORDER = itemgetter(6, 0)


def _reclaim_orphans(session: Session, *, now: datetime, policy: RetryPolicy) -> None:
    """Put rows whose worker died mid-send back in line (or to rest, past the last attempt)."""
    cutoff = now - timedelta(seconds=policy.lease_seconds)
    orphans = (
        select(OutboxMessage.id)
        .where(OutboxMessage.status == OutboxStatus.SENDING, OutboxMessage.claimed_at < cutoff)
        .with_for_update(skip_locked=True)
    )
    session.execute(
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
        .execution_options(synchronize_session=False)
    )


def _send(channel: Channel, messages: Sequence[OutboundMessage]) -> list[DeliveryResult]:
    """Call the adapter; turn a batch-wide failure into one result per message."""
    try:
        results = channel.send(messages)
    except ChannelError as exc:
        status = (
            DeliveryStatus.RETRY if isinstance(exc, RetryableError) else DeliveryStatus.REJECTED
        )
        return _same_for_all(messages, status, str(exc), exc.retry_after)
    except Exception as exc:
        # An adapter bug must not stop the worker: the batch is retried and the error kept.
        log.exception("channel adapter failed", channel=messages[0].channel)
        return _same_for_all(messages, DeliveryStatus.RETRY, f"{type(exc).__name__}: {exc}", None)
    answered = {result.message_id for result in results}
    missing = [m for m in messages if m.id not in answered]
    return results + _same_for_all(
        missing, DeliveryStatus.RETRY, "the provider gave no answer for this message", None
    )


def _same_for_all(
    messages: Sequence[OutboundMessage],
    status: DeliveryStatus,
    error: str,
    retry_after: float | None,
) -> list[DeliveryResult]:
    return [
        DeliveryResult(message_id=m.id, status=status, error=error, retry_after=retry_after)
        for m in messages
    ]


def _record(
    session: Session,
    *,
    results: Sequence[DeliveryResult],
    attempts: Mapping[int, int],
    senders: Mapping[int, str | None],
    worker_id: str,
    claimed_at: datetime,
    policy: RetryPolicy,
) -> None:
    """Write every outcome with a few statements: one for the sent rows (an ``UPDATE … FROM
    unnest(…)`` on PostgreSQL, an executemany elsewhere), one ``UPDATE … WHERE id IN (…)``
    per kind of failure.

    Only rows still held by this claim (worker and claim time) are touched: if its lease ran
    out and another worker took a row over, that worker's outcome wins. The claim time also
    lets PostgreSQL find the batch through the index of rows in flight, exactly, however
    stale its statistics are.
    """
    now = utcnow()
    table = _OUTBOX
    still_ours = (
        table.c.claimed_by == worker_id,
        table.c.claimed_at == claimed_at,
        table.c.status == OutboxStatus.SENDING,
    )
    sent = [r for r in results if r.status is DeliveryStatus.SENT]
    if sent and is_postgres(session):
        session.connection().execute(
            _MARK_SENT_PG,
            {
                "ids": [r.message_id for r in sent],
                "provider_ids": [r.provider_message_id for r in sent],
                "senders": [senders.get(r.message_id) for r in sent],
                "now": now,
                "worker_id": worker_id,
                "claimed_at": claimed_at,
            },
        )
    elif sent:
        session.execute(
            update(table)
            .where(table.c.id == bindparam("b_id"), *still_ours)
            .values(
                status=OutboxStatus.SENT,
                sent_at=now,
                provider_message_id=bindparam("b_provider_id"),
                sender=bindparam("b_sender"),
                last_error=None,
            ),
            [
                {
                    "b_id": r.message_id,
                    "b_provider_id": r.provider_message_id,
                    "b_sender": senders.get(r.message_id),
                }
                for r in sent
            ],
        )
    for (status, next_attempt_at, error), ids in _failure_groups(
        results, attempts=attempts, policy=policy, now=now
    ).items():
        session.execute(
            update(table)
            .where(table.c.id.in_(ids), *still_ours)
            .values(status=status, next_attempt_at=next_attempt_at, last_error=error)
        )


# Every sent row of a batch in one statement (a per-row executemany costs a round trip each).
_MARK_SENT_PG = text(
    """
    UPDATE outbox_message AS o
    SET status = 'sent', sent_at = :now, provider_message_id = v.provider_id,
        sender = v.sender, last_error = NULL
    FROM unnest(CAST(:ids AS bigint[]), CAST(:provider_ids AS text[]),
                CAST(:senders AS text[])) AS v(id, provider_id, sender)
    WHERE o.id = v.id AND o.claimed_by = :worker_id AND o.claimed_at = :claimed_at
      AND o.status = 'sending'
    """
).bindparams(
    bindparam("now", type_=_OUTBOX.c.sent_at.type),
    bindparam("claimed_at", type_=_OUTBOX.c.claimed_at.type),
)


def _failure_groups(
    results: Sequence[DeliveryResult],
    *,
    attempts: Mapping[int, int],
    policy: RetryPolicy,
    now: datetime,
) -> dict[tuple[OutboxStatus, datetime, str], list[int]]:
    """Group failed messages by their new state, so each group is one UPDATE.

    Messages that failed alike after the same number of attempts share one jittered delay.
    """
    delays: dict[tuple[int, float | None], datetime] = {}
    groups: dict[tuple[OutboxStatus, datetime, str], list[int]] = defaultdict(list)
    for result in results:
        if result.status is DeliveryStatus.SENT:
            continue
        tries = attempts[result.message_id]
        error = (result.error or "unknown error")[:1000]
        if result.status is DeliveryStatus.REJECTED or tries >= policy.max_attempts:
            groups[(OutboxStatus.DEAD, now, error)].append(result.message_id)
            continue
        delay_key = (tries, result.retry_after)
        if delay_key not in delays:
            delays[delay_key] = now + timedelta(seconds=policy.delay(tries, result.retry_after))
        groups[(OutboxStatus.FAILED, delays[delay_key], error)].append(result.message_id)
    return groups
