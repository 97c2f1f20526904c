"""Quality on a sample: the synthetic Indonesian truth set through the registry's batch,
and FEBRL through the same engine. A regression in names, blocking or scoring fails here
(the full figures: ``python -m benchmarks.linkage_quality``)."""

from __future__ import annotations

from benchmarks import linkage_febrl, linkage_quality
from sqlalchemy.orm import Session

from peduli.demo import linkage_truth

RECORDS = 5000


def test_indonesian_truth_set_precision_and_recall(db: Session) -> None:
    truth = linkage_truth.truth_set(RECORDS, seed_value=linkage_quality.TEST_SEED)
    ids = linkage_truth.write(db, truth.citizens)
    found = linkage_quality.batch_found(db, ids)
    result = linkage_quality.measure(found, truth.pairs)
    assert len(truth.pairs) > 400
    assert result.precision >= 0.99, linkage_quality.describe(result)
    assert result.recall >= 0.95, linkage_quality.describe(result)


def test_linkage_beats_the_same_day_matching_it_replaced(db: Session) -> None:
    truth = linkage_truth.truth_set(2000, seed_value=3)
    ids = linkage_truth.write(db, truth.citizens)
    baseline = linkage_quality.measure(linkage_quality.same_day_similar_name(db, ids), truth.pairs)
    linked = linkage_quality.measure(linkage_quality.batch_found(db, ids), truth.pairs)
    assert linked.recall > baseline.recall + 0.05


def test_febrl_f1() -> None:
    for name in ("febrl1", "febrl4"):
        result = linkage_febrl.evaluate(name)
        assert result.f1 >= 0.99, (name, linkage_febrl.describe(result))
