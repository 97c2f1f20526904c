"""Open-data releases: a month's published tables, frozen once published.

A release holds only what is published (rounded counts, or nothing where suppressed), never
the true counts: the public tables are read from here, and the next month's release reads
which cells were suppressed here to keep the pattern of the series.
"""

from __future__ import annotations

import uuid
from datetime import date, datetime

from sqlalchemy import Date, ForeignKey, Integer, String
from sqlalchemy.orm import Mapped, mapped_column

from peduli.core.db import Base, IdMixin


class OpenDataRelease(IdMixin, Base):
    """One month's tables of citizens abroad (counted on the month's last day)."""

    __tablename__ = "open_data_release"

    month: Mapped[date] = mapped_column(Date, unique=True)  # the month's first day
    published_at: Mapped[datetime]
    published_by: Mapped[str] = mapped_column(String(200))
    threshold: Mapped[int] = mapped_column(Integer)
    rounding_base: Mapped[int] = mapped_column(Integer)


class OpenDataCell(Base):
    """A published cell: ``value`` is the rounded count, NULL where suppressed.

    ``dimension`` is the table (``country``, ``representation``, ``purpose``, ``sector``,
    ``sex``, ``age_band``, or ``total`` for the grand total); ``parent`` the country of a
    post's cell (posts are published within each country), empty otherwise.
    """

    __tablename__ = "open_data_cell"

    release_id: Mapped[uuid.UUID] = mapped_column(
        ForeignKey("open_data_release.id", ondelete="CASCADE"), primary_key=True
    )
    dimension: Mapped[str] = mapped_column(String(16), primary_key=True)
    parent: Mapped[str] = mapped_column(String(8), primary_key=True, default="")
    code: Mapped[str] = mapped_column(String(40), primary_key=True)
    value: Mapped[int | None] = mapped_column(Integer)
