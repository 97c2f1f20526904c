"""An intruder's attack on published tables: linear programming over everything published.

The intruder knows the rule: a published value R is the true count rounded to base 5 and at
least the threshold, so the count lies in [max(R - 2, 10), R + 2]; a suppressed cell is a
count of at least 1 (only groups with people are listed); every line adds up. For a cell,
the smallest and largest count consistent with all of that (totals minus published cells,
across tables that share cells, country against its posts) is what differencing can learn.
"""

from __future__ import annotations

from collections.abc import Hashable, Mapping, Sequence

from scipy.optimize import linprog

from peduli.stats.disclosure import BASE, THRESHOLD, Line


def bounds_of(
    published: Mapping[Hashable, int | None], lines: Sequence[Line[Hashable]], target: Hashable
) -> tuple[float, float]:
    """The least and greatest count of ``target`` consistent with what is published."""
    keys = sorted(published, key=repr)
    index = {key: i for i, key in enumerate(keys)}
    half = BASE // 2
    limits = [
        (1, None) if published[key] is None
        else (max(published[key] - half, THRESHOLD), published[key] + half)  # type: ignore[operator]
        for key in keys
    ]  # fmt: skip
    rows = []
    for line in lines:
        row = [0.0] * len(keys)
        row[index[line.total]] = 1.0
        for member in line.members:
            row[index[member]] -= 1.0
        rows.append(row)
    objective = [0.0] * len(keys)
    found = []
    for sign in (1.0, -1.0):
        objective[index[target]] = sign
        result = linprog(
            objective, A_eq=rows or None, b_eq=[0.0] * len(rows) or None, bounds=limits
        )
        if result.status == 3:  # unbounded: nothing published ties this cell down
            found.append(-sign * float("inf"))
            continue
        assert result.status == 0, result.message  # the true counts are always feasible
        found.append(sign * result.fun)
    return found[0], found[1]


def recoverable_small_cells(
    counts: Mapping[Hashable, int],
    published: Mapping[Hashable, int | None],
    lines: Sequence[Line[Hashable]],
) -> list[tuple[Hashable, int, tuple[float, float]]]:
    """Suppressed cells below the threshold that the intruder can prove are below it."""
    found = []
    for key, value in published.items():
        if value is None and counts[key] < THRESHOLD:
            low, high = bounds_of(published, lines, key)
            if high < THRESHOLD - 1e-6:
                found.append((key, counts[key], (low, high)))
    return found
