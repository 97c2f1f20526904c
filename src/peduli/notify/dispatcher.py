"""Delivering the outbox: claim a batch (``claims``), send it through the channels, record
the outcome (``outcomes``).

Each step is its own short transaction, so no lock is held while a provider is called. A
worker that dies between sending and recording leaves its rows in ``sending``; as soon as
its lock is gone (``core.liveness``; on SQLite once their lease runs out) another worker
re-sends them, and the provider (or sandbox) recognises the idempotency key, so the person
still gets one copy.
"""

from __future__ import annotations

import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Mapping, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from functools import partial

from sqlalchemy import Connection, Engine
from sqlalchemy.orm import Session

from peduli.core import liveness
from peduli.core.logging import get_logger
from peduli.notify import claims, outcomes
from peduli.notify.outcomes import RetryPolicy
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

    Returns how many messages were claimed (0 when nothing was due). Holds the worker's
    lock meanwhile, so that no running worker takes its claims for a dead worker's.
    """
    with liveness.worker_lock(_engine(session_factory), worker_id):
        return dispatch_batch(
            session_factory,
            channels=channels,
            batch_size=batch_size,
            worker_id=worker_id,
            policy=policy,
        ).claimed


def dispatch_urgent(
    session_factory: SessionFactory,
    *,
    channels: Mapping[str, Channel],
    batch_size: int,
    worker_id: str,
    policy: RetryPolicy,
    max_priority: int,
) -> int:
    """Send the due messages of the urgent rungs (up to ``max_priority``), claiming only on
    the channels that hold any; returns how many were claimed."""
    urgent = claims.channels_with_urgent(
        session_factory, channel_names=list(channels), max_priority=max_priority
    )
    if not urgent:
        return 0
    return dispatch_batch(
        session_factory, channels={name: channels[name] for name in urgent},
        batch_size=batch_size, worker_id=worker_id, policy=policy, reclaim=False,
        max_priority=max_priority,
    ).claimed  # fmt: skip


def dispatch_batch(
    session_factory: SessionFactory,
    *,
    channels: Mapping[str, Channel],
    batch_size: int = 500,
    worker_id: str,
    policy: RetryPolicy | None = None,
    reclaim: bool = True,
    max_priority: int = claims.ANY_PRIORITY,
) -> BatchOutcome:
    """``dispatch_once``, also telling whether the senders' rate limits bound the claim.

    ``reclaim`` first puts back rows whose worker died mid-send (a worker loop does it
    once a second, not every batch); ``max_priority`` limits the batch to the urgent rungs.
    """
    policy = policy or RetryPolicy()
    with _one_connection(session_factory) as (connection, owned):
        claimed, throttled = claims.claim(
            partial(Session, bind=connection),
            channel_names=list(channels),
            batch_size=batch_size,
            worker_id=worker_id,
            policy=policy,
            reclaim=reclaim,
            max_priority=max_priority,
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
            outcomes.record(
                session,
                results=results,
                attempts=claimed.attempts,
                senders={m.id: m.sender for m in claimed.messages},
                worker_id=worker_id,
                claimed_at=claimed.claimed_at,
                policy=policy,
            )
    return BatchOutcome(len(claimed.messages) + len(claimed.unreadable), throttled)


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


def _engine(session_factory: SessionFactory) -> Engine:
    """The engine behind the factory's sessions (a test's sessions may share a connection)."""
    with session_factory() as probe:
        bind = probe.get_bind()
    return bind.engine if isinstance(bind, Connection) else bind


def run_worker(
    session_factory: SessionFactory,
    *,
    channels: Mapping[str, Channel],
    worker_id: str,
    batch_size: int = 500,
    policy: RetryPolicy | None = None,
    idle_seconds: float = 1.0,
    stop: threading.Event | None = None,
) -> int:
    """Dispatch until ``stop`` is set, sleeping when nothing is due; returns messages claimed.

    A failing database or adapter is logged and retried after the idle pause, so a worker
    outlives a database restart. The batch in hand is always finished before stopping.
    """
    stop = stop or threading.Event()
    policy = policy or RetryPolicy()
    total = 0
    last_reclaim = float("-inf")
    # Orphans of a dead worker are found by its lock (``core.liveness``), every second.
    reclaim_every = min(policy.lease_seconds / 10, liveness.CHECK_EVERY_SECONDS)
    log.info("worker started", worker_id=worker_id, channels=sorted(channels))
    with liveness.worker_lock(_engine(session_factory), worker_id) as lock:
        while not stop.is_set():
            lock.keep()
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
