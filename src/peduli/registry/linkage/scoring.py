"""Scoring many pairs at once, for the batch: the model's sum computed column by column.

Scoring pair by pair in Python cost the batch hundreds of microseconds a pair, most of it
the interpreter, not the comparisons. Here each comparison is computed for a whole chunk of
pairs as numpy arrays: birth dates and NIKs digit by digit, sex and home regency by equality,
passports and phones by a shared blind index. Names and places of birth, compared as
strings, are compared once per distinct pair of names or places (people sharing a blocking
key share names) by ``comparisons`` itself. The weights are ``Model``'s, added in the same
order, so each total is the same floating-point number as ``Model.score``'s; the few pairs
near or above the review threshold are then scored by ``Model.score_if_likely``, which
decides and writes their evidence exactly as the online match does.
"""

from __future__ import annotations

import math
import uuid
from collections.abc import Callable, Collection, Iterator, Mapping, Sequence
from dataclasses import dataclass
from datetime import date
from typing import Any

import numpy as np
import numpy.typing as npt

from peduli.registry.linkage.comparisons import (
    NEAR_DAYS,
    LinkRecord,
    Outcome,
    compare_name,
    compare_place,
)
from peduli.registry.linkage.grouping import numbered, sharing
from peduli.registry.linkage.model import Model, Scored

CHUNK = 200_000  # pairs per round of arrays (a few tens of MB)
MARGIN = 1e-6  # log2 odds: a pair this close below the threshold is rescored one by one
Ints = npt.NDArray[np.int64]
Codes = npt.NDArray[np.int8]
EXACT, CLOSE, DIFFERENT, MISSING = range(4)
_CODES = {Outcome.EXACT: EXACT, Outcome.CLOSE: CLOSE, Outcome.DIFFERENT: DIFFERENT}


def _digits(texts: Sequence[str], width: int) -> npt.NDArray[np.uint8]:
    """Each text's characters as bytes, right-padded with zeros to ``width``."""
    joined = b"".join(t.encode("ascii", "replace")[:width].ljust(width, b"\0") for t in texts)
    return np.frombuffer(joined, dtype=np.uint8).reshape(len(texts), width)


@dataclass(frozen=True)
class Columns:
    """The records as columns, a row per person, for array look-ups by pair; a
    ``LinkRecord`` is made only for a pair to be scored one by one."""

    ids: Sequence[uuid.UUID]
    tokens: Sequence[tuple[str, ...]]
    dates: Sequence[date | None]
    sexes: Sequence[str | None]
    niks: Sequence[str | None]  # decrypted
    places: Sequence[str | None]  # folded
    passports: Sequence[Collection[str]]  # blind indexes
    phones: Sequence[Collection[str]]
    born: Ints  # ordinal, -1 missing
    born_digits: npt.NDArray[np.uint8]  # YYYYMMDD
    nik: npt.NDArray[np.uint8]
    nik_length: Ints  # 0 missing
    sex: Ints  # -1 missing
    name: Ints
    names: list[Any]
    place: Ints  # -1 missing
    distinct_places: list[Any]
    passport_held: npt.NDArray[np.bool_]
    phone_held: npt.NDArray[np.bool_]
    shared_passport: Ints  # the pairs of rows sharing one (``_pair_codes``), sorted
    shared_phone: Ints

    @classmethod
    def of(cls, records: Mapping[uuid.UUID, LinkRecord]) -> Columns:
        people = list(records.values())
        return cls.build(
            [r.id for r in people], [r.tokens for r in people],
            [r.date_of_birth for r in people], [r.sex for r in people], [r.nik for r in people],
            [r.place for r in people], [r.passports for r in people], [r.phones for r in people],
        )  # fmt: skip

    @classmethod
    def build(
        cls,
        ids: Sequence[uuid.UUID],
        tokens: Sequence[tuple[str, ...]],
        dates: Sequence[date | None],
        sexes: Sequence[str | None],
        niks: Sequence[str | None],
        places: Sequence[str | None],
        passports: Sequence[Collection[str]],
        phones: Sequence[Collection[str]],
    ) -> Columns:
        digits = [n or "" for n in niks]
        width = max((len(n) for n in digits), default=1) or 1
        names: dict[Any, int] = {}
        distinct_places: dict[Any, int] = {}
        return cls(
            ids, tokens, dates, sexes, niks, places, passports, phones,
            born=np.array([d.toordinal() if d else -1 for d in dates], dtype=np.int64),
            born_digits=_digits([_ymd(d) for d in dates], 8),
            nik=_digits(digits, width),
            nik_length=np.array([len(n) for n in digits], dtype=np.int64),
            sex=numbered([s or None for s in sexes]),
            name=numbered([t or None for t in tokens], names),
            names=list(names),
            place=numbered([p or None for p in places], distinct_places),
            distinct_places=list(distinct_places),
            passport_held=np.array([len(row) > 0 for row in passports], dtype=np.bool_),
            phone_held=np.array([len(row) > 0 for row in phones], dtype=np.bool_),
            shared_passport=_shared_pairs(passports),
            shared_phone=_shared_pairs(phones),
        )  # fmt: skip

    def record(self, row: int) -> LinkRecord:
        return LinkRecord(
            self.ids[row], self.tokens[row], self.dates[row], self.sexes[row], self.niks[row],
            self.places[row], frozenset(self.passports[row]), frozenset(self.phones[row]),
        )  # fmt: skip


