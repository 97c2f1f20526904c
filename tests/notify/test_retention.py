"""The outbox purge reads only what it blanks: rows blanked before are never read again,
on SQLite (the query plan searches the partial index) and PostgreSQL (rows the plan read)."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

from sqlalchemy import insert
from sqlalchemy.orm import Session

from peduli import retention
from peduli.core.db import get_sessionmaker
from peduli.notify.models import OutboxMessage, OutboxStatus
from tests.plans import assert_reads_only_through, read_by, updates_of

NOW = datetime(2026, 6, 1, 12, 0, tzinfo=UTC)
DAY = timedelta(days=1)
PURGED_BEFORE = 300
DUE = 5


def _finished(db: Session, prefix: str, count: int, *, days_ago: int, status: OutboxStatus) -> None:
    at = NOW - days_ago * DAY
    db.execute(
        insert(OutboxMessage),
        [
            {
                "channel": "email", "recipient": "sealed", "subject": "s", "body": "b",
                "idempotency_key": f"{prefix}{n}", "status": status,
                "sent_at": at if status == OutboxStatus.SENT else None, "next_attempt_at": at,
            }
            for n in range(count)
        ],
    )  # fmt: skip


def test_a_purge_batch_never_reads_the_rows_purged_before(db: Session) -> None:
    _finished(db, "old", PURGED_BEFORE, days_ago=90, status=OutboxStatus.SENT)
    db.commit()
    assert retention.run_until_done(get_sessionmaker(), now=NOW)["outbox_messages"] == PURGED_BEFORE
    _finished(db, "due", DUE, days_ago=60, status=OutboxStatus.SENT)
    _finished(db, "dead", DUE, days_ago=60, status=OutboxStatus.DEAD)
    _finished(db, "recent", DUE, days_ago=1, status=OutboxStatus.SENT)
    db.commit()
    with updates_of(db, "outbox_message") as statements:
        assert retention.purge_round(db, now=NOW)["outbox_messages"] == 2 * DUE
    db.rollback()
    assert len(statements) == 2  # one UPDATE of the sent, one of the dead
    indexes = ("ix_outbox_message_sent_unpurged", "ix_outbox_message_dead_unpurged")
    for (statement, parameters), index in zip(statements, indexes, strict=True):
        read = read_by(db, "outbox_message", statement, parameters)
        db.rollback()
        # Each purged row read twice at most (its batch's index, its own row), none else.
        assert_reads_only_through(read, index=index, table="outbox_message", most=2 * DUE)
