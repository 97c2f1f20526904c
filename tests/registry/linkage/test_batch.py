"""The whole-registry batch in parts: many small parts score and flag as one part does."""

from __future__ import annotations

from typing import Any

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from peduli.demo import linkage_truth
from peduli.registry.linkage import batch, batch_blocking
from peduli.registry.linkage.model import get_model
from peduli.registry.models import DuplicateCandidate, Person, PersonStatus


def _scored(db: Session, pairs_per_part: int) -> tuple[int, int, dict[Any, Any]]:
    """The parts, the pairs scored, and the likely pairs with their scores."""
    parts = list(batch.scored_parts(db, get_model(), pairs_per_part=pairs_per_part))
    assert all(part.parts == len(parts) for part in parts)
    likely = {(a, b): scored for part in parts for a, b, scored in part.likely}
    return len(parts), sum(part.pairs for part in parts), likely


def _flagged(db: Session) -> set[tuple[Any, ...]]:
    pairs = select(
        DuplicateCandidate.person_id,
        DuplicateCandidate.other_person_id,
        DuplicateCandidate.match_probability,
    )
    return {tuple(row) for row in db.execute(pairs)}


def test_many_small_parts_score_the_same_pairs_as_one_part(db: Session) -> None:
    linkage_truth.write(db, linkage_truth.truth_set(800, seed_value=26).citizens)
    one, pairs, once = _scored(db, 10**9)
    many, pairs_in_parts, in_parts = _scored(db, 3)
    assert (one, many > 10) == (1, True)
    assert pairs_in_parts == pairs
    assert len(once) > 20
    assert in_parts == once  # the same pairs, evidence, weights and probabilities


def test_many_small_parts_flag_the_same_pairs_and_report_each_part(db: Session) -> None:
    linkage_truth.write(db, linkage_truth.truth_set(500, seed_value=27).citizens)
    db.execute(DuplicateCandidate.__table__.delete())
    seen: list[batch.Progress] = []
    in_parts = batch.deduplicate(db, pairs_per_part=2, on_part=seen.append)
    flagged = _flagged(db)
    db.execute(DuplicateCandidate.__table__.delete())
    whole = batch.deduplicate(db)
    assert _flagged(db) == flagged and len(flagged) > 5
    assert (in_parts.candidate_pairs, in_parts.flagged) == (whole.candidate_pairs, whole.flagged)
    assert [p.part for p in seen] == list(range(1, len(seen) + 1)) and len(seen) > 5
    assert {p.parts for p in seen} == {len(seen)}
    assert (seen[-1].pairs, seen[-1].flagged) == (in_parts.candidate_pairs, in_parts.flagged)


def test_a_person_merged_after_the_keys_were_read_is_left_out_of_its_part(db: Session) -> None:
    linkage_truth.write(db, linkage_truth.truth_set(300, seed_value=28).citizens)
    keys = batch_blocking.read_keys(db)
    left, right = keys.pairs(range(keys.people))
    gone = keys.ids([int(left[0])])[0]
    db.execute(update(Person).where(Person.id == gone).values(status=PersonStatus.MERGED))
    columns, first, second = batch.in_columns(db, keys, left, right)
    assert gone not in columns.ids
    kept = [(columns.ids[a], columns.ids[b]) for a, b in zip(first, second, strict=True)]
    assert kept == [pair for pair in keys.pair_ids() if gone not in pair]
