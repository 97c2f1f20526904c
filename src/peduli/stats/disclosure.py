"""Statistical disclosure control of the open-data tables: the "10-5" rule with secondary
suppression, as pure functions over counts (``docs/open-data.md`` says what is done and why).

A table set is a mapping of cells (any hashable key) to their true counts, and the *lines*
that tie them: a total and the cells that add up to it (a row or column of a table, or a
country and its posts). Cells with a count below ``THRESHOLD`` are suppressed (primary);
then, line by line until nothing changes (secondary):

- a line with exactly one suppressed cell (its total counted) gets its next-smallest
  published member suppressed too, so "total minus the published cells" recovers nothing;
- a line whose suppressed members add up to less than ``THRESHOLD`` plus one for each
  suppressed member past the first gets its next-smallest published member suppressed, so
  the difference never proves a suppressed cell smaller than ``THRESHOLD``;
- a line with nothing left to suppress but still short has its total suppressed.

Cells kept suppressed from earlier releases (``keep_hidden``) enter with the primary ones,
so a series keeps one pattern. Published values, totals included, are the true counts
rounded to the nearest multiple of ``BASE`` (never the sum of rounded cells).
"""

from __future__ import annotations

from collections.abc import Collection, Hashable, Mapping, Sequence
from dataclasses import dataclass
from typing import Generic, TypeVar

THRESHOLD = 10
BASE = 5

K = TypeVar("K", bound=Hashable)


@dataclass(frozen=True)
class Line(Generic[K]):
    """A total and the cells that add up to it."""

    total: K
    members: tuple[K, ...]


def rounded(value: int, base: int = BASE) -> int:
    """The nearest multiple of ``base`` (halves up): 12 → 10, 13 → 15."""
    return base * ((value + base // 2) // base)


def primary(counts: Mapping[K, int], threshold: int = THRESHOLD) -> set[K]:
    """The cells below the threshold."""
    return {key for key, value in counts.items() if value < threshold}


def protect(
    counts: Mapping[K, int],
    lines: Sequence[Line[K]],
    *,
    keep_hidden: Collection[K] = (),
    threshold: int = THRESHOLD,
) -> frozenset[K]:
    """Every cell to suppress: primary, kept from earlier releases, then secondary to a fixed
    point. Deterministic: ties between equal counts go to the smaller key."""
    hidden = primary(counts, threshold) | {key for key in keep_hidden if key in counts}
    changed = True
    while changed:
        changed = False
        for line in lines:
            extra = _complement(counts, line, hidden, threshold)
            if extra is not None:
                hidden.add(extra)
                changed = True
    return frozenset(hidden)


def _complement(counts: Mapping[K, int], line: Line[K], hidden: set[K], threshold: int) -> K | None:
    """The next cell this line needs suppressed, if any."""
    members_hidden = [key for key in line.members if key in hidden]
    cells_hidden = len(members_hidden) + (line.total in hidden)
    mass = sum(counts[key] for key in members_hidden)
    short = bool(members_hidden) and mass < threshold + len(members_hidden) - 1
    if cells_hidden != 1 and not short:
        return None
    published = [key for key in line.members if key not in hidden]
    if published:
        return min(published, key=lambda key: (counts[key], repr(key)))
    return None if line.total in hidden else line.total


def published_values(
    counts: Mapping[K, int], hidden: Collection[K], base: int = BASE
) -> dict[K, int | None]:
    """What is published of each cell: its rounded count, or None where suppressed."""
    return {key: None if key in hidden else rounded(value, base) for key, value in counts.items()}


def lines_with_one_hidden(lines: Sequence[Line[K]], hidden: Collection[K]) -> list[Line[K]]:
    """The lines that would give a suppressed cell away by difference (none, once protected)."""
    return [
        line for line in lines if sum(key in hidden for key in (line.total, *line.members)) == 1
    ]