def _shared_pairs(held: Sequence[Collection[str]]) -> Ints:
    """The pairs of rows holding a blind index in common, as ``_pair_codes``."""
    values = [value for row in held for value in row]
    owners = np.repeat(np.arange(len(held), dtype=np.int64), [len(row) for row in held])
    left, right = sharing(numbered(values), owners, len(held))
    return _pair_codes(left, right, len(held))


def _pair_codes(left: Ints, right: Ints, count: int) -> Ints:
    """A number for each pair of rows, whichever comes first."""
    return np.minimum(left, right) * count + np.maximum(left, right)


def _ymd(born: date | None) -> str:
    return born.isoformat().replace("-", "") if born else ""


def likely_pairs(
    model: Model, columns: Columns, left: Ints, right: Ints
) -> Iterator[tuple[uuid.UUID, uuid.UUID, Scored]]:
    """The pairs of rows at or above the model's review threshold, scored, in their order:
    ``left`` and ``right`` as the pairs are stored (for a name, which is compared from the
    first's tokens)."""
    threshold = _log_odds(model.review_threshold) - MARGIN
    for start in range(0, len(left), CHUNK):
        chunk = slice(start, start + CHUNK)
        weights = totals(model, columns, left[chunk], right[chunk])
        for position in (np.flatnonzero(weights >= threshold) + start).tolist():
            first, second = (
                columns.record(int(left[position])),
                columns.record(int(right[position])),
            )
            scored = model.score_if_likely(first, second)
            if scored is not None:
                yield first.id, second.id, scored


def _log_odds(probability: float) -> float:
    return math.inf if probability >= 1 else math.log2(probability / (1 - probability))


def totals(model: Model, columns: Columns, left: Ints, right: Ints) -> npt.NDArray[np.float64]:
    """Each pair's total log2 odds, summed in ``Model.score``'s order."""
    c = columns
    nik = _nik(c, left, right)
    place = _by_distinct(c.place, c.distinct_places, left, right, _place_code, MISSING).astype(
        np.int8
    )
    regency_counted = np.isin(nik, (EXACT, CLOSE)) | np.isin(place, (EXACT, CLOSE))
    regency = _weights(model, "home_regency")[_regency(c, left, right)]
    total = np.full(len(left), model.prior_weight)
    total += _by_distinct(c.name, c.names, left, right, _name_weight(model), 0.0)
    total += _weights(model, "birth_date")[_birth_date(c, left, right)]
    total += _weights(model, "nik")[nik]
    total += _weights(model, "passport")[
        _shared(c, c.passport_held, c.shared_passport, left, right)
    ]
    total += _weights(model, "phone")[_shared(c, c.phone_held, c.shared_phone, left, right)]
    total += _weights(model, "birth_place")[place]
    total += np.where(regency_counted, 0.0, regency)
    total += _weights(model, "sex")[_equal(c.sex, left, right)]
    return total


def _weights(model: Model, comparison: str) -> npt.NDArray[np.float64]:
    """The comparison's weight by outcome code (an outcome it never has weighs 0)."""
    known = model.parameters[comparison]
    return np.array(
        [model.outcome_weight(comparison, o) if o in known else 0.0 for o in Outcome],
        dtype=np.float64,
    )


