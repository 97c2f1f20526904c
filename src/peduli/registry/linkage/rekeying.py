"""Every person's blocking keys computed again (``peduli registry rekey``).

A person's keys are written with the record (``keys.refresh``), so they go stale only when
the rule under them changes: a retrained model's token table moves names across
``keys.COMMON_TOKEN``, a release changes what a key holds, or the database was keyed by an
older release. Stale keys do not lose data, but they lose matches (a person keyed the old
way is not in the blocks a new report is looked up in), so after such a change this job
brings the whole registry to the current rule.

It works in batches keyed by the person's id (keyset pagination: a batch starts after the
last id of the one before), each its own short transaction, so the platform keeps running,
and an interrupted run loses at most one batch and is simply run again. A row is written only
when one of its keys differs, and only if the fields the keys come from still hold what was
read (compare-and-set): a correction made meanwhile has refreshed the keys itself and wins.
``updated_at`` keeps its value: the keys are derived, not the person's data, and exports of
"changed since" must not resend everyone. Each batch that rewrote keys leaves one audit
entry saying how many.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from typing import Any

from sqlalchemy import Row, Table, bindparam, func, select, update
from sqlalchemy.orm import Session

from peduli.auth import audit
from peduli.auth.actor import SYSTEM
from peduli.registry.linkage.keys import LINK_COLUMNS, stored_keys
from peduli.registry.models import Person

SessionFactory = Callable[[], Session]
DEFAULT_BATCH = 2000
# What the keys are computed from, compared again when they are written. The NIK is
# compared by its blind index: its ciphertext changes when the data key is rotated.
SOURCES = (Person.date_of_birth, Person.sex, Person.place_of_birth, Person.nik_index)
KEYS = tuple(getattr(Person, column) for column in LINK_COLUMNS)


@dataclass(frozen=True)
class Progress:
    """``done`` of ``total`` people read; ``rewritten`` of them had stale keys, now current."""

    done: int
    total: int
    rewritten: int


def rekey(
    session_factory: SessionFactory,
    batch_size: int = DEFAULT_BATCH,
    on_batch: Callable[[Progress], None] | None = None,
) -> Progress:
    """Bring every person's keys to the current rule; what was read and rewritten."""
    with session_factory() as session:
        total = session.scalar(select(func.count()).select_from(Person)) or 0
    progress = Progress(0, total, 0)
    last: Any = None
    while True:
        with session_factory() as session, session.begin():
            rows = _batch(session, last, batch_size)
            if not rows:
                return progress
            rewritten = write_keys(session, [change for row in rows if (change := _stale(row))])
            if rewritten:
                _audit(session, rewritten)
        last = rows[-1].id
        progress = Progress(progress.done + len(rows), total, progress.rewritten + rewritten)
        if on_batch is not None:
            on_batch(progress)


def _audit(session: Session, rewritten: int) -> None:
    """One entry per batch that rewrote keys, in its transaction: an interrupted run's
    batches are accounted for too."""
    audit.record(
        session,
        actor=SYSTEM,
        action="registry.rekey",
        entity_type="person",
        fields=[key.key for key in KEYS],
        reason=f"blocking keys computed again by the current rule: {rewritten} rewritten",
    )


def _batch(session: Session, after: Any, size: int) -> Sequence[Row[*tuple[Any, ...]]]:
    query = select(Person.id, Person.full_name, Person.nik_encrypted, *SOURCES, *KEYS)
    if after is not None:
        query = query.where(Person.id > after)
    return session.execute(query.order_by(Person.id).limit(size)).all()


def _stale(row: Row[*tuple[Any, ...]]) -> dict[str, Any] | None:
    """The row's parameters for ``write_keys`` if its keys differ from the current rule's."""
    current = stored_keys(
        row.full_name, row.date_of_birth, row.nik_encrypted, row.sex, row.place_of_birth
    ).columns()
    if current == {column: getattr(row, column) for column in LINK_COLUMNS}:
        return None
    read = {f"read_{column.key}": getattr(row, column.key) for column in SOURCES}
    new = {f"new_{column}": value for column, value in current.items()}
    return {"person": row.id, "read_full_name": row.full_name} | read | new


def write_keys(session: Session, changes: list[dict[str, Any]]) -> int:
    """Write the new keys of each change whose source fields are still as read; how many
    rows were written (one executemany statement)."""
    if not changes:
        return 0
    table = Person.__table__
    assert isinstance(table, Table)
    held = [
        table.c.id == bindparam("person"),
        table.c.full_name == bindparam("read_full_name"),
        *(
            table.c[column.key].is_not_distinct_from(bindparam(f"read_{column.key}"))
            for column in SOURCES
        ),
    ]
    statement = (
        update(table)
        .where(*held)
        .values(
            {key.key: bindparam(f"new_{key.key}") for key in KEYS}
            | {"updated_at": table.c.updated_at}
        )
    )
    return session.execute(statement, changes).rowcount  # type: ignore[attr-defined]
