"""Writing a seed's batches: COPY on PostgreSQL (with the sealed columns encrypted first,
as COPY skips the column types, and the rows put in COPY's format by the processes that
build them), executemany on SQLite, and the next batch built in a thread while the database
digests this one (by several processes, for large seeds).
"""

from __future__ import annotations

import multiprocessing
import signal
from collections import deque
from collections.abc import Callable, Iterable, Iterator, Sequence
from concurrent.futures import Future, ProcessPoolExecutor, ThreadPoolExecutor
from dataclasses import dataclass
from typing import Any, Protocol, TypeVar

from sqlalchemy import Table
from sqlalchemy.orm import Session

from peduli.core.crypto import Sealed
from peduli.core.db import rows_in_copy_text

T = TypeVar("T")
U = TypeVar("U")
Row = tuple[Any, ...]


class Batch(Protocol):
    """Rows for several tables, parents first."""

    def tables(self) -> list[tuple[Table, Sequence[str], list[Row]]]:
        """Each table with its columns and rows."""
        ...


B = TypeVar("B", bound=Batch)


def sealed_for_copy(rows: B) -> B:
    """Encrypt the values of ``Sealed`` columns (contacts, addresses), which COPY writes as
    given; SQLite's INSERT encrypts them through the column type instead."""
    for table, columns, table_rows in rows.tables():
        sealed = [
            (position, type_)
            for position, name in enumerate(columns)
            if isinstance(type_ := table.c[name].type, Sealed)
        ]
        if not sealed:
            continue
        for number, row in enumerate(table_rows):
            values = list(row)
            for position, type_ in sealed:
                if values[position] is not None:
                    values[position] = type_.process_bind_param(values[position], None)
            table_rows[number] = tuple(values)
    return rows


@dataclass(frozen=True)
class CopyText:
    """One table's rows of a batch, already in COPY's text format."""

    table: str
    columns: Sequence[str]
    text: bytes
    rows: int


def in_copy_text(rows: Batch) -> list[CopyText]:
    """Each table's rows of ``rows`` (sealed already) in COPY's text format, parents first.

    Made where the rows are built: pickled back as bytes, a batch costs the writing process
    almost nothing, where unpickling and formatting the rows themselves took half of it.
    """
    return [
        CopyText(table.name, columns, rows_in_copy_text(table_rows), len(table_rows))
        for table, columns, table_rows in rows.tables()
    ]


def copy_text(session: Session, tables: Sequence[CopyText]) -> None:
    """PostgreSQL: one COPY per table of rows formatted already (``in_copy_text``)."""
    raw = session.connection().connection.driver_connection
    assert raw is not None
    with raw.cursor() as cursor:
        if raw.info.encoding != "utf-8":  # the text was encoded so
            cursor.execute("SET LOCAL client_encoding TO 'UTF8'")
        for table in tables:
            if table.rows:
                statement = f"COPY {table.table} ({', '.join(table.columns)}) FROM STDIN"
                with cursor.copy(statement) as copy:
                    copy.write(table.text)


def prefetched(items: Iterator[T]) -> Iterator[T]:
    """Yield ``items``, building the next one in a thread while the caller uses this one.

    The database digests a batch on its own core while Python builds the next, so a seed
    takes about as long as the slower of the two rather than their sum.
    """
    with ThreadPoolExecutor(max_workers=1, thread_name_prefix="seed-rows") as pool:
        upcoming = pool.submit(next, items, None)
        while (item := upcoming.result()) is not None:
            upcoming = pool.submit(next, items, None)
            yield item


def copy_rows(session: Session, rows: Batch) -> None:
    """PostgreSQL: one COPY per table, through the session's own connection."""
    raw = session.connection().connection.driver_connection
    assert raw is not None
    with raw.cursor() as cursor:
        for table, columns, table_rows in rows.tables():
            if not table_rows:
                continue
            statement = f"COPY {table.name} ({', '.join(columns)}) FROM STDIN"
            with cursor.copy(statement) as copy:
                for row in table_rows:
                    copy.write_row(row)


def insert_rows(session: Session, rows: Batch) -> None:
    """SQLite: one executemany per table, inside the caller's transaction."""
    for table, columns, table_rows in rows.tables():
        if table_rows:
            session.execute(
                table.insert(), [dict(zip(columns, row, strict=True)) for row in table_rows]
            )


def in_order(function: Callable[[T], U], items: Iterable[T], *, processes: int) -> Iterator[U]:
    """``map(function, items)`` over ``processes`` fresh processes, results in order and at
    most one per process waiting (memory stays bounded); in this process when 1."""
    if processes <= 1:
        yield from map(function, items)
        return
    # Spawned, not forked: the caller has threads and open connections a fork would copy.
    context = multiprocessing.get_context("spawn")
    pool = ProcessPoolExecutor(processes, mp_context=context, initializer=_ignore_interrupts)
    pending: deque[Future[U]] = deque()
    try:
        for item in items:
            pending.append(pool.submit(function, item))
            if len(pending) > processes:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()
    finally:
        pool.shutdown(cancel_futures=True)


def _ignore_interrupts() -> None:
    """Ctrl-C reaches the whole process group: the parent decides when to stop."""
    signal.signal(signal.SIGINT, signal.SIG_IGN)
