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
from collections.abc import Callable, Iterator, Mapping, Sequence
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
from peduli.registry.linkage.model import Model, Scored

CHUNK = 200_000  # pairs per round of arrays (a few tens of MB)
MARGIN = 1e-6  # log2 odds: a pair this close below the threshold is rescored one by one
Pair = tuple[uuid.UUID, uuid.UUID]
Ints = npt.NDArray[np.int64]
Codes = npt.NDArray[np.int8]
EXACT, CLOSE, DIFFERENT, MISSING = range(4)
_CODES = {Outcome.EXACT: EXACT, Outcome.CLOSE: CLOSE, Outcome.DIFFERENT: DIFFERENT}


def _digits(texts: Sequence[str], width: int) -> npt.NDArray[np.uint8]:
    """Each text's characters as bytes, right-padded with zeros to ``width``."""
    joined = b"".join(t.encode("ascii", "replace")[:width].ljust(width, b"\0") for t in texts)
    return np.frombuffer(joined, dtype=np.uint8).reshape(len(texts), width)


def _ids(values: Sequence[Any]) -> tuple[Ints, list[Any]]:
    """Each value's number among the distinct values (None is -1), and the distinct values."""
    numbers: dict[Any, int] = {}
    ids = [-1 if v is None else numbers.setdefault(v, len(numbers)) for v in values]
    return np.array(ids, dtype=np.int64), list(numbers)


@dataclass(frozen=True)
class Columns:
    """The records as columns, a row per person, for array look-ups by pair."""

    row: Mapping[uuid.UUID, int]
    records: Sequence[LinkRecord]
    born: Ints  # ordinal, -1 missing
    born_digits: npt.NDArray[np.uint8]  # YYYYMMDD
    nik: npt.NDArray[np.uint8]
    nik_length: Ints  # 0 missing
    sex: Ints  # -1 missing
    name: Ints
    names: list[Any]
    place: Ints  # -1 missing
    places: list[Any]

    @classmethod
    def of(cls, records: Mapping[uuid.UUID, LinkRecord]) -> Columns:
        people = list(records.values())
        dates = [r.date_of_birth for r in people]
        niks = [r.nik or "" for r in people]
        width = max((len(n) for n in niks), default=1) or 1
        name, names = _ids([r.tokens or None for r in people])
        place, places = _ids([r.place or None for r in people])
        return cls(
            row={r.id: i for i, r in enumerate(people)},
            records=people,
            born=np.array([d.toordinal() if d else -1 for d in dates], dtype=np.int64),
            born_digits=_digits([_ymd(d) for d in dates], 8),
            nik=_digits(niks, width),
            nik_length=np.array([len(n) for n in niks], dtype=np.int64),
            sex=_ids([r.sex or None for r in people])[0],
            name=name,
            names=names,
            place=place,
            places=places,
        )


def _ymd(born: date | None) -> str:
    return born.isoformat().replace("-", "") if born else ""


def likely_pairs(
    model: Model, records: Mapping[uuid.UUID, LinkRecord], pairs: Sequence[Pair]
) -> Iterator[tuple[uuid.UUID, uuid.UUID, Scored]]:
    """The pairs at or above the model's review threshold, scored, in ``pairs``' order."""
    columns = Columns.of(records)
    known = [p for p in pairs if p[0] in columns.row and p[1] in columns.row]
    threshold = _log_odds(model.review_threshold) - MARGIN
    for start in range(0, len(known), CHUNK):
        chunk = known[start : start + CHUNK]
        left = np.fromiter((columns.row[p[0]] for p in chunk), np.int64, len(chunk))
        right = np.fromiter((columns.row[p[1]] for p in chunk), np.int64, len(chunk))
        weights = totals(model, columns, left, right)
        for position in np.flatnonzero(weights >= threshold):
            first, second = chunk[position]
            scored = model.score_if_likely(records[first], records[second])
            if scored is not None:
                yield first, second, scored


def _log_odds(probability: float) -> float:
    return math.inf if probability >= 1 else math.log2(probability / (1 - probability))


def totals(model: Model, columns: Columns, left: Ints, right: Ints) -> npt.NDArray[np.float64]:
    """Each pair's total log2 odds, summed in ``Model.score``'s order."""
    c = columns
    nik = _nik(c, left, right)
    place = _by_distinct(c.place, c.places, left, right, _place_code, MISSING).astype(np.int8)
    regency_counted = np.isin(nik, (EXACT, CLOSE)) | np.isin(place, (EXACT, CLOSE))
    regency = _weights(model, "home_regency")[_regency(c, left, right)]
    total = np.full(len(left), model.prior_weight)
    total += _by_distinct(c.name, c.names, left, right, _name_weight(model), 0.0)
    total += _weights(model, "birth_date")[_birth_date(c, left, right)]
    total += _weights(model, "nik")[nik]
    total += _weights(model, "passport")[_shared(c.records, left, right, "passports")]
    total += _weights(model, "phone")[_shared(c.records, left, right, "phones")]
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


def _shared(records: Sequence[LinkRecord], left: Ints, right: Ints, field: str) -> Codes:
    """Blind indexes (passports or phones): one shared is exact (``compare_indexes``)."""
    codes = [
        MISSING if not (a := getattr(records[i], field)) or not (b := getattr(records[j], field))
        else EXACT if a & b else DIFFERENT
        for i, j in zip(left.tolist(), right.tolist(), strict=True)
    ]  # fmt: skip
    return np.array(codes, dtype=np.int8)


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
