"""Open-data releases of citizens abroad: compute a month's tables from the registry, protect
them (``stats.disclosure``), publish them frozen, and read them back for the public.

A month's tables count the people abroad on its last day (``registry.repository.
people_abroad_on``: one GROUP BY), by country, by post within each country, by purpose,
sector, sex and age band, each with the grand total. Lines tie them for the suppression:
each one-way table adds up to the grand total, and each country's posts to the country.
"""

from __future__ import annotations

import calendar
from collections import Counter
from collections.abc import Iterable, Sequence
from dataclasses import dataclass
from datetime import date, datetime, timedelta
from itertools import pairwise

from sqlalchemy import func, insert, select
from sqlalchemy.orm import Session

from peduli.auth import audit, policy
from peduli.auth.actor import SYSTEM, Actor
from peduli.auth.roles import OPEN_DATA_PUBLISHERS
from peduli.core.db import utcnow
from peduli.core.errors import Conflict, FieldProblem, NotFound, ValidationFailed
from peduli.core.i18n import _
from peduli.registry import repository as registry_repository
from peduli.stats import disclosure
from peduli.stats.release_models import OpenDataCell, OpenDataRelease

Key = tuple[str, str, str]  # (dimension, parent, code)
TOTAL: Key = ("total", "", "")
# The one-way tables; ``representation`` is published within each country.
DIMENSIONS = ("country", "representation", "purpose", "sector", "sex", "age_band")
# Age on the count's day: each band's youngest age; the last band has no upper end.
AGE_BANDS = (
    ("0-17", 0), ("18-24", 18), ("25-34", 25), ("35-44", 35), ("45-54", 45), ("55-64", 55),
    ("65+", 65),
)  # fmt: skip


@dataclass(frozen=True)
class Tables:
    """A month's true counts (every cell and total) and the lines that tie them."""

    counts: dict[Key, int]
    lines: list[disclosure.Line[Key]]


def parse_month(text: str, *, field: str = "month") -> date:
    """``2026-11`` → the month's first day; anything else is refused."""
    try:
        year, month = (int(part) for part in text.split("-"))
        return date(year, month, 1)
    except ValueError:
        raise ValidationFailed(
            [FieldProblem(field, "invalid_month", _("Give the month as YYYY-MM, e.g. 2026-11."))]
        ) from None


def last_day(month: date) -> date:
    """The month's last day, when its people are counted."""
    return month.replace(day=calendar.monthrange(month.year, month.month)[1])


def _years_before(day: date, years: int) -> date:
    try:
        return day.replace(year=day.year - years)
    except ValueError:  # 29 February in a year without one
        return day.replace(year=day.year - years, day=28)


def build_tables(rows: Sequence[registry_repository.AbroadCount]) -> Tables:
    """The one-way tables and their lines from the finest groups (pure)."""
    counts: Counter[Key] = Counter()
    for row in rows:
        counts[TOTAL] += row.people
        counts[("country", "", row.country)] += row.people
        counts[("representation", row.country, row.representation_code)] += row.people
        counts[("purpose", "", row.purpose)] += row.people
        counts[("sector", "", row.sector)] += row.people
        counts[("sex", "", row.sex)] += row.people
        counts[("age_band", "", row.age_band)] += row.people
    return Tables(dict(counts), lines_for(counts))


def lines_for(cells: Iterable[Key]) -> list[disclosure.Line[Key]]:
    """The lines of a release's cells: each one-way table adds up to the grand total, each
    country's posts to the country. Public knowledge: an intruder builds the same lines."""
    keys = sorted(cells)
    lines = [
        disclosure.Line(TOTAL, tuple(k for k in keys if k[0] == dimension))
        for dimension in DIMENSIONS
        if dimension != "representation"
    ]
    lines += [
        disclosure.Line(country, tuple(k for k in keys if k[:2] == ("representation", country[2])))
        for country in keys
        if country[0] == "country"
    ]
    return lines


def count_month(session: Session, month: date) -> Tables:
    """The month's true tables, counted from the registry on the month's last day."""
    day = last_day(month)
    bands = [
        (_years_before(day, upper) + timedelta(days=1), name)
        for (name, _lower), (_next, upper) in pairwise(AGE_BANDS)
    ]
    rows = registry_repository.people_abroad_on(session, day, born_after=bands, oldest="65+")
    return build_tables(rows)


