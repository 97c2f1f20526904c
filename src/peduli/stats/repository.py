"""Readings of the maintained aggregates (``stats.tally``): small indexed sums, never a scan.

A stock (citizens abroad) is read at the end of the period: live when the period ends in the
current month, else the month-end stock of its last month; the year-earlier figure is the
month-end stock twelve months before. Flows (arrivals, departures, self-reports) are summed
over the period's days, and over the same days a year earlier.
"""

from __future__ import annotations

from collections import defaultdict
from collections.abc import Iterable, Sequence
from dataclasses import dataclass, field
from datetime import date, timedelta
from typing import Any

from sqlalchemy import ColumnElement, and_, case, func, literal, or_, select, true, union_all
from sqlalchemy.orm import Session

from peduli.stats.models import (
    CitizenFlowDay,
    CitizenStock,
    CitizenStockMonth,
    Dimension,
    FlowKind,
)
from peduli.stats.month_ends import month_end
from peduli.stats.tally import ALL

BY = ("country", "representation", "purpose", "sector", "sex", "age_band", "province")
# Every counted stay has exactly one row per dimension: countries and posts are read from
# the ``sex`` rows, the smallest dimension.
_EVERY_STAY = Dimension.SEX
# The parts of the one read of ``citizens_and_flows``, by their first column.
_NOW, _THEN, _FLOWS = 0, 1, 2
# Per kind (arrival, departure, self-report): the period's count, and a year earlier's.
FlowTotals = tuple[dict[str, int], dict[str, int]]
AGE_BANDS: tuple[tuple[int, int | None], ...] = (
    (0, 17),
    (18, 24),
    (25, 34),
    (35, 44),
    (45, 54),
    (55, 64),
    (65, None),
)


def age_band(age: int) -> str:
    """The band an age falls in, as its code (``25-34``, ``65+``)."""
    for low, high in AGE_BANDS:
        if high is None:
            return f"{low}+"
        if age <= high:
            return f"{max(low, 0)}-{high}"
    raise AssertionError("unreachable")


def band_codes() -> list[str]:
    """Every age band, youngest first."""
    return [f"{low}+" if high is None else f"{low}-{high}" for low, high in AGE_BANDS]


def year_before(day: date) -> date:
    """The same day a year earlier (28 February for 29 February)."""
    try:
        return day.replace(year=day.year - 1)
    except ValueError:
        return day.replace(year=day.year - 1, day=28)


@dataclass(frozen=True)
class Filters:
    """What a reading covers: a period, a country (or all) and posts (None: every post)."""

    date_from: date
    date_to: date
    country: str | None = None
    posts: frozenset[str] | None = None

    def a_year_earlier(self) -> Filters:
        return Filters(
            year_before(self.date_from), year_before(self.date_to), self.country, self.posts
        )


@dataclass
class Breakdown:
    """Citizens abroad at the end of a period by one dimension, and a year earlier."""

    by: str
    as_of: date
    live: bool
    year_earlier_as_of: date
    counts: dict[str, int] = field(default_factory=dict)
    year_earlier: dict[str, int] | None = None

    @property
    def total(self) -> int:
        return sum(self.counts.values())

    @property
    def year_earlier_total(self) -> int | None:
        return None if self.year_earlier is None else sum(self.year_earlier.values())


def _stock_select(by: str, filters: Filters, month: date | None, tag: int) -> Any:
    """(tag, key, count) of the live stock (``month`` None) or of a month-end."""
    table: Any = CitizenStock if month is None else CitizenStockMonth
    where: list[ColumnElement[bool]] = [true() if month is None else table.month == month]
    if by in ("country", "representation"):
        where.append(table.dimension == _EVERY_STAY.value)
        key = table.country if by == "country" else table.representation_code
    else:
        dimension = Dimension.BIRTH_YEAR.value if by == "age_band" else by
        where.append(table.dimension == dimension)
        key = table.value
    where += _place_keys(table, filters, by=by)
    return (
        select(
            literal(tag).label("tag"),
            key.label("key"),
            func.sum(table.n).label("n"),
            literal(0).label("n2"),
        )
        .where(and_(*where))
        .group_by(key)
    )


def _folded(rows: list[tuple[str, int]], by: str, reference_year: int) -> dict[str, int]:
    """``{key: count}``, birth years folded into age bands."""
    counts: dict[str, int] = defaultdict(int)
    for value, n in rows:
        if not n:
            continue
        key = age_band(reference_year - int(value)) if by == "age_band" else value
        counts[key] += int(n)
    return dict(counts)


def _place_keys(table: Any, filters: Filters, *, by: str = "") -> list[ColumnElement[bool]]:
    """The rows of the filters' country and posts: their own or the roll-ups (``ALL``)."""
    if by == "country":
        country = table.country == filters.country if filters.country else table.country != ALL
    else:
        country = table.country == (filters.country or ALL)
    if filters.posts is not None:
        post = table.representation_code.in_(sorted(filters.posts))
    elif by == "representation":
        post = table.representation_code != ALL
    else:
        post = table.representation_code == ALL
    return [country, post]


