"""What a statement reads: the UPDATEs a block sends, and for each the rows PostgreSQL's plan
read (run under ``EXPLAIN ANALYZE``, then rolled back) or SQLite's query plan."""

from __future__ import annotations

import json
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy import event
from sqlalchemy.engine import Connection
from sqlalchemy.orm import Session

from peduli.core.db import is_postgres


@contextmanager
def updates_of(db: Session, table: str) -> Iterator[list[tuple[str, Any]]]:
    """The UPDATEs of ``table`` sent while the block runs, with their parameters."""
    seen: list[tuple[str, Any]] = []
    prefix = f"UPDATE {table.upper()} "

    def record(_conn: Connection, _cursor: Any, statement: str, parameters: Any, *_: Any) -> None:
        if statement.lstrip().upper().startswith(prefix):
            seen.append((statement, parameters))

    engine = db.get_bind()
    event.listen(engine, "before_cursor_execute", record)
    try:
        yield seen
    finally:
        event.remove(engine, "before_cursor_execute", record)


def _rows_read(plan: dict[str, Any], table: str) -> int:
    loops = plan.get("Actual Loops", 1)
    own = 0
    if plan.get("Relation Name") == table:
        own = (plan["Actual Rows"] + plan.get("Rows Removed by Filter", 0)) * loops
    return own + sum(_rows_read(child, table) for child in plan.get("Plans", []))


def read_by(db: Session, table: str, statement: str, parameters: Any) -> int | str:
    """PostgreSQL: how many rows of ``table`` the statement read (kept and filtered out, every
    loop); SQLite: its query plan as text. The caller rolls back afterwards."""
    connection = db.connection()
    if is_postgres(db):
        # A test's small table would be scanned whole by choice; with scans discouraged the
        # plan is the one a table of millions gets.
        connection.exec_driver_sql("SET LOCAL enable_seqscan = off")
        found = connection.exec_driver_sql(
            "EXPLAIN (ANALYZE, FORMAT JSON) " + statement, parameters
        ).scalar_one()
        plan = (json.loads(found) if isinstance(found, str) else found)[0]["Plan"]
        return _rows_read(plan, table)
    rows = connection.exec_driver_sql("EXPLAIN QUERY PLAN " + statement, parameters).all()
    return "\n".join(str(row[-1]) for row in rows)


def assert_reads_only_through(read: int | str, *, index: str, table: str, most: int) -> None:
    """At most ``most`` rows read (PostgreSQL), or a plan that searches ``index`` and never
    scans ``table`` (SQLite)."""
    if isinstance(read, int):
        assert read <= most, read
        return
    assert f"USING INDEX {index}" in read or f"USING COVERING INDEX {index}" in read, read
    assert f"SCAN {table}" not in read, read
