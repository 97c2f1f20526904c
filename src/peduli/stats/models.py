"""Tables of the live statistics of citizens abroad (``stats.tally`` keeps them).

``StayContribution`` records, per stay, the dimension tuple it is counted under now; the
aggregates (``CitizenStock``: active stays per dimension value, country and post;
``CitizenFlowDay``: arrivals, departures and self-reports per day) are the sums of those
tuples, moved by deltas (new tuple − recorded tuple) with one upsert per batch.
``CitizenStockMonth`` keeps the month-end stocks so periods and the year before are cheap.
Keys use ``''`` for a missing post, sector or province (a key column is never null), and
``'*'`` (``tally.ALL``) for the roll-ups: each stay is counted under its own country and post,
its country with every post, its post with every country, and everything, so a reading of
any filter is a few rows of one key (the primary keys lead with the filters).

Age: the birth year is kept as the ``birth_year`` dimension value and folded into age bands
at read time (age reached in the reference year, as population tables count it), so the
aggregates never need a nightly recount as people grow older.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime
from enum import StrEnum

from sqlalchemy import Date, Index, Integer, PrimaryKeyConstraint, String
from sqlalchemy.orm import Mapped, mapped_column

from peduli.core.db import Base
from peduli.registry.models import Person, Stay


class Dimension(StrEnum):
    PURPOSE = "purpose"
    SECTOR = "sector"
    SEX = "sex"
    BIRTH_YEAR = "birth_year"
    PROVINCE = "province"
    # The person's record checked or not: the verification backlog, per post.
    VERIFICATION = "verification"


class FlowKind(StrEnum):
    ARRIVAL = "arrival"
    DEPARTURE = "departure"
    SELF_REPORT = "self_report"


class StayContribution(Base):
    """What one stay adds to the aggregates now; ``counted``: in the stock of citizens."""

    __tablename__ = "stats_stay_contribution"

    stay_id: Mapped[uuid.UUID] = mapped_column(primary_key=True)
    person_id: Mapped[uuid.UUID] = mapped_column(index=True)
    counted: Mapped[bool]
    country: Mapped[str] = mapped_column(String(2))
    representation_code: Mapped[str] = mapped_column(String(40))
    purpose: Mapped[str] = mapped_column(String(10))
    sector: Mapped[str] = mapped_column(String(24))
    sex: Mapped[str] = mapped_column(String(1))
    birth_year: Mapped[str] = mapped_column(String(4))
    province: Mapped[str] = mapped_column(String(2))
    verification: Mapped[str] = mapped_column(String(12))
    arrival_date: Mapped[date] = mapped_column(Date)
    departed_on: Mapped[date | None] = mapped_column(Date)
    reported_on: Mapped[date | None] = mapped_column(Date)


class CitizenStock(Base):
    """Active stays of active people, per dimension value, country and post (live)."""

    __tablename__ = "stats_citizen_stock"
    # The count in the key's index: a reading is an index-only scan (PostgreSQL), not a
    # visit to hundreds of heap pages scattered by the tally's updates.
    __table_args__ = (
        PrimaryKeyConstraint(
            "dimension", "country", "representation_code", "value", postgresql_include=["n"]
        ),
    )

    dimension: Mapped[str] = mapped_column(String(12), primary_key=True)
    country: Mapped[str] = mapped_column(String(2), primary_key=True)
    representation_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(24), primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)


class CitizenStockMonth(Base):
    """``CitizenStock`` as it stood at the end of ``month`` (its last day)."""

    __tablename__ = "stats_citizen_stock_month"
    __table_args__ = (  # the count in the key's index, as ``CitizenStock``'s
        PrimaryKeyConstraint(
            "month", "dimension", "country", "representation_code", "value",
            postgresql_include=["n"],
        ),
    )  # fmt: skip

    month: Mapped[date] = mapped_column(Date, primary_key=True)
    dimension: Mapped[str] = mapped_column(String(12), primary_key=True)
    country: Mapped[str] = mapped_column(String(2), primary_key=True)
    representation_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[str] = mapped_column(String(24), primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)


class CitizenFlowDay(Base):
    """Arrivals, departures and self-reports per day, country and post."""

    __tablename__ = "stats_citizen_flow_day"

    country: Mapped[str] = mapped_column(String(2), primary_key=True)
    representation_code: Mapped[str] = mapped_column(String(40), primary_key=True)
    day: Mapped[date] = mapped_column(Date, primary_key=True)
    kind: Mapped[str] = mapped_column(String(12), primary_key=True)
    n: Mapped[int] = mapped_column(Integer, default=0)


class TallyCursor(Base):
    """How far the tally has read a table's changes, and which worker holds it now.

    ``lease_until``: a worker takes the tally with one conditional UPDATE of this row, so
    two workers (or processes, on either database) never apply the same batch twice.
    ``long_open_since``: when the oldest write transaction open longer than the overlap at
    the last round began; once it has ended the cursor goes back there (``stats.tally``).
    """

    __tablename__ = "stats_tally_cursor"

    name: Mapped[str] = mapped_column(String(20), primary_key=True)
    seen_at: Mapped[datetime]
    seen_id: Mapped[uuid.UUID]
    lease_owner: Mapped[str | None] = mapped_column(String(100))
    lease_until: Mapped[datetime | None]
    long_open_since: Mapped[datetime | None]


# The tally reads the registry's changes in (updated_at, id) order: indexes on its tables,
# declared here so the registry's models need not know the statistics exist.
Index("ix_stay_updated", Stay.updated_at, Stay.id)
Index("ix_person_updated", Person.updated_at, Person.id)
