"""Re-encrypting personal data under the current data key (``peduli keys rotate``).

The key ring (``PEDULI_DATA_KEYS``) encrypts with its first key and decrypts with any, so a
new key is put first, this job re-encrypts everything sealed under the older ones, and the
old key leaves the ring only afterwards. Every encrypted column declares its purpose
(``core.crypto.sealed_columns``), so the job needs no list of its own; attachment files (a case's,
a chat's) are re-encrypted through their storage.

Work goes table by table in batches keyed by the primary key (keyset pagination: a batch
starts after the last key of the one before, never at an OFFSET), each batch its own short
transaction, so the platform keeps running and an interrupted run loses at most one batch.
A value already under the current key is skipped, so running again resumes where the last
run stopped (and a finished run finds nothing to do). Each value is rewritten only if it still
holds the value read (compare-and-set): a concurrent change is never overwritten. Blind
indexes are keyed separately and do not change.

At ten million people a row-by-row rewrite takes hours, so a batch is written by one
``UPDATE … FROM (VALUES …)`` that sets every stale column of a row at once; ``workers``
threads split each table's keys into ranges (AES-GCM in ``cryptography`` releases the GIL
and the database works while Python seals); ``max_rows_per_second`` holds the whole job
below a rate so that the platform's own requests keep their latency.
"""

from __future__ import annotations

import queue
import threading
import time
from collections import defaultdict
from collections.abc import Callable, Iterator, Sequence
from concurrent.futures import Future, ThreadPoolExecutor
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from sqlalchemy import (
    Column,
    Table,
    Text,
    bindparam,
    case,
    column,
    func,
    or_,
    select,
    text,
    type_coerce,
    update,
)
from sqlalchemy.orm import Session

from peduli.cases.models import CaseAttachment
from peduli.cases.storage import SealedStorage, get_storage
from peduli.conversations.models import ConversationMessage
from peduli.core.crypto import FieldCipher, get_cipher, sealed_columns
from peduli.models import Base
from peduli.services.models import ApplicationDocument

SessionFactory = Callable[[], Session]
DEFAULT_BATCH = 1000
ATTACHMENTS = "attachment files"
# Where stored files are named: a case's attachments, and the photos and documents of chats.
FILE_KEYS = (
    (CaseAttachment.id, CaseAttachment.storage_key),
    (ConversationMessage.id, ConversationMessage.attachment_key),
    (ApplicationDocument.id, ApplicationDocument.storage_key),
)
# Bound parameters per statement: below SQLite's 32,766 and PostgreSQL's 65,535.
MAX_PARAMETERS = 30_000


@dataclass(frozen=True)
class Progress:
    """Where a rotation is: in ``table``, ``done`` of ``total`` rows read, ``rewritten`` so far."""

    table: str
    done: int
    total: int
    rewritten: int


class Pace:
    """Lets all workers together read at most ``rows_per_second`` rows (None: no limit)."""

    def __init__(self, rows_per_second: float | None) -> None:
        self.rows_per_second = rows_per_second
        self._lock = threading.Lock()
        self._next = time.monotonic()

    def wait(self, rows: int) -> None:
        """Sleep until ``rows`` more rows fit under the rate."""
        if self.rows_per_second is None:
            return
        with self._lock:
            start = max(self._next, time.monotonic())
            self._next = start + rows / self.rows_per_second
        time.sleep(max(0.0, start - time.monotonic()))


@dataclass(frozen=True)
class _Job:
    """What every batch of one table needs."""

    session_factory: SessionFactory
    table: Table
    columns: list[tuple[Column[Any], str]]
    cipher: FieldCipher
    batch_size: int
    pace: Pace
    stop: threading.Event

    @property
    def key(self) -> Column[Any]:
        [key] = self.table.primary_key.columns
        return key


def _raw(column: Column[Any]) -> Any:
    """The column as stored (a ``Sealed`` column would decrypt on the way out)."""
    return type_coerce(column, Text())


