"""Recording what the channels answered: sent rows keep their provider id and sender,
failed ones wait for their next try (``RetryPolicy``) or go to rest as dead letters.
"""

from __future__ import annotations

import random
from collections import defaultdict
from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta
from typing import Any, cast

from sqlalchemy import ColumnElement, Table, bindparam, text, update
from sqlalchemy.orm import Session

from peduli.core.config import Settings
from peduli.core.db import is_postgres, utcnow
from peduli.notify import tallies
from peduli.notify.models import OutboxMessage, OutboxStatus
from peduli.notify.ports import DeliveryResult, DeliveryStatus

_OUTBOX = cast(Table, OutboxMessage.__table__)


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


def record(
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
    unnest(…)`` on PostgreSQL, one per row on SQLite), one ``UPDATE … WHERE id IN (…)`` per
    kind of failure; each adds the messages it moved to their tallies (``notify.tallies``).

    Only rows still held by this claim (worker and claim time) are touched: if its lease ran
    out and another worker took a row over, that worker's outcome wins. The claim time also
    lets PostgreSQL find the batch through the index of rows in flight, exactly, however
    stale its statistics are.
    """
    now = utcnow()
    table = _OUTBOX
    claim = {"b_worker_id": worker_id, "b_claimed_at": claimed_at}
    still_ours = _still_ours()
    sent = [r for r in results if r.status is DeliveryStatus.SENT]
    if sent:
        tallies.add(session, "sent", _mark_sent(session, sent, senders, now=now, claim=claim))
    for (status, next_attempt_at, error), ids in _failure_groups(
        results, attempts=attempts, policy=policy, now=now
    ).items():
        moved = session.execute(
            update(table)
            .where(table.c.id.in_(ids), *still_ours)
            .values(status=status, next_attempt_at=next_attempt_at, last_error=error)
            .returning(table.c.tally_id),
            claim,
        ).scalars()
        if status is OutboxStatus.DEAD:
            tallies.add(session, "dead", moved)


def _still_ours() -> tuple[ColumnElement[bool], ...]:
    """The rows still held by the claim bound as ``b_worker_id`` and ``b_claimed_at``."""
    table = _OUTBOX
    return (
        table.c.claimed_by == bindparam("b_worker_id"),
        table.c.claimed_at == bindparam("b_claimed_at", type_=table.c.claimed_at.type),
        table.c.status == OutboxStatus.SENDING,
    )


def _mark_sent(
    session: Session,
    sent: Sequence[DeliveryResult],
    senders: Mapping[int, str | None],
    *,
    now: datetime,
    claim: Mapping[str, Any],
) -> list[int | None]:
    """Mark the sent rows still held by this claim; returns their tallies' ids."""
    if is_postgres(session):
        return list(
            session.connection()
            .execute(
                _MARK_SENT_PG,
                {
                    "ids": [r.message_id for r in sent],
                    "provider_ids": [r.provider_message_id for r in sent],
                    "senders": [senders.get(r.message_id) for r in sent],
                    "now": now,
                    **claim,
                },
            )
            .scalars()
        )
    table = _OUTBOX
    statement = (
        update(table)
        .where(table.c.id == bindparam("b_id"), *_still_ours())
        .values(
            status=OutboxStatus.SENT,
            sent_at=now,
            provider_message_id=bindparam("b_provider_id"),
            sender=bindparam("b_sender"),
            last_error=None,
        )
        .returning(table.c.tally_id)
    )
    # One statement per row: SQLite (the embedded default) has no UPDATE … RETURNING for
    # many rows of parameters at once, and each row's tally is needed.
    return [
        tally_id
        for r in sent
        for tally_id in session.connection()
        .execute(
            statement,
            {
                "b_id": r.message_id,
                "b_provider_id": r.provider_message_id,
                "b_sender": senders.get(r.message_id),
                **claim,
            },
        )
        .scalars()
    ]


# Every sent row of a batch in one statement (a per-row executemany costs a round trip each).
_MARK_SENT_PG = text(
    """
    UPDATE outbox_message AS o
    SET status = 'sent', sent_at = :now, provider_message_id = v.provider_id,
        sender = v.sender, last_error = NULL
    FROM unnest(CAST(:ids AS bigint[]), CAST(:provider_ids AS text[]),
                CAST(:senders AS text[])) AS v(id, provider_id, sender)
    WHERE o.id = v.id AND o.claimed_by = :b_worker_id AND o.claimed_at = :b_claimed_at
      AND o.status = 'sending'
    RETURNING o.tally_id
    """
).bindparams(
    bindparam("now", type_=_OUTBOX.c.sent_at.type),
    bindparam("b_claimed_at", type_=_OUTBOX.c.claimed_at.type),
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
