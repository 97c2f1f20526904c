"""The batch's array scoring gives the scores of ``Model.score``, pair for pair."""

from __future__ import annotations

import uuid
from datetime import date

import numpy as np
from sqlalchemy.orm import Session

from peduli.demo import linkage_truth
from peduli.registry.linkage import batch, batch_blocking, scoring
from peduli.registry.linkage.comparisons import LinkRecord
from peduli.registry.linkage.model import get_model
from peduli.registry.linkage.records import load_records


def _record(**values: object) -> LinkRecord:
    fields: dict[str, object] = {
        "id": uuid.uuid4(), "tokens": ("yosefina", "pattiasina"),
        "date_of_birth": date(1988, 3, 14), "sex": "F", "nik": "3171015403880001",
        "place": "ambon", "passports": frozenset({"p1"}), "phones": frozenset({"c1"}),
    } | values  # fmt: skip
    return LinkRecord(**fields)  # type: ignore[arg-type]


# Each variant differs from the first record by one comparison's outcome, missing values
# included, so every branch of every comparison meets its array form.
VARIANTS = [
    {},
    {"tokens": ("josefina", "pattiasina")},
    {"tokens": ("siti", "pattiasina", "nur")},
    {"tokens": ("budi",)},
    {"tokens": ()},
    {"date_of_birth": date(1988, 3, 15)},  # one digit, and a day apart
    {"date_of_birth": date(1988, 3, 24)},  # one digit
    {"date_of_birth": date(1988, 14 % 12, 3)},  # unrelated
    {"date_of_birth": date(1988, 4, 3)},
    {"date_of_birth": date(1898, 3, 14)},  # two digits swapped
    {"date_of_birth": date(1988, 12, 11), "nik": None},
    {"date_of_birth": None},
    {"nik": "3171015403880002"},
    {"nik": "3171015403881102"},
    {"nik": "3171015403889992"},
    {"nik": "3271015403880001"},  # another regency, one digit
    {"nik": "317101540388000"},  # one digit short
    {"nik": "317"},
    {"nik": None},
    {"sex": "M"},
    {"sex": None},
    {"place": "ambom"},
    {"place": "jakarta"},
    {"place": None},
    {"passports": frozenset({"p2"})},
    {"passports": frozenset({"p2", "p1"}), "phones": frozenset()},
    {"phones": frozenset({"c2"})},
]


def test_every_outcome_weighs_what_the_model_weighs() -> None:
    model = get_model()
    records = [_record(**variant) for variant in VARIANTS]
    records.append(_record(date_of_birth=date(1988, 12, 3)))  # day and month swapped
    records.append(_record(date_of_birth=date(1988, 3, 12), nik="3171015203880001"))
    columns = scoring.Columns.of({r.id: r for r in records})
    left, right = np.triu_indices(len(records), k=1)
    totals = scoring.totals(model, columns, left, right)
    expected = [
        model.score(records[i], records[j]).weight for i, j in zip(left, right, strict=True)
    ]
    assert np.round(totals, 3).tolist() == expected


def test_the_batch_flags_the_pairs_model_score_flags_with_the_same_evidence(db: Session) -> None:
    model = get_model()
    truth = linkage_truth.truth_set(600, seed_value=21)
    linkage_truth.write(db, truth.citizens)
    pairs = batch_blocking.read_keys(db).pair_ids()
    records = load_records(db, {person for pair in pairs for person in pair})
    expected = {
        (a, b): scored
        for a, b in pairs
        if (scored := model.score(records[a], records[b])).probability >= model.review_threshold
    }
    parts = list(batch.scored_parts(db, model, pairs_per_part=batch.PAIRS_PER_PART))
    found = {(a, b): scored for part in parts for a, b, scored in part.likely}
    assert sum(part.pairs for part in parts) == len(pairs)
    assert len(expected) > 20
    assert found == expected
