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
from collections.abc import Callable, Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import Table, bindparam, case, select, text, update
from sqlalchemy.orm import Session

from peduli.core.config import Settings
from peduli.core.db import is_postgres, utcnow
from peduli.core.logging import get_logger
from peduli.notify import senders
from peduli.notify.models import CLAIMABLE, OutboxMessage, OutboxStatus
from peduli.notify.ports import (
    Channel,
    ChannelError,
    DeliveryResult,
    DeliveryStatus,
    OutboundMessage,
    RetryableError,
)

log = get_logger(__name__)

SessionFactory = Callable[[], Session]
# How long a worker waits for tokens when a rate limit, not an empty queue, stopped it.
THROTTLED_PAUSE = 0.05
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
    message: OutboundMessage
    attempts: int


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
    claimed, throttled = _claim(
        session_factory,
        channel_names=list(channels),
        batch_size=batch_size,
        worker_id=worker_id,
        policy=policy,
        reclaim=reclaim,
    )
    if not claimed:
        return BatchOutcome(0, throttled)
    by_channel: dict[str, list[OutboundMessage]] = defaultdict(list)
    for item in claimed:
        by_channel[item.message.channel].append(item.message)
    results: list[DeliveryResult] = []
    for name, messages in by_channel.items():
        results.extend(_send(channels[name], messages))
    attempts = {item.message.id: item.attempts for item in claimed}
    sender_of = {item.message.id: item.message.sender for item in claimed}
    with session_factory() as session, session.begin():
        _record(
            session,
            results=results,
            attempts=attempts,
            senders=sender_of,
            worker_id=worker_id,
            policy=policy,
        )
    return BatchOutcome(len(claimed), throttled)


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
) -> tuple[list[_Claimed], bool]:
    """Mark due rows ``sending`` in one short transaction, and return them.

    Each channel is claimed on its own, up to ``batch_size`` rows and no more than its
    senders' buckets allow, lowest ``priority`` first. On PostgreSQL ``FOR UPDATE SKIP
    LOCKED`` lets concurrent workers take disjoint batches; SQLite renders no locking clause
    and serialises writers itself (one worker there). Also says whether a limit held back.
    """
    claimed: list[_Claimed] = []
    throttled = False
    for index, channel in enumerate(channel_names):
        rows, held_back = _claim_channel_with_tokens(
            session_factory,
            channel=channel,
            batch_size=batch_size,
            worker_id=worker_id,
            policy=policy,
            reclaim=reclaim and index == 0,
        )
        throttled = throttled or held_back
        claimed.extend(rows)
    return claimed, throttled


def _claim_channel_with_tokens(
    session_factory: SessionFactory,
    *,
    channel: str,
    batch_size: int,
    worker_id: str,
    policy: RetryPolicy,
    reclaim: bool,
) -> tuple[list[_Claimed], bool]:
    """Take the senders' tokens (short transaction), claim that many rows, give back the rest.

    Returns the claimed messages, each with its sender, and whether a limit held back.
    """
    now = utcnow()

    def claim(session: Session, limit: int) -> tuple[list[Any], bool]:
        if reclaim:
            _reclaim_orphans(session, now=now, policy=policy)
        if not limit:
            return [], _any_due(session, channel=channel, now=now)
        rows = sorted(
            _claim_channel(session, channel=channel, limit=limit, worker_id=worker_id, now=now),
            key=lambda row: (row.priority, row.id),
        )
        return rows, len(rows) == limit < batch_size

    with session_factory() as session:
        with session.begin():
            names = senders.take(session, channel=channel, now=now, want=batch_size)
            if names is None:  # no senders, so no lock taken: claim in the same transaction
                rows, _ = claim(session, batch_size)
                held_back = False
        if names is not None:
            with session.begin():
                rows, held_back = claim(session, len(names))
            if len(rows) < len(names):
                with session.begin():
                    senders.give_back(session, channel=channel, names=names[len(rows) :])
    assigned = names if names is not None else [None] * len(rows)
    return [
        _Claimed(
            message=OutboundMessage(
                id=row.id,
                channel=row.channel,
                recipient=row.recipient,
                subject=row.subject,
                body=row.body,
                idempotency_key=row.idempotency_key,
                sender=name,
            ),
            attempts=row.attempts,
        )
        for row, name in zip(rows, assigned, strict=False)
    ], held_back


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
    """One claim statement: the channel's ``limit`` soonest due rows become ``sending``."""
    due = (
        select(OutboxMessage.id)
        .where(
            OutboxMessage.channel == channel,
            OutboxMessage.status.in_(CLAIMABLE),
            OutboxMessage.next_attempt_at <= now,
        )
        .order_by(OutboxMessage.priority, OutboxMessage.next_attempt_at, OutboxMessage.id)
        .limit(limit)
        .with_for_update(skip_locked=True)
    )
    return session.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(due.scalar_subquery()))
        .values(
            status=OutboxStatus.SENDING,
            claimed_by=worker_id,
            claimed_at=now,
            attempts=OutboxMessage.attempts + 1,
        )
        .returning(
            OutboxMessage.id,
            OutboxMessage.channel,
            OutboxMessage.recipient,
            OutboxMessage.subject,
            OutboxMessage.body,
            OutboxMessage.idempotency_key,
            OutboxMessage.attempts,
            OutboxMessage.priority,
        )
        .execution_options(synchronize_session=False)
    ).all()


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
    policy: RetryPolicy,
) -> None:
    """Write every outcome with a few statements: one for the sent rows (an ``UPDATE … FROM
    unnest(…)`` on PostgreSQL, an executemany elsewhere), one ``UPDATE … WHERE id IN (…)``
    per kind of failure.

    Only rows still claimed by this worker are touched: if its lease ran out and another
    worker took a row over, that worker's outcome wins.
    """
    now = utcnow()
    table = cast(Table, OutboxMessage.__table__)
    still_ours = (table.c.claimed_by == worker_id, table.c.status == OutboxStatus.SENDING)
    sent = [
        {
            "b_id": r.message_id,
            "b_provider_id": r.provider_message_id,
            "b_sender": senders.get(r.message_id),
        }
        for r in results
        if r.status is DeliveryStatus.SENT
    ]
    if sent and is_postgres(session):
        session.execute(
            _MARK_SENT_PG,
            {
                "ids": [v["b_id"] for v in sent],
                "provider_ids": [v["b_provider_id"] for v in sent],
                "senders": [v["b_sender"] for v in sent],
                "now": now,
                "worker_id": worker_id,
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
            sent,
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
    WHERE o.id = v.id AND o.claimed_by = :worker_id AND o.status = 'sending'
    """
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
