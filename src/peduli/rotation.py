"""Re-encrypting personal data under the current data key (``peduli keys rotate``).

The key ring (``PEDULI_DATA_KEYS``) encrypts with its first key and decrypts with any, so a
new key is put first, this job re-encrypts everything sealed under the older ones, and the
old key leaves the ring only afterwards. Every encrypted column declares its purpose
(``core.crypto.sealed_columns``), so the job needs no list of its own; attachment files (a case's,
a chat's) are re-encrypted through their storage.

Work goes table by table in batches keyed by the primary key, each batch its own short
transaction, so the platform keeps running and an interrupted run loses at most one batch.
A value already under the current key is skipped, so running again resumes where the last
run stopped (and a finished run finds nothing to do). Each row is rewritten only if it still
holds the value read (compare-and-set): a concurrent change is never overwritten. Blind
indexes are keyed separately and do not change.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Callable, Iterator
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Column, Table, Text, bindparam, func, select, type_coerce, update
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


@dataclass(frozen=True)
class Progress:
    """Where a rotation is: in ``table``, ``done`` of ``total`` rows read, ``rewritten`` so far."""

    table: str
    done: int
    total: int
    rewritten: int


def _raw(column: Column[Any]) -> Any:
    """The column as stored (a ``Sealed`` column would decrypt on the way out)."""
    return type_coerce(column, Text())


def _groups() -> dict[Table, list[tuple[Column[Any], str]]]:
    groups: dict[Table, list[tuple[Column[Any], str]]] = defaultdict(list)
    for table, column, purpose in sealed_columns(Base.metadata):
        groups[table].append((column, purpose))
    return groups


def rotate(
    session_factory: SessionFactory,
    *,
    batch_size: int = DEFAULT_BATCH,
    on_batch: Callable[[Progress], None] | None = None,
    storage: SealedStorage | None = None,
) -> dict[str, int]:
    """Re-encrypt every value and attachment not under the current key; per table, how many
    values were rewritten."""
    cipher = get_cipher()
    report: dict[str, int] = {}
    for table, columns in _groups().items():
        report[table.name] = 0
        for progress in _rotate_table(session_factory, table, columns, cipher, batch_size):
            report[table.name] = progress.rewritten
            if on_batch is not None:
                on_batch(progress)
    report[ATTACHMENTS] = 0
    for progress in _rotate_files(session_factory, storage or get_storage(), batch_size):
        report[ATTACHMENTS] = progress.rewritten
        if on_batch is not None:
            on_batch(progress)
    return report


def _rotate_table(
    session_factory: SessionFactory,
    table: Table,
    columns: list[tuple[Column[Any], str]],
    cipher: FieldCipher,
    batch_size: int,
) -> Iterator[Progress]:
    [key] = table.primary_key.columns
    with session_factory() as session:
        total = session.scalar(select(func.count()).select_from(table)) or 0
    done = rewritten = 0
    last: Any = None
    while True:
        with session_factory() as session, session.begin():
            query = select(key, *(_raw(c) for c, _p in columns)).order_by(key).limit(batch_size)
            if last is not None:
                query = query.where(key > last)
            rows = session.execute(query).all()
            if not rows:
                return
            for position, (column, purpose) in enumerate(columns, start=1):
                changes = [
                    {
                        "_key": row[0],
                        "_old": row[position],
                        "_new": _resealed(cipher, row, position, purpose),
                    }
                    for row in rows
                    if _stale(cipher, row[position])
                ]
                if changes:
                    session.execute(_compare_and_set(table, key, column), changes)
                    rewritten += len(changes)
        last = rows[-1][0]
        done += len(rows)
        yield Progress(table.name, done, total, rewritten)


def _stale(cipher: FieldCipher, value: Any) -> bool:
    return isinstance(value, str) and cipher.is_sealed(value) and cipher.needs_rotation(value)


def _resealed(cipher: FieldCipher, row: Any, position: int, purpose: str) -> str:
    return cipher.encrypt(cipher.decrypt(row[position], purpose=purpose), purpose=purpose)


def _compare_and_set(table: Table, key: Column[Any], column: Column[Any]) -> Any:
    return (
        update(table)
        .where(key == bindparam("_key"), _raw(column) == bindparam("_old", type_=Text()))
        .values({column.name: type_coerce(bindparam("_new", type_=Text()), Text())})
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
