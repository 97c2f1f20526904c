"""Staging an export's rows: read, checked and sealed in worker processes, chunk by chunk,
and written to the staging table with COPY (PostgreSQL) or one ``executemany`` (SQLite).

Reading a row is Python work (a phone number parsed, three identifiers sealed and
blind-indexed, a name keyed); ``PROCESSES`` processes read the next chunks while this
process copies the last one into the database. A chunk's rows come back in file order, so
a chunk is written, and checkpointed, as one: for PostgreSQL as the COPY's text, made in
the reader (pickling the rows' tuples of UUIDs and dates across processes cost more than
making the text), for SQLite as tuples.
"""

from __future__ import annotations

import multiprocessing
import os
import re
import uuid
from collections import deque
from collections.abc import Iterator
from concurrent.futures import Executor, Future, ProcessPoolExecutor
from dataclasses import dataclass
from datetime import date
from functools import cache
from itertools import chain, islice
from typing import Any

from sqlalchemy import insert
from sqlalchemy.orm import Session

from peduli.agencies.imports_columns import STAGE_COLUMNS, Layout
from peduli.agencies.imports_problems import sealed_detail
from peduli.agencies.imports_rows import RowReader
from peduli.agencies.models import AgencyImportProblem, AgencyImportRow
from peduli.core.crypto import get_cipher
from peduli.reference.profile import get_profile

# Processes that read rows: one per core, at least two (the database has a core of its own).
PROCESSES = max(2, min(8, os.cpu_count() or 1))
PROBLEM_COLUMNS = ("import_id", "row_number", "column", "code", "detail_encrypted")
Cells = tuple[int, tuple[Any, ...]]


@dataclass(frozen=True)
class ReadChunk:
    """A chunk's rows for the staging table and its problems, as tuples or COPY text."""

    rows: list[tuple[Any, ...]] | bytes
    problems: list[tuple[Any, ...]] | bytes
    size: int
    last_row: int


_COPY_ESCAPES = str.maketrans({"\\": "\\\\", "\t": "\\t", "\n": "\\n", "\r": "\\r"})
_COPY_SPECIAL = re.compile(r"[\\\n\r]")


def _copy_value(value: Any) -> str:
    return "\\N" if value is None else str(value).translate(_COPY_ESCAPES)


def _copy_line(row: tuple[Any, ...]) -> str:
    # Text, numbers, UUIDs, dates and booleans are COPY text as str() writes them; a row is
    # escaped value by value only when a value holds a tab, a line break or a backslash.
    line = "\t".join(["\\N" if value is None else str(value) for value in row])
    if line.count("\t") != len(row) - 1 or _COPY_SPECIAL.search(line):
        line = "\t".join(map(_copy_value, row))
    return line + "\n"


def copy_text(rows: list[tuple[Any, ...]]) -> bytes:
    """Rows in COPY's text format (tab-separated, \\N for null, backslash escapes)."""
    return "".join(map(_copy_line, rows)).encode()


@cache
def _reader(import_id: uuid.UUID, today: date) -> RowReader:
    return RowReader(import_id=import_id, profile=get_profile(), cipher=get_cipher(), today=today)


def read_chunk(
    import_id: uuid.UUID,
    today: date,
    positions: dict[str, int],
    cells: list[Cells],
    as_copy: bool = False,
) -> ReadChunk:
    """Read one chunk (in a worker process, or here): every row checked and sealed;
    ``as_copy``: as COPY text."""
    reader, layout = _reader(import_id, today), Layout(positions)
    rows, problems = [], []
    for number, values in cells:
        row = reader.read(number, values, layout)
        rows.append(row.staged())
        seen: set[tuple[str, str]] = set()
        for problem in row.problems:
            key = (problem.field[:40], problem.code[:40])
            if key not in seen:
                seen.add(key)
                problems.append((import_id, number, *key, sealed_detail(problem)))
    if as_copy:
        return ReadChunk(copy_text(rows), copy_text(problems), len(rows), cells[-1][0])
    return ReadChunk(rows=rows, problems=problems, size=len(rows), last_row=cells[-1][0])


def read_chunks(
    cells: Iterator[Cells],
    *,
    import_id: uuid.UUID,
    today: date,
    layout: Layout,
    size: int,
    as_copy: bool,
) -> Iterator[ReadChunk]:
    """The chunks of ``cells`` read, in order, a few ahead of the caller."""
    processes = PROCESSES
    first = list(islice(cells, 1))
    if first:  # warm the caches here (posts, phone metadata, catalogues): the readers fork
        read_chunk(import_id, today, layout.positions, first)  # with them, not each its own
    cells = chain(first, cells)
    with _pool(processes) as pool:
        window = processes + 1  # chunks read ahead: bounded, the file may be large
        pending: deque[Future[ReadChunk]] = deque()
        chunks = iter(lambda: list(islice(cells, size)), [])
        for chunk in chunks:
            pending.append(
                pool.submit(read_chunk, import_id, today, layout.positions, chunk, as_copy)
            )
            if len(pending) >= window:
                yield pending.popleft().result()
        while pending:
            yield pending.popleft().result()


def _pool(processes: int) -> Executor:
    # Forked, so the children start at once with the parent's modules and settings.
    return ProcessPoolExecutor(
        max_workers=processes, mp_context=multiprocessing.get_context("fork")
    )


def write_chunk(session: Session, chunk: ReadChunk) -> None:
    """The chunk's rows and problems: COPY on PostgreSQL, executemany on SQLite (the
    chunk was read for the database it is written to: ``as_copy``)."""
    if isinstance(chunk.rows, bytes) and isinstance(chunk.problems, bytes):
        raw = session.connection().connection.driver_connection
        assert raw is not None
        with raw.cursor() as cursor:
            for table, columns, text in (
                ("agency_import_row", STAGE_COLUMNS, chunk.rows),
                ("agency_import_problem", PROBLEM_COLUMNS, chunk.problems),
            ):
                quoted = ", ".join(f'"{name}"' for name in columns)
                with cursor.copy(f"COPY {table} ({quoted}) FROM STDIN") as copy:
                    copy.write(text)
        return
    assert isinstance(chunk.rows, list) and isinstance(chunk.problems, list)
    session.execute(insert(AgencyImportRow), [_with_uuids(row) for row in chunk.rows])
    if chunk.problems:
        session.execute(
            insert(AgencyImportProblem),
            [dict(zip(PROBLEM_COLUMNS, p, strict=True)) for p in chunk.problems],
        )


_NEW_IDS = ("person_id", "new_person_id", "new_stay_id", "new_passport_id", "new_contact_id")


def _with_uuids(row: tuple[Any, ...]) -> dict[str, Any]:
    """A staged row for SQLAlchemy, its new ids (hex text, ``imports_ids.new_ids``) as UUIDs."""
    values = dict(zip(STAGE_COLUMNS, row, strict=True))
    for name in _NEW_IDS:
        if values[name] is not None:
            values[name] = uuid.UUID(hex=values[name])
    return values
