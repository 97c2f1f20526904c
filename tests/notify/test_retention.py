"""The outbox purge reads only what it blanks: rows blanked before are never read again,
on SQLite (the query plan searches the partial index) and PostgreSQL (rows the plan read)."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from datetime import UTC, datetime, timedelta
from typing import Any

from sqlalchemy import event, insert
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from peduli import retention
from peduli.core.db import get_sessionmaker, is_postgres
from peduli.notify.models import OutboxMessage, OutboxStatus

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


@contextmanager
def _purge_statements(db: Session) -> Iterator[list[tuple[str, Any]]]:
    """The UPDATEs of the outbox sent while the block runs, with their parameters."""
    seen: list[tuple[str, Any]] = []

    def record(_conn: Connection, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith("UPDATE OUTBOX_MESSAGE"):
            seen.append((statement, parameters))

    engine = db.get_bind()
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _rows_read(plan: dict[str, Any]) -> int:
    """Rows the PostgreSQL plan read from the outbox: kept and filtered out, every loop."""
    loops = plan.get("Actual Loops", 1)
    own = 0
    if plan.get("Relation Name") == "outbox_message":
        own = (plan["Actual Rows"] + plan.get("Rows Removed by Filter", 0)) * loops
    return own + sum(_rows_read(child) for child in plan.get("Plans", []))


def _read_by(db: Session, statement: str, parameters: Any) -> int | str:
    """PostgreSQL: rows read (run, then rolled back); SQLite: the query plan's text."""
    connection = db.connection()
    if is_postgres(db):
        # A table this small would be scanned whole by choice; with scans discouraged the
        # plan is the one a table of millions gets.
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        found = connection.exec_driver_sql(
            "EXPLAIN (ANALYZE, FORMAT JSON) " + statement, parameters
        ).scalar_one()
        plan = (json.loads(found) if isinstance(found, str) else found)[0]["Plan"]
        return _rows_read(plan)
    rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
    return "\n".join(str(row[-1]) for row in rows)


def test_a_purge_batch_never_reads_the_rows_purged_before(db: Session) -> None:
    _finished(db, "old", PURGED_BEFORE, days_ago=90, status=OutboxStatus.SENT)
    db.commit()
    assert retention.run_until_done(get_sessionmaker(), now=NOW)["outbox_messages"] == PURGED_BEFORE
    _finished(db, "due", DUE, days_ago=60, status=OutboxStatus.SENT)
    _finished(db, "dead", DUE, days_ago=60, status=OutboxStatus.DEAD)
    _finished(db, "recent", DUE, days_ago=1, status=OutboxStatus.SENT)
    db.commit()
    with _purge_statements(db) as statements:
        assert retention.purge_round(db, now=NOW)["outbox_messages"] == 2 * DUE
    db.rollback()
    assert len(statements) == 2  # one UPDATE of the sent, one of the dead
    for (statement, parameters), index in zip(
        statements,
        ("ix_outbox_message_sent_unpurged", "ix_outbox_message_dead_unpurged"),
        strict=True,
    ):
        read = _read_by(db, statement, parameters)
        db.rollback()
        if isinstance(read, int):
            # Each purged row read twice at most (its batch's index, its own row), none else.
            assert read <= 2 * DUE, read
        else:
            assert f"USING INDEX {index}" in read or f"USING COVERING INDEX {index}" in read, read
            assert "SCAN outbox_message" not in read, read