def _groups() -> dict[Table, list[tuple[Column[Any], str]]]:
    groups: dict[Table, list[tuple[Column[Any], str]]] = defaultdict(list)
    for table, column_, purpose in sealed_columns(Base.metadata):
        groups[table].append((column_, purpose))
    return groups


def rotate(
    session_factory: SessionFactory,
    *,
    batch_size: int = DEFAULT_BATCH,
    workers: int = 1,
    max_rows_per_second: float | None = None,
    on_batch: Callable[[Progress], None] | None = None,
    storage: SealedStorage | None = None,
) -> dict[str, int]:
    """Re-encrypt every value and attachment not under the current key; per table, how many
    values were rewritten."""
    cipher = get_cipher()
    pace = Pace(max_rows_per_second)
    stop = threading.Event()
    report: dict[str, int] = {}
    with ThreadPoolExecutor(max_workers=workers, thread_name_prefix="rotate") as pool:
        try:
            for table, columns in _groups().items():
                job = _Job(session_factory, table, columns, cipher, batch_size, pace, stop)
                report[table.name] = 0
                for progress in _rotate_table(job, pool, workers):
                    report[table.name] = progress.rewritten
                    if on_batch is not None:
                        on_batch(progress)
        finally:
            stop.set()  # the other workers end after their batch, then the pool closes
    report[ATTACHMENTS] = 0
    for progress in _rotate_files(session_factory, storage or get_storage(), batch_size):
        report[ATTACHMENTS] = progress.rewritten
        if on_batch is not None:
            on_batch(progress)
    return report


def _rotate_table(job: _Job, pool: ThreadPoolExecutor, workers: int) -> Iterator[Progress]:
    """The table's key ranges worked on at once, one progress per batch, whichever range."""
    with job.session_factory() as session:
        total = session.scalar(select(func.count()).select_from(job.table)) or 0
        ranges = _ranges(session, job, total, workers)
    reports: queue.Queue[tuple[int, int] | Future[None]] = queue.Queue()
    futures: list[Future[None]] = []
    for low, high in ranges:
        future = pool.submit(_rotate_range, job, low, high, reports)
        future.add_done_callback(reports.put)
        futures.append(future)
    done = rewritten = finished = 0
    while finished < len(futures):
        report = reports.get()
        if isinstance(report, Future):
            report.result()  # a worker's error ends the run
            finished += 1
            continue
        done += report[0]
        rewritten += report[1]
        yield Progress(job.table.name, done, total, rewritten)


