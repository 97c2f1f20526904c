"""How long the registry keeps a stay's personal details once the citizen has left.

A departed stay keeps what the statistics and the person's history need (country,
subdivision, city, purpose, sector, dates, representation); its street address, exact
position and employer go once the departure is older than the retention period.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import and_, text
from sqlalchemy.orm import Session

from peduli.core.purging import update_batch
from peduli.registry.models import DEPARTED_WITH_DETAILS, STAY_DETAILS, Stay


def purge_departed_stays(session: Session, *, departed_before: date, limit: int) -> int:
    """Blank the personal details of one batch of stays departed before the day given; the
    batch is read through the partial index of the stays still holding some."""
    return update_batch(
        session,
        Stay,
        key=Stay.id,
        condition=and_(text(DEPARTED_WITH_DETAILS), Stay.departed_on < departed_before),
        values=dict.fromkeys(STAY_DETAILS),
        limit=limit,
    )
