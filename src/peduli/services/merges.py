"""A merge of two person records as consular services see it: the applications and the
appointments follow the person (and go back on an unmerge); ``peduli.merging`` lists these
steps with the others'."""

from __future__ import annotations

import uuid

from sqlalchemy import ColumnElement, select
from sqlalchemy.orm import aliased

from peduli.registry.merge_moves import rows_of
from peduli.services.models import Appointment, ServiceApplication

MERGE_STEP = rows_of("service_applications", ServiceApplication)

ACTIVE = ("booked", "checked_in")


def _kept_apart(to_id: uuid.UUID) -> ColumnElement[bool]:
    """An active appointment stays with the absorbed record when the survivor already holds
    one for the same service (one active appointment per person and service)."""
    theirs = aliased(Appointment)
    return Appointment.state.in_(ACTIVE) & Appointment.service_code.in_(
        select(theirs.service_code).where(theirs.person_id == to_id, theirs.state.in_(ACTIVE))
    )


APPOINTMENT_MERGE_STEP = rows_of("appointments", Appointment, unless=_kept_apart)