def _name_weight(model: Model) -> Callable[[Any, Any], float]:
    def weight(a: tuple[str, ...], b: tuple[str, ...]) -> float:
        outcome, agreeing = compare_name(a, b)
        return model.name_weight(outcome, agreeing, min(len(a), len(b)))

    return weight


def _place_code(a: str, b: str) -> float:
    return _CODES[compare_place(a, b)]


def _by_distinct(
    ids: Ints,
    values: list[Any],
    left: Ints,
    right: Ints,
    value_of: Callable[[Any, Any], float],
    missing: float,
) -> npt.NDArray[np.float64]:
    """``value_of(a, b)`` for each pair, computed once per distinct (a, b); ``missing``
    where either side has no value."""
    a, b = ids[left], ids[right]
    present = (a >= 0) & (b >= 0)
    result = np.full(len(left), missing, dtype=np.float64)
    if present.any():
        count = len(values)
        distinct, where = np.unique(a[present] * count + b[present], return_inverse=True)
        computed = [value_of(values[k // count], values[k % count]) for k in distinct.tolist()]
        result[present] = np.array(computed, dtype=np.float64)[where]
    return result


def _equal(ids: Ints, left: Ints, right: Ints) -> Codes:
    a, b = ids[left], ids[right]
    codes = np.where(a == b, EXACT, DIFFERENT).astype(np.int8)
    codes[(a < 0) | (b < 0)] = MISSING
    return codes


def _shared(
    c: Columns, held: npt.NDArray[np.bool_], shared: Ints, left: Ints, right: Ints
) -> Codes:
    """Blind indexes (passports or phones): one shared is exact (``compare_indexes``)."""
    codes = np.where(np.isin(_pair_codes(left, right, len(c.ids)), shared), EXACT, DIFFERENT)
    codes[~held[left] | ~held[right]] = MISSING
    return codes.astype(np.int8)


def _typos(a: npt.NDArray[np.uint8], b: npt.NDArray[np.uint8]) -> npt.NDArray[np.bool_]:
    """One character changed, or two adjacent ones swapped (``comparisons._one_typo`` on
    texts of equal length)."""
    differs = a != b
    count = differs.sum(axis=1)
    swapped = differs[:, :-1] & differs[:, 1:] & (a[:, :-1] == b[:, 1:]) & (a[:, 1:] == b[:, :-1])
    return (count == 1) | ((count == 2) & swapped.any(axis=1))


def _birth_date(c: Columns, left: Ints, right: Ints) -> Codes:
    """``compare_birth_date``: one digit mistyped, two swapped, day and month swapped, or
    at most ``NEAR_DAYS`` apart is close."""
    a, b = c.born[left], c.born[right]
    da, db = c.born_digits[left], c.born_digits[right]
    same_year = (da[:, :4] == db[:, :4]).all(axis=1)
    day_month = (
        same_year & (da[:, 4:6] == db[:, 6:8]).all(axis=1) & (da[:, 6:8] == db[:, 4:6]).all(axis=1)
    )
    close = _typos(da, db) | day_month | (np.abs(a - b) <= NEAR_DAYS)
    codes = np.where(a == b, EXACT, np.where(close, CLOSE, DIFFERENT)).astype(np.int8)
    codes[(a < 0) | (b < 0)] = MISSING
    return codes


def _nik(c: Columns, left: Ints, right: Ints) -> Codes:
    """``compare_nik``: of the same length and at most two digits apart is close."""
    la, lb = c.nik_length[left], c.nik_length[right]
    differing = (c.nik[left] != c.nik[right]).sum(axis=1)
    close = (la == lb) & (differing <= 2)
    codes = np.where(differing == 0, EXACT, np.where(close, CLOSE, DIFFERENT)).astype(np.int8)
    codes[(la == 0) | (lb == 0)] = MISSING
    return codes


def _regency(c: Columns, left: Ints, right: Ints) -> Codes:
    """``compare_regency``: the NIK's first four digits."""
    la, lb = c.nik_length[left], c.nik_length[right]
    same = (c.nik[left][:, :4] == c.nik[right][:, :4]).all(axis=1)
    codes = np.where(same, EXACT, DIFFERENT).astype(np.int8)
    codes[(la < 4) | (lb < 4)] = MISSING
    return codes
