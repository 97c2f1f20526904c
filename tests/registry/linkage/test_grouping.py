"""The batch's in-memory self-join: every pair of holders of a value, once each."""

from __future__ import annotations

import gc
import random
from itertools import combinations

import numpy as np

from peduli.registry.linkage.grouping import collector_paused, numbered, sharing


def test_the_pairs_sharing_a_value_are_those_a_self_join_finds() -> None:
    rng = random.Random(5)
    # Groups of every size up to 12, a holder holding a value twice, values held by one.
    held = [(f"v{rng.randrange(40)}", rng.randrange(60)) for _ in range(300)]
    held += [("twice", 7), ("twice", 7), ("alone", 3)]
    left, right = sharing(
        numbered(v for v, _ in held), np.array([o for _, o in held], dtype=np.int64), 60
    )
    expected = sorted(
        {
            (min(a, b), max(a, b))
            for (value, a), (other, b) in combinations(held, 2)
            if value == other and a != b
        }
    )
    assert list(zip(left.tolist(), right.tolist(), strict=True)) == expected


def test_no_values_no_pairs() -> None:
    left, right = sharing(numbered([]), np.empty(0, np.int64), 0)
    assert (len(left), len(right)) == (0, 0)


def test_values_are_numbered_in_order_of_first_sight_and_none_is_minus_one() -> None:
    shared: dict[object, int] = {}
    assert numbered(["b", None, "a", "b"], shared).tolist() == [0, -1, 1, 0]
    assert numbered(["a", "c"], shared).tolist() == [1, 2]


def test_the_collector_is_paused_while_building_and_left_as_it_was_after() -> None:
    @collector_paused()
    def state() -> bool:
        return gc.isenabled()

    assert gc.isenabled()
    assert state() is False
    assert gc.isenabled()
    gc.disable()
    try:
        assert state() is False
        assert not gc.isenabled(), "a collector paused by the caller stays paused"
    finally:
        gc.enable()
