"""A citizen's stays change: a move re-decides the representation, a departure closes one.

Both are audited in the same transaction; staff may change only stays in their scope.
"""

from __future__ import annotations

import uuid
from datetime import date, timedelta

from sqlalchemy.orm import Session

from peduli.auth import audit, policy
from peduli.auth.actor import Actor
from peduli.auth.policy import Access
from peduli.core.db import utcnow
from peduli.core.errors import NotFound, ValidationFailed
from peduli.core.i18n import _
from peduli.registry import report_records, validation
from peduli.registry.models import (
    Stay,
    StayStatus,
)
from peduli.registry.schemas import StayFields, StayUpdate


def _stay_for_change(session: Session, stay_id: uuid.UUID, actor: Actor, action: str) -> Stay:
    stay = session.get(Stay, stay_id)
    if stay is None:
        raise NotFound(_("No stay has this id; check the link or list your stays again."))
    policy.authorize(
        session,
        actor,
        access=Access.WRITE,
        action=action,
        person_id=stay.person_id,
        representation_codes={stay.representation_code} if stay.representation_code else set(),
    )
    return stay


def update_stay(session: Session, *, stay_id: uuid.UUID, changes: StayUpdate, actor: Actor) -> Stay:
    """Change a stay; a move to another country or city re-decides the representation."""
    stay = _stay_for_change(session, stay_id, actor, "stay.update")
    changed = changes.model_dump(exclude_unset=True)
    if changes.country:
        changed["country"] = changes.country.upper()
    country, city = changed.get("country", stay.country), changed.get("city", stay.city)
    if (country, city) != (stay.country, stay.city) and not changed.get("subdivision"):
        # A move: the old state or province no longer holds; take the one the city names.
        changed["subdivision"] = report_records.subdivision_of(country, city)
    merged = StayFields.model_validate(
        {field: getattr(stay, field) for field in StayFields.model_fields} | changed
    )
    require = validation.stay_problems(merged, today=utcnow().date())
    if require:
        raise ValidationFailed(require)
    before = (stay.country, stay.city, stay.latitude, stay.longitude)
    for field, value in changed.items():
        setattr(stay, field, value)
    _place(stay, before)
    representation = report_records.resolve_representation(stay)
    stay.representation_code = representation.code if representation else None
    audit.record(
        session,
        actor=actor,
        action="stay.update",
        entity_type="stay",
        entity_id=str(stay.id),
        subject_person_id=stay.person_id,
        fields=sorted(changed),
    )
    return stay


def _place(stay: Stay, before: tuple[str, str, float | None, float | None]) -> None:
    """Coordinates given win; a move without them puts the stay at its new city's centre.

    Coordinates kept from before a move would be those of the old place, so they go too.
    The same values sent back (a form re-sends every field) are no change: a position
    given stays, an approximate one stays approximate.
    """
    gps_given = (stay.latitude, stay.longitude) != before[2:]
    moved = (stay.country, stay.city) != before[:2]
    if not gps_given and not moved and not stay.position_approximate:
        return
    if not gps_given:  # moved, or approximate: the city decides again
        stay.latitude = stay.longitude = None
    place = report_records.placement(stay.country, stay.city, stay.latitude, stay.longitude)
    stay.latitude, stay.longitude = place.latitude, place.longitude
    stay.h3_cell = place.h3_cell
    stay.position_approximate = place.approximate


# The earliest time zone is UTC+14: until its day ends, "today" somewhere is tomorrow in UTC.
_AHEAD_OF_UTC = timedelta(hours=14)


def latest_today() -> date:
    """The latest date that is today somewhere on earth; a later one is in the future."""
    return (utcnow() + _AHEAD_OF_UTC).date()


def report_departure(
    session: Session, *, stay_id: uuid.UUID, departed_on: date, actor: Actor
) -> Stay:
    """Close a stay: the citizen has left the country."""
    stay = _stay_for_change(session, stay_id, actor, "stay.depart")
    if departed_on > latest_today():
        raise ValidationFailed(
            [
                validation.FieldProblem(
                    "departed_on",
                    "in_future",
                    _("The departure date is in the future."),
                    _("Report your departure once you have left: give the day you left."),
                )
            ]
        )
    if departed_on < stay.arrival_date:
        raise ValidationFailed(
            [
                validation.FieldProblem(
                    "departed_on",
                    "before_arrival",
                    _("The departure date is before the arrival date ({arrival}).").format(
                        arrival=stay.arrival_date.isoformat()
                    ),
                    _("Give the day you left, on or after the arrival date."),
                )
            ]
        )
    stay.departed_on = departed_on
    stay.status = StayStatus.DEPARTED
    audit.record(
        session,
        actor=actor,
        action="stay.depart",
        entity_type="stay",
        entity_id=str(stay.id),
        subject_person_id=stay.person_id,
        fields=["departed_on", "status"],
    )
    return stay