def kept_hidden(session: Session, month: date) -> set[Key]:
    """Cells suppressed in any earlier release: they stay suppressed in the series. The grand
    total is the exception: hidden only while fewer than 10 people are abroad at all, it
    would otherwise stay hidden for ever after a deployment's first, nearly empty month."""
    rows = session.execute(
        select(OpenDataCell.dimension, OpenDataCell.parent, OpenDataCell.code)
        .join(OpenDataRelease, OpenDataRelease.id == OpenDataCell.release_id)
        .where(
            OpenDataRelease.month < month,
            OpenDataCell.value.is_(None),
            OpenDataCell.dimension != TOTAL[0],
        )
        .distinct()
    )
    return {(row[0], row[1], row[2]) for row in rows}


def protected(tables: Tables, keep: set[Key]) -> dict[Key, int | None]:
    """What is published of each cell after suppression and rounding (pure)."""
    hidden = disclosure.protect(tables.counts, tables.lines, keep_hidden=keep)
    return disclosure.published_values(tables.counts, hidden)


def publish(
    session: Session, *, month: date, actor: Actor, now: datetime | None = None
) -> OpenDataRelease:
    """Publish a finished month's tables, frozen (HQ; audited). A month is published once."""
    policy.require_role(
        session, actor, roles=OPEN_DATA_PUBLISHERS, action="stats.publish_open_data"
    )
    moment = now or utcnow()
    if last_day(month) >= moment.date():
        raise ValidationFailed(
            [FieldProblem("month", "month_not_over", _("Only a month that is over is published."))]
        )
    if session.scalar(select(OpenDataRelease.id).where(OpenDataRelease.month == month)):
        raise Conflict(_("This month is already published."), code="already_published")
    newest = session.scalar(select(func.max(OpenDataRelease.month)))
    if newest is not None and month < newest:
        # The series keeps its suppressions forward in time: a month slipped in behind a
        # later one could hide a cell the later month already published.
        raise ValidationFailed([FieldProblem(
            "month", "before_newest_release",
            _("Months are published in order: this one is before the newest published month."),
        )])  # fmt: skip
    values = protected(count_month(session, month), kept_hidden(session, month))
    release = OpenDataRelease(
        month=month, published_at=moment, published_by=actor.display,
        threshold=disclosure.THRESHOLD, rounding_base=disclosure.BASE,
    )  # fmt: skip
    session.add(release)
    session.flush()
    if values:
        session.execute(
            insert(OpenDataCell),
            [
                {"release_id": release.id, "dimension": d, "parent": p, "code": c, "value": v}
                for (d, p, c), v in values.items()
            ],
        )
    audit.record(
        session, actor=actor, action="stats.open_data_published",
        entity_type="open_data_release", entity_id=month.strftime("%Y-%m"),
    )  # fmt: skip
    return release


def previous_month(day: date) -> date:
    """The first day of the month before ``day``'s."""
    return (day.replace(day=1) - timedelta(days=1)).replace(day=1)


def publish_last_month(session: Session, now: datetime) -> int:
    """Periodic: once a month is over, publish it (as the system, for HQ); 1 if published."""
    month = previous_month(now.date())
    if session.scalar(select(OpenDataRelease.id).where(OpenDataRelease.month == month)):
        return 0
    publish(session, month=month, actor=SYSTEM, now=now)
    return 1


@dataclass(frozen=True)
class PublishedCell:
    parent: str
    code: str
    value: int | None

    @property
    def suppressed(self) -> bool:
        return self.value is None


@dataclass(frozen=True)
class PublishedTable:
    """One dimension of a release as the public reads it."""

    month: date
    published_at: datetime
    dimension: str
    total: int | None
    cells: list[PublishedCell]


def published_months(session: Session) -> list[date]:
    """Every published month, newest first."""
    return list(
        session.scalars(select(OpenDataRelease.month).order_by(OpenDataRelease.month.desc()))
    )


def published_table(session: Session, *, month: date | None, dimension: str) -> PublishedTable:
    """A release's table (the newest release when no month is given); 404 when none."""
    query = select(OpenDataRelease).order_by(OpenDataRelease.month.desc()).limit(1)
    if month is not None:
        query = select(OpenDataRelease).where(OpenDataRelease.month == month)
    release = session.scalar(query)
    if release is None:
        raise NotFound(_("No open data is published for this month."))
    rows = session.execute(
        select(OpenDataCell.dimension, OpenDataCell.parent, OpenDataCell.code, OpenDataCell.value)
        .where(
            OpenDataCell.release_id == release.id,
            OpenDataCell.dimension.in_((dimension, TOTAL[0])),
        )
        .order_by(OpenDataCell.parent, OpenDataCell.code)
    ).all()
    total = next((row.value for row in rows if row.dimension == TOTAL[0]), None)
    cells = [
        PublishedCell(row.parent, row.code, row.value) for row in rows if row.dimension == dimension
    ]
    return PublishedTable(release.month, release.published_at, dimension, total, cells)
