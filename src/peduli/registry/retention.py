"""How long the registry keeps a stay's personal details once the citizen has left.

A departed stay keeps what the statistics and the person's history need (country,
subdivision, city, purpose, sector, dates, representation); its street address, exact
position and employer go once the departure is older than the retention period.
"""

from __future__ import annotations

from datetime import date

from sqlalchemy import or_
from sqlalchemy.orm import Session

from peduli.core.purging import update_batch
from peduli.registry.models import Stay, StayStatus

# The personal details of a stay that the statistics do not need.
PURGED_FIELDS = ("address", "latitude", "longitude", "h3_cell", "employer", "placement_agency")


def purge_departed_stays(session: Session, *, departed_before: date, limit: int) -> int:
    """Blank the personal details of one batch of stays departed before the day given."""
    still_held = or_(*(getattr(Stay, field).is_not(None) for field in PURGED_FIELDS))
    return update_batch(
        session,
        Stay,
        key=Stay.id,
        condition=(
            (Stay.status == StayStatus.DEPARTED) & (Stay.departed_on < departed_before) & still_held
        ),
        values=dict.fromkeys(PURGED_FIELDS),
        limit=limit,
    )