def _kept(session: Session, month: date) -> bool:
    """Whether month-ends are kept as far back as ``month`` (the first one kept is the
    index's first entry; the worker keeps every one after it)."""
    first = session.scalar(select(func.min(CitizenStockMonth.month)))
    return first is not None and first <= month


def citizens(session: Session, *, by: str, filters: Filters, today: date) -> Breakdown:
    """Citizens abroad at the end of ``filters``' period by ``by``, and a year earlier (one
    read of both)."""
    return citizens_and_flows(session, by=by, filters=filters, today=today, flows=False)[0]


def citizens_and_flows(
    session: Session, *, by: str, filters: Filters, today: date, flows: bool = True
) -> tuple[Breakdown, FlowTotals]:
    """``citizens`` and, with ``flows``, ``flow_totals_and_year_earlier`` in one statement:
    the busiest read of the statistics (``GET /stats/citizens``) makes one round trip."""
    live = filters.date_to >= today.replace(day=1)
    month = None if live else month_end(filters.date_to)
    earlier_as_of = month_end(year_before(filters.date_to))
    parts = [
        _stock_select(by, filters, month, _NOW),
        _stock_select(by, filters.a_year_earlier(), earlier_as_of, _THEN),
    ]
    if flows:
        parts.append(_flows_select(filters))
    rows = session.execute(union_all(*parts)).all()
    now_rows = [(key, n) for tag, key, n, _n in rows if tag == _NOW]
    then_rows = [(key, n) for tag, key, n, _n in rows if tag == _THEN]
    kept = bool(then_rows) or _kept(session, earlier_as_of)
    breakdown = Breakdown(
        by=by,
        as_of=min(filters.date_to, today) if live else month_end(filters.date_to),
        live=live,
        year_earlier_as_of=earlier_as_of,
        counts=_folded(now_rows, by, (month or filters.date_to).year),
        year_earlier=_folded(then_rows, by, earlier_as_of.year) if kept else None,
    )
    return breakdown, _flow_totals([row[1:] for row in rows if row[0] == _FLOWS])


def _flow_where(filters: Filters) -> list[ColumnElement[bool]]:
    f = CitizenFlowDay
    return [*_place_keys(f, filters), f.day >= filters.date_from, f.day <= filters.date_to]


def flow_totals(session: Session, *, filters: Filters) -> dict[str, int]:
    """Arrivals, departures and self-reports in the period, per kind."""
    return flow_totals_and_year_earlier(session, filters=filters)[0]


def flow_totals_and_year_earlier(session: Session, *, filters: Filters) -> FlowTotals:
    """Arrivals, departures and self-reports in the period and a year earlier, in one read."""
    return _flow_totals(row[1:] for row in session.execute(_flows_select(filters)))


def _flows_select(filters: Filters) -> Any:
    """(tag, kind, count in the period, count a year earlier): the shape of the stock's
    selects, with a fourth column, so that both fit in one ``UNION ALL``."""
    f = CitizenFlowDay
    earlier = filters.a_year_earlier()
    now_in = and_(f.day >= filters.date_from, f.day <= filters.date_to)
    then_in = and_(f.day >= earlier.date_from, f.day <= earlier.date_to)
    return (
        select(
            literal(_FLOWS).label("tag"),
            f.kind.label("key"),
            func.sum(case((now_in, f.n), else_=0)).label("n"),
            func.sum(case((then_in, f.n), else_=0)).label("n2"),
        )
        .where(*_place_keys(f, filters), or_(now_in, then_in))
        .group_by(f.kind)
    )


def _flow_totals(rows: Iterable[Sequence[Any]]) -> FlowTotals:
    """Per kind the period's count and the year earlier's, every kind present."""
    totals = ({kind.value: 0 for kind in FlowKind}, {kind.value: 0 for kind in FlowKind})
    for kind, now_n, then_n in rows:
        totals[0][kind] = int(now_n or 0)
        totals[1][kind] = int(then_n or 0)
    return totals


def flow_series(session: Session, *, filters: Filters) -> dict[str, list[tuple[date, int]]]:
    """Per kind, the count of each day of the period (days without any count as 0)."""
    f = CitizenFlowDay
    rows = session.execute(
        select(f.day, f.kind, func.sum(f.n)).where(*_flow_where(filters)).group_by(f.day, f.kind)
    ).all()
    found: dict[tuple[date, str], int] = {(day, kind): int(n or 0) for day, kind, n in rows}
    days = _days(filters.date_from, filters.date_to)
    return {
        kind.value: [(day, found.get((day, kind.value), 0)) for day in days] for kind in FlowKind
    }


def _days(start: date, end: date) -> list[date]:
    return [start + timedelta(days=offset) for offset in range((end - start).days + 1)]


def ordered(counts: dict[str, int], by: str, keys: Iterable[str] = ()) -> list[str]:
    """The keys to show: age bands in order, anything else largest first."""
    if by == "age_band":
        return [band for band in band_codes() if band in counts or band in set(keys)]
    every = set(counts) | set(keys)
    return sorted(every, key=lambda key: (-counts.get(key, 0), key))
