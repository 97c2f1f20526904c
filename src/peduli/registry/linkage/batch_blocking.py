"""The batch's blocking in bounded memory: the registry's keys read once as numbers, the
pairs found part by part.

Why: the batch used to hold every active person's whole row (name, NIK, keys, identifiers
as Python objects) while it found the pairs: 2.3 GB at 1,000,000 people, so some 23 GB at
the platform's 10,000,000, all this machine has. Here one streamed pass keeps only numbers
for each person: its id (two 64-bit halves), its birth date, and each blocking key as an
integer. The tokens and the regencies (a few hundred thousand distinct values at most) are
numbered exactly and combined with the birth date or the regency, as the SQL compared them;
the name-year, name-day and initials keys and the phones (nearly one value a person, too
many to number in a dict) by Python's 64-bit string hash. A key held by one person only
pairs no one and is dropped as soon as each kind is grouped; what stays is a few integers
for each holding of a shared key (39 MB for 1,000,000 people; the pass itself peaks at
about 175 bytes a person, measured in docs/performance.md). The whole rows are read
later, a part at a time (``batch``).

A pair belongs to the part of its first person in birth-date order. Every key but the
name-day key and the phone holds the birth date or year, so most pairs join people of
neighbouring ranks and a part loads few people from outside its range. Parts are cut so
that each holds at most ``pairs_per_part`` pairs, counted before pairs found by two keys
are merged (an upper bound); a part holds at least one person's pairs.

The pairs are the SQL join's: equal strings have equal numbers. A hash can also make two
different strings of one kind equal, with probability 2**-64 for each two: among
10,000,000 people about 1 in 100,000 that one extra pair is scored, none ever missed.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator, Sequence
from dataclasses import dataclass
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import select, text
from sqlalchemy.orm import Session

from peduli.core.db import is_postgres
from peduli.registry.linkage import records
from peduli.registry.linkage.grouping import (
    Ints,
    collector_paused,
    numbered,
    pairs_in_runs,
    run_ends,
)
from peduli.registry.models import ContactKind, ContactPoint, Person, PersonStatus

FETCH = 50_000  # rows a round of the streamed read
WORK_MEM = "256MB"
Halves = npt.NDArray[np.uint64]

_PHONES = records.held(ContactPoint.value_index, ContactPoint.kind == ContactKind.PHONE)
_KEYS = (
    select(
        Person.id, Person.date_of_birth, Person.link_token_a, Person.link_token_b,
        Person.link_region, Person.link_name_year, Person.link_name_day, Person.link_initials,
        _PHONES.c.held,
    )
    .outerjoin(_PHONES, _PHONES.c.person_id == Person.id)
    .where(Person.status == PersonStatus.ACTIVE)
    .execution_options(yield_per=FETCH)
)  # fmt: skip


@dataclass(frozen=True)
class RegistryKeys:
    """The active people ranked by birth date, and the holdings of every key held by more
    than one of them: runs of equal keys, each run's holders in rank order."""

    high: Halves  # each rank's id, as two halves that order as the id does
    low: Halves
    owner: npt.NDArray[np.int32]  # each holding's rank
    run_end: npt.NDArray[np.int32]  # where its run ends
    by_owner: npt.NDArray[np.int32]  # the holdings by owner: those of rank r at
    owner_start: Ints  # by_owner[owner_start[r] : owner_start[r + 1]]

    @property
    def people(self) -> int:
        return len(self.high)

    def parts(self, pairs_per_part: int) -> list[range]:
        """Ranges of ranks holding at most ``pairs_per_part`` pairs each (counted before
        merging the pairs found twice), or one person's pairs if that is more."""
        later = self.run_end.astype(np.int64) - np.arange(len(self.owner)) - 1
        counted = np.cumsum(np.bincount(self.owner, weights=later, minlength=self.people))
        parts: list[range] = []
        start = 0
        while start < self.people:
            before = counted[start - 1] if start else 0.0
            end = int(np.searchsorted(counted, before + pairs_per_part, side="right"))
            parts.append(range(start, max(end, start + 1)))
            start = parts[-1].stop
        return parts

    def pairs(self, part: range) -> tuple[Ints, Ints]:
        """The pairs whose first person by rank is in ``part``, once each, as ranks, the
        person with the smaller id first (as the pairs are stored)."""
        holdings = self.by_owner[self.owner_start[part.start] : self.owner_start[part.stop]]
        a, b = pairs_in_runs(self.owner, self.run_end, np.sort(holdings).astype(np.int64))
        merged = np.unique(a * self.people + b)
        a, b = merged // self.people, merged % self.people
        swap = (self.high[b] < self.high[a]) | (
            (self.high[b] == self.high[a]) & (self.low[b] < self.low[a])
        )
        return np.where(swap, b, a), np.where(swap, a, b)

    def ids(self, ranks: Sequence[int] | Ints) -> list[uuid.UUID]:
        at = np.asarray(ranks, dtype=np.int64)
        return [
            uuid.UUID(int=(high << 64) | low)
            for high, low in zip(self.high[at].tolist(), self.low[at].tolist(), strict=True)
        ]

    def pair_ids(self) -> list[tuple[uuid.UUID, uuid.UUID]]:
        """Every blocked pair as ids, the smaller first (for checks, not for the batch)."""
        left, right = self.pairs(range(self.people))
        return list(zip(self.ids(left), self.ids(right), strict=True))


