"""The batch's blocking in parts: the registry's keys as numbers, every pair in one part."""

from __future__ import annotations

import numpy as np
from sqlalchemy.orm import Session

from peduli.demo import linkage_truth
from peduli.registry.linkage import batch_blocking


def test_every_pair_falls_in_exactly_one_part_whatever_the_parts_size(db: Session) -> None:
    linkage_truth.write(db, linkage_truth.truth_set(600, seed_value=23).citizens)
    keys = batch_blocking.read_keys(db)
    whole = keys.pair_ids()
    assert len(whole) > 30
    assert all(str(first) < str(second) for first, second in whole), "smaller id first"
    for pairs_per_part in (1, 4, 40, len(whole)):
        parts = keys.parts(pairs_per_part)
        found = [pair for part in parts for pair in _pair_ids(keys, part)]
        assert sorted(found) == sorted(whole), pairs_per_part
        assert sum(len(part) for part in parts) == keys.people
        assert len(parts) > 1 or pairs_per_part == len(whole)


def test_a_part_holds_at_most_its_share_of_pairs_unless_one_person_has_more(
    db: Session,
) -> None:
    linkage_truth.write(db, linkage_truth.truth_set(600, seed_value=24).citizens)
    keys = batch_blocking.read_keys(db)
    for part in keys.parts(6):
        pairs = len(keys.pairs(part)[0])
        assert pairs <= 6 or len(part) == 1, (part, pairs)


def test_an_empty_registry_has_no_parts_and_no_pairs(db: Session) -> None:
    keys = batch_blocking.read_keys(db)
    assert (keys.people, keys.parts(10), keys.pair_ids()) == (0, [], [])


def test_people_are_ranked_by_birth_date_so_a_date_block_stays_in_one_part(
    db: Session,
) -> None:
    linkage_truth.write(db, linkage_truth.truth_set(300, seed_value=25).citizens)
    keys = batch_blocking.read_keys(db)
    left, right = keys.pairs(range(keys.people))
    distance = np.abs(left - right)
    assert np.median(distance) < keys.people / 20, "most pairs join near ranks"


def _pair_ids(keys: batch_blocking.RegistryKeys, part: range) -> list[tuple[object, object]]:
    left, right = keys.pairs(part)
    return list(zip(keys.ids(left), keys.ids(right), strict=True))
