"""The active registry read once, for the batch: its blocked pairs found in memory.

Writing every person's blocking keys to a temporary table and joining it cost a third of the
batch at 1,000,000 people (25 s), and the records of the people in a pair were then read
again. Splink reads the rows once and joins them in memory; so does the batch: one scan of
the person table and one of the passports and phones, and the pairs found by grouping the
blocking keys in memory. The keys are the strings the online match looks up
(``blocking.CANDIDATE_IDS``), built alike, so the pairs are the same: two people sharing one.
"""

from __future__ import annotations

import gc
import uuid
from collections.abc import Iterable, Iterator, Sequence
from contextlib import contextmanager
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import func, select, text
from sqlalchemy.orm import Session

from peduli.core.db import is_postgres
from peduli.registry.models import ContactKind, ContactPoint, Passport, Person, PersonStatus

Ints = npt.NDArray[np.int64]
WORK_MEM = "256MB"


def _held(column: Any, *where: Any) -> Any:
    """Each person's blind indexes of one kind, comma-separated (hex digests have none)."""
    return (
        select(column.table.c.person_id, func.aggregate_strings(column, ",").label("held"))
        .where(*where)
        .group_by(column.table.c.person_id)
        .subquery()
    )


_PASSPORTS = _held(Passport.number_index)
_PHONES = _held(ContactPoint.value_index, ContactPoint.kind == ContactKind.PHONE)
# A person's identifiers on its row: two grouped joins instead of a row for each
# identifier, to be matched to its person by id in Python.
_ROWS = (
    select(
        Person.id, Person.name_key, Person.sex, Person.date_of_birth, Person.place_of_birth,
        Person.nik_encrypted, Person.link_token_a, Person.link_token_b, Person.link_region,
        Person.link_name_year, Person.link_name_day, Person.link_initials,
        _PASSPORTS.c.held, _PHONES.c.held,
    )
    .outerjoin(_PASSPORTS, _PASSPORTS.c.person_id == Person.id)
    .outerjoin(_PHONES, _PHONES.c.person_id == Person.id)
    .where(Person.status == PersonStatus.ACTIVE)
)  # fmt: skip


@contextmanager
def collector_paused() -> Iterator[None]:
    """Python's cyclic garbage collector paused while millions of rows, tuples and lists
    are built, none of them in a cycle: its passes over every live object, triggered by the
    allocations, took 8.6 s of the 22.1 s reading 1,000,000 people, 2.6 s of blocking."""
    enabled = gc.isenabled()
    gc.disable()
    try:
        yield
    finally:
        if enabled:
            gc.enable()


@dataclass(frozen=True)
class Snapshot:
    """The active people's rows in id order (row i's id is smaller than row j's for i < j,
    as the pairs are stored), with each one's passports' and phones' blind indexes."""

    rows: Sequence[Any]  # the columns of ``_ROWS``
    passports: Sequence[Sequence[str]]
    phones: Sequence[Sequence[str]]

    @property
    def ids(self) -> list[uuid.UUID]:
        return [row[0] for row in self.rows]

    @collector_paused()
    def blocked(self) -> tuple[Ints, Ints]:
        """The pairs sharing a blocking key, once each, as rows (the smaller first), in
        the order of the pairs' rows."""
        count = len(self.rows)
        columns = list(zip(*self.rows, strict=True)) or [()] * len(_ROWS.selected_columns)
        born, token_a, token_b, region = (columns[i] for i in (3, 6, 7, 8))
        tokens: dict[Any, int] = {}
        first, second = numbered(token_a, tokens), numbered(token_b, tokens)
        everyone = np.arange(count, dtype=np.int64)
        keys: list[tuple[Ints, Ints]] = []  # each kind's (code, owner), codes from 0
        for prefix in (numbered(born), numbered(region)):
            # The birth date (of fixed width) or the regency (a hex digest) with either
            # token: the SQL key's string, compared by its two parts.
            codes = np.concatenate([prefix * len(tokens) + first, prefix * len(tokens) + second])
            present = (np.concatenate([first, second]) >= 0) & (np.tile(prefix, 2) >= 0)
            keys.append((codes[present], np.tile(everyone, 2)[present]))
        for column in columns[9:12]:  # the name-year, name-day and initials keys
            codes = numbered(column)
            keys.append((codes[codes >= 0], everyone[codes >= 0]))
        phones = [phone for held in self.phones for phone in held]
        keys.append((numbered(phones), np.repeat(everyone, [len(h) for h in self.phones])))
        # One code space: each kind's codes after the previous kind's.
        offsets = np.cumsum([0] + [int(c.max()) + 1 if len(c) else 0 for c, _ in keys[:-1]])
        return sharing(
            np.concatenate(
                [codes + offset for (codes, _), offset in zip(keys, offsets, strict=True)]
            ),
            np.concatenate([owner for _, owner in keys]),
            count,
        )

    def pair_ids(self) -> list[tuple[uuid.UUID, uuid.UUID]]:
        """The blocked pairs as ids, the smaller first."""
        ids = self.ids
        left, right = self.blocked()
        return [(ids[a], ids[b]) for a, b in zip(left.tolist(), right.tolist(), strict=True)]


