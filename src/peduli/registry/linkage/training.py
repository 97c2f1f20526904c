"""Estimating the m/u parameters without labels, and measuring a linkage against a truth.

``u`` (an outcome's chance between two different people) comes from random pairs, which
are almost all of two people. ``m`` (its chance within one person) comes from
expectation–maximisation over the blocked pairs, ``u`` held fixed: each pair's chance of
being a match is computed from the current ``m``, then ``m`` re-estimated from those
chances, until it settles. Outcome patterns are counted once, so a million pairs cost as
much as the few hundred distinct patterns they show.
"""

from __future__ import annotations

import math
import random
from collections import Counter
from collections.abc import Callable, Iterable, Mapping, Sequence
from dataclasses import dataclass
from typing import TypeVar

R = TypeVar("R")
Pattern = tuple[tuple[str, str], ...]
Parameters = dict[str, dict[str, tuple[float, float]]]
SMOOTHING = 1e-4


def pattern(outcomes: Mapping[str, str]) -> Pattern:
    return tuple(sorted(outcomes.items()))


def random_pairs(records: Sequence[R], count: int, *, seed: int = 1) -> Iterable[tuple[R, R]]:
    rng = random.Random(seed)
    for _ in range(count):
        a, b = rng.sample(range(len(records)), 2)
        yield records[a], records[b]


def estimate_u(patterns: Counter[Pattern]) -> dict[str, dict[str, float]]:
    """Each comparison's outcome shares among (random) pairs."""
    totals: dict[str, Counter[str]] = {}
    for pat, count in patterns.items():
        for comparison, outcome in pat:
            totals.setdefault(comparison, Counter())[outcome] += count
    return {c: _shares(counts) for c, counts in totals.items()}


def estimate_m(
    patterns: Counter[Pattern],
    u: Mapping[str, Mapping[str, float]],
    outcomes: Mapping[str, Sequence[str]],
    *,
    prior: float = 0.1,
    iterations: int = 50,
) -> tuple[dict[str, dict[str, float]], float]:
    """m of every outcome and the share of matches among ``patterns``, by EM (u fixed)."""
    start = {
        c: {o: (4.0 if i == 0 else 1.0) for i, o in enumerate(os)} for c, os in outcomes.items()
    }
    m = {c: _normalised(p) for c, p in start.items()}
    total = sum(patterns.values())
    for _ in range(iterations):
        sums: dict[str, dict[str, float]] = {
            c: dict.fromkeys(os, 0.0) for c, os in outcomes.items()
        }
        matched = 0.0
        for pat, count in patterns.items():
            share = _posterior(pat, m, u, prior)
            matched += share * count
            for c, o in pat:
                sums[c][o] += share * count
        prior = min(max(matched / total, 1e-9), 1 - 1e-9)
        m = {c: _normalised({o: sums[c][o] + SMOOTHING * matched for o in os})
             for c, os in outcomes.items()}  # fmt: skip
    return m, prior


def smoothed(shares: Mapping[str, float], outcomes: Sequence[str]) -> dict[str, float]:
    """Shares over every outcome, an outcome never seen given a small share."""
    return _normalised({o: shares.get(o, 0.0) + SMOOTHING for o in outcomes})


def match_share(
    patterns: Counter[Pattern],
    m: Mapping[str, Mapping[str, float]],
    u: Mapping[str, Mapping[str, float]],
    *,
    prior: float = 0.5,
    iterations: int = 50,
) -> float:
    """The share of matches among ``patterns`` with m and u fixed (the scoring's prior)."""
    total = sum(patterns.values())
    for _ in range(iterations):
        matched = sum(count * _posterior(pat, m, u, prior) for pat, count in patterns.items())
        prior = min(max(matched / total, 1e-9), 1 - 1e-9)
    return prior


def _posterior(
    pat: Pattern,
    m: Mapping[str, Mapping[str, float]],
    u: Mapping[str, Mapping[str, float]],
    prior: float,
) -> float:
    log_m = math.log(prior) + sum(math.log(m[c][o]) for c, o in pat)
    log_u = math.log(1 - prior) + sum(math.log(_u(u, c, o)) for c, o in pat)
    return 1.0 / (1.0 + math.exp(min(log_u - log_m, 700.0)))


def parameters(
    m: Mapping[str, Mapping[str, float]], u: Mapping[str, Mapping[str, float]]
) -> Parameters:
    return {
        c: {o: (round(p, 6), round(_u(u, c, o), 8)) for o, p in os.items()} for c, os in m.items()
    }


@dataclass(frozen=True)
class Quality:
    true_positives: int
    false_positives: int
    false_negatives: int

    @property
    def precision(self) -> float:
        found = self.true_positives + self.false_positives
        return self.true_positives / found if found else 1.0

    @property
    def recall(self) -> float:
        wanted = self.true_positives + self.false_negatives
        return self.true_positives / wanted if wanted else 1.0

    @property
    def f1(self) -> float:
        p, r = self.precision, self.recall
        return 2 * p * r / (p + r) if p + r else 0.0


def quality(found: Iterable[frozenset[object]], truth: Iterable[frozenset[object]]) -> Quality:
    """Precision and recall of the pairs ``found`` against the ``truth`` pairs."""
    found_set, truth_set = set(found), set(truth)
    hits = len(found_set & truth_set)
    return Quality(hits, len(found_set) - hits, len(truth_set) - hits)


def best_threshold(
    scored: Sequence[tuple[float, bool]], truth_count: int, *, minimum_precision: float
) -> float:
    """The lowest probability threshold keeping precision at ``minimum_precision``."""
    ranked = sorted(scored, key=lambda item: -item[0])
    best, hits = 1.0, 0
    for index, (value, is_match) in enumerate(ranked, start=1):
        hits += is_match
        if hits / index >= minimum_precision:
            best = value
    return best


def _u(u: Mapping[str, Mapping[str, float]], c: str, o: str) -> float:
    return max(u.get(c, {}).get(o, 0.0), SMOOTHING / 10)


def _shares(counts: Counter[str]) -> dict[str, float]:
    total = sum(counts.values())
    return {o: n / total for o, n in counts.items()}


def _normalised(values: Mapping[str, float]) -> dict[str, float]:
    total = sum(values.values())
    return {o: max(v / total, SMOOTHING / 10) for o, v in values.items()}


Comparer = Callable[[R, R], Mapping[str, str]]
