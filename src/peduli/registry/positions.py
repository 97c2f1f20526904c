"""Stays recorded before the gazetteer, or by a path without GPS: placed at their city.

``backfill_positions`` is one-off and set-based: one SELECT DISTINCT of the places that lack
a position (or a province), a dictionary look-up per distinct place, then one UPDATE per
place found for every stay there (executemany), never a statement per stay. The province
comes from a state typed as the city ("Sabah", "Johor") by the same look-up a new
self-report makes (``report_records.subdivision_of``), so old stays are targeted by
province like new ones.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

from sqlalchemy import ColumnElement, Update, bindparam, select, true, update
from sqlalchemy.orm import Session

from peduli.registry.models import Stay
from peduli.registry.report_records import placement, subdivision_of

# What a place (country, city) gives the stays there, or None when it gives nothing.
LookUp = Callable[[str, str], dict[str, Any] | None]


@dataclass(frozen=True)
class Backfilled:
    """How many stays were placed at their city, and how many got their province."""

    placed: int
    provinces: int


def backfill_positions(session: Session) -> Backfilled:
    """Give every stay without coordinates its city's centre, and every stay without a
    province the one its city names."""
    return Backfilled(
        placed=_fill(session, Stay.latitude.is_(None), _positions, _PLACE),
        provinces=_fill(session, Stay.subdivision.is_(None), _provinces, _PROVINCE),
    )


def _positions(country: str, city: str) -> dict[str, Any] | None:
    place = placement(country, city, None, None)
    if place.latitude is None:
        return None
    return {"latitude": place.latitude, "longitude": place.longitude, "h3_cell": place.h3_cell}


def _provinces(country: str, city: str) -> dict[str, Any] | None:
    code = subdivision_of(country, city)
    return {"subdivision": code} if code else None


def _fill(
    session: Session, missing: ColumnElement[bool], look_up: LookUp, statement: Update
) -> int:
    """Look each distinct place with ``missing`` up once; update every stay there."""
    places = session.execute(select(Stay.country, Stay.city).where(missing).distinct()).all()
    found = [
        {"w_country": country, "w_city": city, **values}
        for country, city in places
        if (values := look_up(country, city)) is not None
    ]
    if not found:
        return 0
    result = session.connection().execute(statement, found)
    return int(result.rowcount or 0)


def _at_place(missing: ColumnElement[bool]) -> Update:
    return (
        update(Stay)
        .where(Stay.country == bindparam("w_country"), Stay.city == bindparam("w_city"), missing)
        .execution_options(synchronize_session=False)
    )


_PLACE = _at_place(Stay.latitude.is_(None)).values(
    latitude=bindparam("latitude"),
    longitude=bindparam("longitude"),
    h3_cell=bindparam("h3_cell"),
    position_approximate=true(),
)
_PROVINCE = _at_place(Stay.subdivision.is_(None)).values(subdivision=bindparam("subdivision"))
