"""Counts of groups of messages kept as each message goes (``OutboxTally``).

A live screen of a million-message broadcast asked the outbox, on every poll, how each of
the million messages fared: a join by idempotency key, 4 s of database time a call at a
million, while HQ polls every few seconds. A message that belongs to a tally now carries its
id (``OutboxMessage.tally_id``), and every statement that moves messages from one state to
another also adds what it moved to their tallies, in its own transaction: queued when
written, sent, delivered when the provider says so, dead, and back from dead when HQ puts a
dead letter back in line. A screen then reads a few rows.

Each statement learns which messages it moved from its own ``RETURNING``, never from a
read before it, so a message two workers race for (a receipt repeated, an orphan reclaimed)
is counted by the one statement that moved it. What it moved is appended as a change
(``OutboxTallyChange``), never added to a row of counts: writers of the same tally never
wait for one another. A screen sums the changes: about two a batch of messages.
"""

from __future__ import annotations

from collections import Counter
from collections.abc import Collection, Iterable, Mapping
from dataclasses import dataclass
from typing import Any

from sqlalchemy import (
    ColumnElement,
    Select,
    and_,
    func,
    insert,
    literal,
    select,
    true,
)
from sqlalchemy.orm import Session

from peduli.core.db import insert_on_conflict
from peduli.notify.models import OutboxTally, OutboxTallyChange

COUNTS = ("queued", "sent", "delivered", "dead")


@dataclass(frozen=True)
class TallyFigures:
    """One channel's messages of a tally (or of several summed): still waiting (queued,
    in flight or to be retried), sent, reported delivered (a part of the sent), dead."""

    waiting: int
    sent: int
    delivered: int
    dead: int


def ensure(session: Session, names: Select[Any], *, channel: str) -> None:
    """A tally on ``channel`` for each distinct name ``names`` selects (one column); those
    that exist are kept as they are. Call it before queuing messages that join them
    (``joins``)."""
    named = names.subquery()
    rows = (
        select(named.c[0].label("name"), literal(channel).label("channel"))
        .where(true())  # SQLite reads ``INSERT … SELECT … ON CONFLICT`` right with a WHERE
        .distinct()
    )
    session.execute(
        insert_on_conflict(session, OutboxTally)
        .from_select(["name", "channel"], rows)
        .on_conflict_do_nothing(index_elements=["name", "channel"])
    )


def joins(name: ColumnElement[str], channel: str) -> ColumnElement[bool]:
    """The join of a message SELECT to its tally: the one named ``name`` (in SQL, per row)
    on ``channel``; select ``OutboxTally.id`` as the message's ``tally_id``."""
    return and_(OutboxTally.name == name, OutboxTally.channel == channel)


def add(session: Session, count: str, tally_ids: Iterable[int | None], *, by: int = 1) -> None:
    """Add ``by`` to the ``count`` of each message's tally, once per message (the ids a
    statement returned for the rows it moved; None for a message of no tally)."""
    add_counted(session, count, Counter(tally_ids), by=by)


def add_counted(
    session: Session, count: str, moved: Mapping[int | None, int], *, by: int = 1
) -> None:
    """Add ``by`` times each tally's number of messages moved (``{tally_id: how many}``, as
    a statement grouped them) to its ``count``; None (messages of no tally) is left out."""
    if count not in COUNTS:
        raise ValueError(f"a tally counts {', '.join(COUNTS)}, not {count}")
    counted = {tally_id: n for tally_id, n in moved.items() if tally_id is not None and n}
    if not counted:
        return
    session.connection().execute(
        insert(OutboxTallyChange),
        [{"tally_id": tally_id, count: n * by} for tally_id, n in counted.items()],
    )


def totals(
    session: Session, *, prefix: str, names: Collection[str] | None = None
) -> dict[str, TallyFigures]:
    """Per channel, the sums of the tallies whose name starts with ``prefix`` (and is one of
    ``names``, when given); a channel with no tally has no entry."""
    where: list[ColumnElement[bool]] = [OutboxTally.name.startswith(prefix, autoescape=True)]
    if names is not None:
        where.append(OutboxTally.name.in_(sorted(names)))
    rows = session.execute(
        select(
            OutboxTally.channel,
            *(func.sum(getattr(OutboxTallyChange, count)).label(count) for count in COUNTS),
        )
        .join(OutboxTallyChange, OutboxTallyChange.tally_id == OutboxTally.id)
        .where(*where)
        .group_by(OutboxTally.channel)
    ).mappings()
    return {
        row["channel"]: TallyFigures(
            waiting=int(row["queued"] - row["sent"] - row["dead"]),
            sent=int(row["sent"]),
            delivered=int(row["delivered"]),
            dead=int(row["dead"]),
        )
        for row in rows
    }