@collector_paused()
def read_keys(session: Session) -> RegistryKeys:
    """Every active person's blocking keys as numbers, in one streamed statement (through
    the connection: the ORM's row handling would double the time)."""
    if is_postgres(session):
        # For this transaction only, which is the batch's own: the phones' groups hashed
        # in memory, not sorted in 4 MB runs spilled to disk (the default); and the plan
        # chosen for reading every row, not (a cursor's default) the first tenth quickly,
        # which favours index scans in id order over the hash join.
        session.execute(text(f"SET LOCAL work_mem = '{WORK_MEM}'"))
        session.execute(text("SET LOCAL cursor_tuple_fraction = 1.0"))
    numbers: dict[str, dict[Any, int]] = {"token": {}, "region": {}}
    result = session.connection().execute(_KEYS)
    read = [_numbers_of(rows, numbers) for rows in result.partitions()]
    read = read or [_numbers_of([], numbers)]
    return _grouped(read, len(numbers["token"]))


def _numbers_of(rows: Sequence[Any], numbers: dict[str, dict[Any, int]]) -> dict[str, Any]:
    """One round of rows as arrays: ids, birth dates, keys numbered or hashed, phones."""
    columns = list(zip(*rows, strict=True)) or [()] * len(_KEYS.selected_columns)
    halves = np.frombuffer(b"".join(i.bytes for i in columns[0]), dtype=">u8").reshape(-1, 2)
    phones = [held.split(",") if held else () for held in columns[8]]
    return {
        "high": halves[:, 0].astype(np.uint64),
        "low": halves[:, 1].astype(np.uint64),
        "born": np.array([d.toordinal() if d else -1 for d in columns[1]], np.int64),
        "token_a": numbered(columns[2], numbers["token"]),
        "token_b": numbered(columns[3], numbers["token"]),
        "region": numbered(columns[4], numbers["region"]),
        # A str's hash is never -1 (CPython keeps -1 for errors), so -1 is "none".
        **{
            kind: np.array([-1 if v is None else hash(v) for v in columns[i]], np.int64)
            for kind, i in (("name_year", 5), ("name_day", 6), ("initials", 7))
        },
        "phone": np.array([hash(p) for held in phones for p in held], np.int64),
        "phone_row": np.repeat(np.arange(len(rows)), [len(held) for held in phones]),
    }


