"""The comparisons of two records, each answering exact, close, different or missing.

Identifiers are compared in the clear only in memory (the NIK decrypted for the pair being
scored); passports and phones by their blind indexes, equal or not. A renewed passport
gives a *different* number, which the model weighs as weak evidence (people renew).
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, field
from datetime import date
from enum import StrEnum
from functools import lru_cache

from rapidfuzz.distance import JaroWinkler

from peduli.reference.profile import fold_text
from peduli.registry.linkage.names import matched_tokens

PLACE_SIMILARITY = 0.9
NEAR_DAYS = 3
_PLACE_PREFIXES = ("kabupaten ", "kab. ", "kab ", "kota ")


class Outcome(StrEnum):
    EXACT = "exact"
    CLOSE = "close"
    DIFFERENT = "different"
    MISSING = "missing"


COMPARISONS = (
    "name", "birth_date", "nik", "passport", "phone", "birth_place", "home_regency", "sex",
)  # fmt: skip


@dataclass(frozen=True, slots=True)
class LinkRecord:
    """What linkage knows of one person: folded name tokens, birth, identifiers."""

    id: uuid.UUID
    tokens: tuple[str, ...]
    date_of_birth: date | None
    sex: str | None = None
    nik: str | None = None
    place: str | None = None  # folded place of birth
    passports: frozenset[str] = field(default_factory=frozenset)  # blind indexes
    phones: frozenset[str] = field(default_factory=frozenset)  # blind indexes


@lru_cache(maxsize=1 << 16)  # a batch folds the same few hundred places again and again
def place_key(place: str | None) -> str | None:
    """A place of birth folded: lowercase, accents and "Kabupaten"/"Kota" dropped."""
    if not place:
        return None
    folded = " ".join(fold_text(place).split())
    for prefix in _PLACE_PREFIXES:
        if folded.startswith(prefix):
            folded = folded[len(prefix) :]
    return folded or None


@lru_cache(maxsize=1 << 18)
def compare_name(a: tuple[str, ...], b: tuple[str, ...]) -> tuple[Outcome, tuple[str, ...]]:
    """Exact (same token set), close (every token of the shorter name found in the other,
    alike or mistyped) or different; with the agreeing tokens, for their frequency.

    Cached: a batch compares the same few names (those sharing a blocking key) many times."""
    if not a or not b:
        return Outcome.MISSING, ()
    if set(a) == set(b):
        return Outcome.EXACT, a
    pairs = matched_tokens(a, b)
    shorter = min(len(a), len(b))
    agreeing = tuple(token for token, _other in pairs)
    if len(pairs) == shorter:
        return Outcome.CLOSE, agreeing
    return Outcome.DIFFERENT, agreeing


def compare_birth_date(a: date | None, b: date | None) -> Outcome:
    """Close: one digit mistyped, two adjacent digits swapped, day and month swapped, or
    at most three days apart."""
    if a is None or b is None:
        return Outcome.MISSING
    if a == b:
        return Outcome.EXACT
    text_a, text_b = a.strftime("%Y%m%d"), b.strftime("%Y%m%d")
    swapped = a.year == b.year and (a.day, a.month) == (b.month, b.day)
    if _one_typo(text_a, text_b) or swapped or abs((a - b).days) <= NEAR_DAYS:
        return Outcome.CLOSE
    return Outcome.DIFFERENT


def compare_nik(a: str | None, b: str | None) -> Outcome:
    """Close: at most two digits differ, or two adjacent digits swapped (a typed NIK)."""
    if not a or not b:
        return Outcome.MISSING
    if a == b:
        return Outcome.EXACT
    if len(a) == len(b) and sum(x != y for x, y in zip(a, b, strict=True)) <= 2:
        return Outcome.CLOSE
    return Outcome.CLOSE if _one_typo(a, b) else Outcome.DIFFERENT


def compare_indexes(a: frozenset[str], b: frozenset[str]) -> Outcome:
    """Blind indexes of passports or phones: one shared is exact."""
    if not a or not b:
        return Outcome.MISSING
    return Outcome.EXACT if a & b else Outcome.DIFFERENT


@lru_cache(maxsize=1 << 16)  # places of birth repeat: a few hundred regencies and cities
def compare_place(a: str | None, b: str | None) -> Outcome:
    if not a or not b:
        return Outcome.MISSING
    if a == b:
        return Outcome.EXACT
    if JaroWinkler.similarity(a, b) >= PLACE_SIMILARITY:
        return Outcome.CLOSE
    return Outcome.DIFFERENT


def compare_regency(a: str | None, b: str | None) -> Outcome:
    """The home regency the NIK encodes (its first four digits)."""
    if not a or not b or len(a) < 4 or len(b) < 4:
        return Outcome.MISSING
    return Outcome.EXACT if a[:4] == b[:4] else Outcome.DIFFERENT


def compare_sex(a: str | None, b: str | None) -> Outcome:
    if not a or not b:
        return Outcome.MISSING
    return Outcome.EXACT if a == b else Outcome.DIFFERENT


def compare(a: LinkRecord, b: LinkRecord) -> tuple[dict[str, Outcome], tuple[str, ...]]:
    """Every comparison's outcome, and the agreeing name tokens."""
    name, agreeing = compare_name(a.tokens, b.tokens)
    outcomes = {
        "name": name,
        "birth_date": compare_birth_date(a.date_of_birth, b.date_of_birth),
        "nik": compare_nik(a.nik, b.nik),
        "passport": compare_indexes(a.passports, b.passports),
        "phone": compare_indexes(a.phones, b.phones),
        "birth_place": compare_place(a.place, b.place),
        "home_regency": compare_regency(a.nik, b.nik),
        "sex": compare_sex(a.sex, b.sex),
    }
    return outcomes, agreeing


def _one_typo(a: str, b: str) -> bool:
    """One character changed, or two adjacent characters swapped."""
    if len(a) != len(b):
        return False
    diffs = [i for i, (x, y) in enumerate(zip(a, b, strict=True)) if x != y]
    if len(diffs) == 1:
        return True
    first = diffs[0] if diffs else 0
    return diffs == [first, first + 1] and a[first] == b[first + 1] and a[first + 1] == b[first]


__all__ = ["COMPARISONS", "LinkRecord", "Outcome", "compare", "place_key"]
