"""Building a seed's batches in other processes: the same results, in order."""

from __future__ import annotations

from peduli.demo.bulk_write import in_order


def test_batches_built_in_other_processes_come_back_in_order() -> None:
    items = [3, -1, 4, -1, 5, -9, 2, -6]
    assert list(in_order(abs, items, processes=2)) == [abs(i) for i in items]


def test_one_process_builds_in_this_one() -> None:
    assert list(in_order(str, range(3), processes=1)) == ["0", "1", "2"]