@collector_paused()
def read(session: Session) -> Snapshot:
    """Every active person's row and identifiers, in one statement (through the
    connection: the ORM's row handling would double the time)."""
    if is_postgres(session):
        # The identifiers' groups hashed in memory, not sorted in 4 MB runs spilled to
        # disk (the default); for this transaction only, which is the batch's own.
        session.execute(text(f"SET LOCAL work_mem = '{WORK_MEM}'"))
    rows = session.connection().execute(_ROWS).all()
    raw = b"".join(row[0].bytes for row in rows)
    halves = np.frombuffer(raw, dtype=">u8").reshape(len(rows), 2)
    rows = [rows[i] for i in np.lexsort((halves[:, 1], halves[:, 0])).tolist()]
    passports = [held.split(",") if held else () for held in (row[-2] for row in rows)]
    phones = [held.split(",") if held else () for held in (row[-1] for row in rows)]
    return Snapshot(rows, passports, phones)


def numbered(values: Iterable[Any], numbers: dict[Any, int] | None = None) -> Ints:
    """Each value's number among the distinct values, None -1; ``numbers`` (the values
    numbered so far) is shared by the calls given it."""
    numbers = {} if numbers is None else numbers
    number = numbers.setdefault
    return np.array([-1 if v is None else number(v, len(numbers)) for v in values], np.int64)


def sharing(codes: Ints, owners: Ints, count: int) -> tuple[Ints, Ints]:
    """The pairs of owners (of ``count``) holding an equal code, once each, the smaller
    owner first, ordered by owner: the self-join of the holders on the code, by sorting."""
    order = np.argsort(codes, kind="stable")
    codes, owner = codes[order], owners[order]
    # Where each holder's group ends (the groups are runs of one code).
    group_ends = np.r_[np.flatnonzero(np.diff(codes)) + 1, len(codes)]
    ends = np.repeat(group_ends, np.diff(np.r_[0, group_ends]))
    # Each holder paired with the holder ``gap`` places later in its group, for every gap:
    # a group of k yields its k(k-1)/2 pairs, and the loop runs as long as the largest group.
    lefts, rights = [np.empty(0, np.int64)], [np.empty(0, np.int64)]
    here = np.flatnonzero(ends - np.arange(len(codes)) > 1)
    gap = 1
    while len(here):
        lefts.append(owner[here])
        rights.append(owner[here + gap])
        gap += 1
        here = here[ends[here] - here > gap]
    a, b = np.concatenate(lefts), np.concatenate(rights)
    low, high = np.minimum(a, b), np.maximum(a, b)
    pairs = np.unique((low * count + high)[low != high])
    return pairs // count, pairs % count
