"""The statistics API's answers."""

from __future__ import annotations

from datetime import date

from pydantic import BaseModel, Field


class CitizenCount(BaseModel):
    key: str = Field(description="The code counted under (country, post, purpose, …); '' unknown.")
    label: str = Field(description="Its name in the reader's language.")
    count: int
    year_earlier: int | None = Field(
        description="The same figure at the same date a year earlier; null if not kept."
    )


class FlowFigures(BaseModel):
    arrival: int
    departure: int
    self_report: int


class CitizensRead(BaseModel):
    """Citizens abroad (active stays of active records) at the end of the period."""

    by: str
    date_from: date
    date_to: date
    as_of: date = Field(description="The date the counts stand at (today when live).")
    live: bool = Field(description="Read from the live aggregates (at most seconds old).")
    year_earlier_as_of: date
    country: str | None
    representation: str | None
    total: int
    year_earlier_total: int | None
    rows: list[CitizenCount]
    flows: FlowFigures = Field(description="Arrivals, departures and self-reports in the period.")
    flows_year_earlier: FlowFigures
