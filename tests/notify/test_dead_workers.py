"""A dead worker's claims are put back in line at once on PostgreSQL (its lock is gone),
not after the lease of minutes: a call for help claimed by a worker that was then killed
reaches the duty officer within seconds."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import update
from sqlalchemy.engine import Engine

from peduli.core.db import utcnow
from peduli.core.liveness import worker_lock
from peduli.notify import service
from peduli.notify.dispatcher import dispatch_once
from peduli.notify.models import OutboxMessage, OutboxStatus
from peduli.notify.outcomes import RetryPolicy
from peduli.notify.ports import Channel
from tests.notify.notify_helpers import SessionFactory, outbox

LEASE = RetryPolicy(max_attempts=3, base_seconds=60, max_seconds=600, lease_seconds=300)


def _claimed_two_seconds_ago(factory: SessionFactory, **claimers: str) -> None:
    """Queue one SMS per key, each left ``sending`` by the named worker two seconds ago."""
    with factory() as session, session.begin():
        for key, worker in claimers.items():
            service.enqueue(
                session, channel="sms", recipient="+6281234567890", subject="",
                body=f"Tolong ({key})", idempotency_key=key,
            )  # fmt: skip
            session.flush()
            session.execute(
                update(OutboxMessage)
                .where(OutboxMessage.idempotency_key == key)
                .values(
                    status=OutboxStatus.SENDING,
                    claimed_by=worker,
                    attempts=1,
                    claimed_at=utcnow() - timedelta(seconds=2),
                )
            )


def test_a_dead_workers_claim_is_sent_again_at_once_and_a_live_ones_is_left_alone(
    session_factory: SessionFactory, channels: dict[str, Channel], clean_engine: Engine
) -> None:
    _claimed_two_seconds_ago(session_factory, k_dead="killed-worker", k_live="busy-worker")

    with worker_lock(clean_engine, "busy-worker"):
        sent = dispatch_once(session_factory, channels=channels, worker_id="w2", policy=LEASE)

    rows = {row.idempotency_key: row for row in outbox(session_factory)}
    assert (rows["k_live"].status, rows["k_live"].claimed_by) == (
        OutboxStatus.SENDING,
        "busy-worker",
    )
    if clean_engine.dialect.name == "postgresql":
        assert sent == 1
        assert (rows["k_dead"].status, rows["k_dead"].attempts) == (OutboxStatus.SENT, 2)
    else:  # no locks on SQLite (one process): the lease alone decides
        assert sent == 0
        assert rows["k_dead"].status is OutboxStatus.SENDING


def test_a_claim_younger_than_the_grace_is_left_alone_even_without_a_lock(
    session_factory: SessionFactory, channels: dict[str, Channel]
) -> None:
    _claimed_two_seconds_ago(session_factory, k1="one-off-script")
    with session_factory() as session, session.begin():
        session.execute(update(OutboxMessage).values(claimed_at=utcnow()))

    assert dispatch_once(session_factory, channels=channels, worker_id="w2", policy=LEASE) == 0
    (row,) = outbox(session_factory)
    assert (row.status, row.claimed_by) == (OutboxStatus.SENDING, "one-off-script")