def _ranges(session: Session, job: _Job, total: int, workers: int) -> list[tuple[Any, Any]]:
    """``workers`` ranges of keys ``(low, high]`` with as many rows each (None: open end)."""
    if workers == 1 or total < 2 * job.batch_size:
        return [(None, None)]
    query = select(job.key).order_by(job.key).limit(1)
    bounds = [session.scalar(query.offset(total * i // workers)) for i in range(1, workers)]
    edges = [None, *sorted({b for b in bounds if b is not None})]
    return list(zip(edges, [*edges[1:], None], strict=True))


def _rotate_range(
    job: _Job, low: Any, high: Any, reports: queue.Queue[tuple[int, int] | Future[None]]
) -> None:
    """Batch after batch of keys in ``(low, high]``: rows read and values rewritten of each."""
    last = low
    while not job.stop.is_set():
        with job.session_factory() as session, session.begin():
            query = select(job.key, *(_raw(c) for c, _p in job.columns))
            if last is not None:
                query = query.where(job.key > last)
            if high is not None:
                query = query.where(job.key <= high)
            rows = session.execute(query.order_by(job.key).limit(job.batch_size)).all()
            if not rows:
                return
            job.pace.wait(len(rows))
            rewritten = _rewrite(session, job, rows)
        last = rows[-1][0]
        reports.put((len(rows), rewritten))


def _rewrite(session: Session, job: _Job, rows: Sequence[Any]) -> int:
    """Reseal the stale values of ``rows``; how many were written (a changed one is not)."""
    changes = {}
    for row in rows:
        pairs: list[str | None] = []
        for position, (_column, purpose) in enumerate(job.columns, start=1):
            if _stale(job.cipher, row[position]):
                pairs += [row[position], _resealed(job.cipher, row, position, purpose)]
            else:
                pairs += [None, None]
        if any(pairs):
            changes[row[0]] = pairs
    chunk = MAX_PARAMETERS // (1 + 2 * len(job.columns))
    batch = list(changes.items())
    written = 0
    for start in range(0, len(batch), chunk):
        rows_now = batch[start : start + chunk]
        parameters = {
            f"_{r}_{j}": value
            for r, (key, pairs) in enumerate(rows_now)
            for j, value in enumerate((key, *pairs))
        }
        statement = _compare_and_set(job.table, tuple(job.columns), len(rows_now))
        for key, *stored in session.execute(statement, parameters):
            written += sum(
                value == new for value, new in zip(stored, changes[key][1::2], strict=True)
            )
    return written


def _stale(cipher: FieldCipher, value: Any) -> bool:
    return isinstance(value, str) and cipher.is_sealed(value) and cipher.needs_rotation(value)


def _resealed(cipher: FieldCipher, row: Any, position: int, purpose: str) -> str:
    return cipher.encrypt(cipher.decrypt(row[position], purpose=purpose), purpose=purpose)


@lru_cache(maxsize=256)
def _compare_and_set(table: Table, columns: tuple[tuple[Column[Any], str], ...], rows: int) -> Any:
    """One statement for ``rows`` rows: each column takes its new value where it still holds
    the old one; returns the key and the values of each row written.

    Values are bound parameters (``_{row}_0`` the key, then the old and new value of each
    column), so the statement is built and compiled once per table and size, not per batch.
    Columns stamped on update (``updated_at``) keep their value: re-encrypting is not a
    change of the person's data, and exports "changed since" must not resend everyone."""
    [key] = table.primary_key.columns
    width = 1 + 2 * len(columns)
    # A VALUES list in text keeps the statement cacheable (a ``values()`` construct is
    # compiled again for every batch); both databases name its columns column1, column2, ….
    slots = ", ".join(
        "(" + ", ".join(f":_{r}_{j}" for j in range(width)) + ")" for r in range(rows)
    )
    types = [key.type] + [Text()] * (width - 1)
    batch = (
        text(f"VALUES {slots}")
        .bindparams(
            *(bindparam(f"_{r}_{j}", type_=types[j]) for r in range(rows) for j in range(width))
        )
        .columns(*(column(f"column{j + 1}", types[j]) for j in range(width)))
        .cte("batch")
    )
    old = [batch.c[f"column{2 + 2 * i}"] for i in range(len(columns))]
    new = [batch.c[f"column{3 + 2 * i}"] for i in range(len(columns))]
    held = [(col, _raw(col) == old[i]) for i, (col, _p) in enumerate(columns)]
    stamps = {col.name: col for col in table.columns if col.onupdate is not None}
    return (
        update(table)
        .where(key == batch.c.column1, or_(*(still for _c, still in held)))
        .values(
            stamps
            | {
                col.name: case((still, new[i]), else_=_raw(col))
                for i, (col, still) in enumerate(held)
            }
        )
        .returning(key, *(_raw(col) for col, _p in columns))
        .execution_options(synchronize_session=False)
    )


def _rotate_files(
    session_factory: SessionFactory, storage: SealedStorage, batch_size: int
) -> Iterator[Progress]:
    """The stored files of every table that keeps some, in batches by primary key."""
    with session_factory() as session:
        total = sum(
            session.scalar(select(func.count()).where(key_column.is_not(None))) or 0
            for _id, key_column in FILE_KEYS
        )
    done = rewritten = 0
    for id_column, key_column in FILE_KEYS:
        last: Any = None
        while True:
            with session_factory() as session:
                query = select(id_column, key_column).where(key_column.is_not(None))
                if last is not None:
                    query = query.where(id_column > last)
                rows = session.execute(query.order_by(id_column).limit(batch_size)).all()
            if not rows:
                break
            rewritten += sum(storage.rotate(str(stored)) for _id, stored in rows)
            last = rows[-1][0]
            done += len(rows)
            yield Progress(ATTACHMENTS, done, total, rewritten)
