"""Month-end stocks: the live stock copied once a month has ended (``stats.jobs``), and, for a
new installation or the demo, the months before drawn from the stays' arrival and departure
dates. Periods ending in a past month and every year-earlier figure read them."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy import (
    Date,
    String,
    and_,
    cast,
    delete,
    func,
    insert,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from peduli.stats.models import CitizenStock, CitizenStockMonth, Dimension, StayContribution
from peduli.stats.tally import ALL


def month_end(day: date) -> date:
    """The last day of ``day``'s month."""
    following = (day.replace(day=28) + timedelta(days=4)).replace(day=1)
    return following - timedelta(days=1)


def keep_month_end(session: Session, today: date) -> int:
    """Copy the live stock as last month's end, once; returns the rows copied."""
    last_month = today.replace(day=1) - timedelta(days=1)
    taken = session.scalar(
        select(CitizenStockMonth.month).where(CitizenStockMonth.month == last_month).limit(1)
    )
    if taken is not None:
        return 0
    s = CitizenStock
    copied = session.execute(
        insert(CitizenStockMonth).from_select(
            ["month", "dimension", "value", "country", "representation_code", "n"],
            select(
                literal(last_month, Date),
                s.dimension,
                s.value,
                s.country,
                s.representation_code,
                s.n,
            ).where(s.n != 0),
        )
    )
    return int(copied.rowcount or 0)  # type: ignore[attr-defined]


def backfill_months(session: Session, *, today: date, months: int) -> None:
    """Month-end stocks of the ``months`` months before ``today`` from the stays' arrival
    and departure dates, under today's dimensions (set-based; setup and demo only)."""
    c = StayContribution
    ends: list[date] = []
    cursor = today.replace(day=1) - timedelta(days=1)
    for _ in range(months):
        ends.append(cursor)
        cursor = cursor.replace(day=1) - timedelta(days=1)
    session.execute(delete(CitizenStockMonth).where(CitizenStockMonth.month.in_(ends)))
    for end in ends:
        standing = and_(c.arrival_date <= end, or_(c.departed_on.is_(None), c.departed_on > end))
        for dimension in Dimension:
            value = getattr(c, dimension.value)
            session.execute(
                insert(CitizenStockMonth).from_select(
                    _MONTH_COLUMNS,
                    select(
                        literal(end, Date),
                        cast(literal(dimension.value), String(12)),
                        value,
                        c.country,
                        c.representation_code,
                        func.count(),
                    )
                    .where(standing)
                    .group_by(value, c.country, c.representation_code),
                )
            )
        _roll_up_month(session, end)


_MONTH_COLUMNS = ["month", "dimension", "value", "country", "representation_code", "n"]


def _roll_up_month(session: Session, end: date) -> None:
    """The ``ALL`` keys of a month-end, summed from its own (country, post) rows."""
    m = CitizenStockMonth
    own = and_(m.month == end, m.country != ALL, m.representation_code != ALL)
    every_post = cast(literal(ALL), String(40))
    every_country = cast(literal(ALL), String(2))
    keys = union_all(
        *(
            select(m.dimension, m.value, country.label("country"), post.label("post"), m.n).where(
                own
            )
            for country, post in (
                (m.country, every_post),
                (every_country, m.representation_code),
                (every_country, every_post),
            )
        )
    ).subquery()
    session.execute(
        insert(CitizenStockMonth).from_select(
            _MONTH_COLUMNS,
            select(
                literal(end, Date),
                keys.c.dimension,
                keys.c.value,
                keys.c.country,
                keys.c.post,
                func.sum(keys.c.n),
            ).group_by(keys.c.dimension, keys.c.value, keys.c.country, keys.c.post),
        )
    )