def _grouped(read: list[dict[str, Any]], tokens: int) -> RegistryKeys:
    """The rounds joined, the people ranked by birth date, each kind of key grouped. Every
    array is let go as soon as it is used or replaced: at 10,000,000 people each is 80 MB
    or more, and the pass's peak is what bounds the batch's memory before the parts."""
    starts = np.cumsum([0] + [len(r["born"]) for r in read])
    for r, start in zip(read, starts, strict=False):
        r["phone_row"] = r["phone_row"] + start
    people = {field: np.concatenate([r.pop(field) for r in read]) for field in list(read[0])}
    order = np.argsort(people["born"], kind="stable")
    rank = np.empty_like(order)
    rank[order] = np.arange(len(order))
    people["phone_row"] = rank[people["phone_row"]]  # the phones' holders as ranks
    del rank
    for field in ("high", "low", *_RANKED):
        people[field] = people[field][order]
    del order
    owners: list[npt.NDArray[np.int32]] = [np.empty(0, np.int32)]
    ends: list[Ints] = [np.empty(0, np.int64)]
    for kind in _kinds(people, tokens):
        owner, end = _shared(kind)
        ends.append(end + sum(len(o) for o in owners))  # after the previous kinds' runs
        owners.append(owner)
    owner, run_end = np.concatenate(owners), np.concatenate(ends).astype(np.int32)
    return RegistryKeys(
        people["high"], people["low"], owner, run_end,
        by_owner=np.argsort(owner, kind="stable").astype(np.int32),
        owner_start=np.r_[0, np.cumsum(np.bincount(owner, minlength=len(people["high"])))],
    )  # fmt: skip


_RANKED = ("born", "token_a", "token_b", "region", "name_year", "name_day", "initials")


def _kinds(people: dict[str, Any], tokens: int) -> Iterator[dict[str, Ints]]:
    """Each kind of key as its codes and their holders' ranks, one kind at a time, each
    column dropped once used; the arrays are handed over in a dict for ``_shared`` to take,
    so that nothing else holds them while it sorts."""
    first, second = people.pop("token_a"), people.pop("token_b")
    yield _with_token(people.pop("born"), first, second, tokens)
    yield _with_token(people.pop("region"), first, second, tokens)
    del first, second
    for kind in ("name_year", "name_day", "initials"):
        yield _held_by_some(people.pop(kind))
    yield {"codes": people.pop("phone"), "owners": people.pop("phone_row")}


def _with_token(prefix: Ints, first: Ints, second: Ints, tokens: int) -> dict[str, Ints]:
    """The birth date or the regency with either token: the SQL's key, by its two parts
    (the tokens share one numbering, so one person's first meets another's second)."""
    ranks = np.arange(len(prefix), dtype=np.int64)
    present = np.concatenate([(first >= 0) & (prefix >= 0), (second >= 0) & (prefix >= 0)])
    return {
        "codes": np.concatenate([prefix * tokens + first, prefix * tokens + second])[present],
        "owners": np.concatenate([ranks, ranks])[present],
    }


def _held_by_some(codes: Ints) -> dict[str, Ints]:
    """A hashed key's codes and holders' ranks, those without the key left out."""
    present = codes != -1
    return {"codes": codes[present], "owners": np.flatnonzero(present)}


def _shared(kind: dict[str, Ints]) -> tuple[npt.NDArray[np.int32], Ints]:
    """The holdings of codes held by two or more, in runs of one code, each run's holders
    in rank order: each holding's owner, and where its run ends (counted from 0)."""
    codes, owners = kind.pop("codes"), kind.pop("owners")
    if not len(codes):
        return np.empty(0, np.int32), np.empty(0, np.int64)
    order = np.lexsort((owners, codes))
    codes = codes[order]
    owner = owners[order].astype(np.int32)
    del owners, order
    repeated = codes[1:] == codes[:-1]
    shared = np.r_[False, repeated] | np.r_[repeated, False]  # in a run of two or more
    end = run_ends(codes)[shared]
    del codes, repeated
    kept = np.cumsum(shared)  # a kept holding's run end, counted among the kept
    return owner[shared], kept[end - 1]
