"""Answers of the open-data API (``stats.open_data_api``)."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from peduli.stats import disclosure
from peduli.stats.releases import PublishedTable

Dimension = Literal["country", "representation", "purpose", "sector", "sex", "age_band"]


class OpenCell(BaseModel):
    """One group: ``value`` is the count rounded to 5, null where suppressed."""

    code: str = Field(description="Country (ISO 3166), post, purpose, sector, sex or age band.")
    country: str | None = Field(None, description="The country of a post's cell.")
    value: int | None
    suppressed: bool


class OpenTable(BaseModel):
    """Citizens abroad on the month's last day, by one dimension, after disclosure control."""

    month: str = Field(examples=["2026-11"])
    by: Dimension
    published_at: datetime
    threshold: int = Field(description="Counts below it are suppressed.")
    rounding_base: int = Field(description="Published counts are rounded to a multiple of it.")
    total: int | None
    cells: list[OpenCell]

    @classmethod
    def of(cls, table: PublishedTable) -> OpenTable:
        """The answer for a published table."""
        return cls(
            month=table.month.strftime("%Y-%m"),
            by=table.dimension,
            published_at=table.published_at,
            threshold=disclosure.THRESHOLD,
            rounding_base=disclosure.BASE,
            total=table.total,
            cells=[
                OpenCell(
                    code=cell.code,
                    country=cell.parent or None,
                    value=cell.value,
                    suppressed=cell.suppressed,
                )
                for cell in table.cells
            ],
        )


class OpenRelease(BaseModel):
    """A published month."""

    month: str = Field(examples=["2026-11"])
