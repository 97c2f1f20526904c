"""The statistics' JSON routes: citizens abroad by one dimension, with filters."""

from __future__ import annotations

from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, Query
from sqlalchemy.orm import Session

from peduli.api.deps import Credentials, DbSession, credentials_for
from peduli.api.hot_paths import hot_path_read_as_caller
from peduli.api.language import RequestLanguage
from peduli.auth.actor import Actor
from peduli.auth.scopes import STATS_READ
from peduli.core.db import utcnow
from peduli.stats import labels, repository, service
from peduli.stats.schemas import CitizenCount, CitizensRead, FlowFigures

router = APIRouter(tags=["stats"])
# The figures resolve their caller in the worker thread of their read (hot_path_read_as_caller).
StatsCaller = Annotated[Credentials, Depends(credentials_for(STATS_READ))]
By = Literal["country", "representation", "purpose", "sector", "sex", "age_band", "province"]


@router.get("/stats/citizens", response_model=CitizensRead)
async def citizens(
    credentials: StatsCaller,
    db: DbSession,
    language: RequestLanguage,
    by: Annotated[By, Query()] = "country",
    date_from: Annotated[date | None, Query(alias="from")] = None,
    date_to: Annotated[date | None, Query(alias="to")] = None,
    country: Annotated[str | None, Query(min_length=2, max_length=2)] = None,
    representation: Annotated[str | None, Query(max_length=64)] = None,
) -> CitizensRead:
    """Citizens abroad at the end of the period (default: this month so far) by ``by``, with
    the same figures a year earlier and the period's arrivals, departures and self-reports.
    A post's staff read their own post; HQ every post or the ``representation`` asked for.
    The figures are read from the replica when there is one (seconds behind at most)."""
    asked = service.Asked(date_from, date_to, country, representation)

    def read(actor: Actor, counts: Session) -> CitizensRead:
        reading = service.read_citizens(
            db, actor=actor, by=by, asked=asked, today=utcnow().date(), counts=counts
        )
        return _citizens_read(reading, by, language)

    return await hot_path_read_as_caller(db, credentials, read)


def _citizens_read(reading: service.CitizensReading, by: str, language: str) -> CitizensRead:
    breakdown = reading.breakdown
    earlier = breakdown.year_earlier
    keys = repository.ordered(breakdown.counts, by, earlier or {})
    return CitizensRead(
        by=by,
        date_from=reading.filters.date_from,
        date_to=reading.filters.date_to,
        as_of=breakdown.as_of,
        live=breakdown.live,
        year_earlier_as_of=breakdown.year_earlier_as_of,
        country=reading.filters.country,
        representation=reading.representation,
        total=breakdown.total,
        year_earlier_total=breakdown.year_earlier_total,
        rows=[
            CitizenCount(
                key=key,
                label=labels.label(by, key, language),
                count=breakdown.counts.get(key, 0),
                year_earlier=None if earlier is None else earlier.get(key, 0),
            )
            for key in keys
        ],
        flows=FlowFigures(**reading.flows),
        flows_year_earlier=FlowFigures(**reading.flows_year_earlier),
    )
