"""Stays recorded before the gazetteer, or by a path without GPS: placed at their city.

``backfill_positions`` is one-off and set-based: one SELECT DISTINCT of the places that have
no position, a dictionary look-up per distinct place, then one UPDATE per place found for
every stay there (executemany), never a statement per stay.
"""

from __future__ import annotations

from sqlalchemy import bindparam, select, true, update
from sqlalchemy.orm import Session

from peduli.registry.models import Stay
from peduli.registry.report_records import placement


def backfill_positions(session: Session) -> int:
    """Give every stay without coordinates its city's centre; return how many were placed."""
    places = session.execute(
        select(Stay.country, Stay.city).where(Stay.latitude.is_(None)).distinct()
    ).all()
    found = []
    for country, city in places:
        place = placement(country, city, None, None)
        if place.latitude is not None:
            found.append(
                {
                    "w_country": country,
                    "w_city": city,
                    "latitude": place.latitude,
                    "longitude": place.longitude,
                    "h3_cell": place.h3_cell,
                }
            )
    if not found:
        return 0
    statement = (
        update(Stay)
        .where(
            Stay.country == bindparam("w_country"),
            Stay.city == bindparam("w_city"),
            Stay.latitude.is_(None),
        )
        .values(
            latitude=bindparam("latitude"),
            longitude=bindparam("longitude"),
            h3_cell=bindparam("h3_cell"),
            position_approximate=true(),
        )
        .execution_options(synchronize_session=False)
    )
    result = session.connection().execute(statement, found)
    return int(result.rowcount or 0)
