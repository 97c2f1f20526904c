"""A citizen's erasure (UU PDP) in the services: their applications keep their service, post,
dates and decisions (the figures of the report) but lose the person — name pseudonymised,
NIK and passport blanked, documents deleted with their files once the erasure commits; their
appointments still to come are cancelled, their places freed for others, and every
appointment keeps its slot and day (the post's figures) but loses the name and the reminder's
address."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import delete, event, select, update
from sqlalchemy.orm import Session

from peduli.cases.storage import get_storage
from peduli.core.db import utcnow
from peduli.registry.rights import ErasureStep, pseudonym
from peduli.services import slots
from peduli.services.appointments import BOOKED, CANCELLED
from peduli.services.models import ApplicationDocument, Appointment, ServiceApplication


def erase_people(
    session: Session, person_ids: Sequence[uuid.UUID], _account_id: uuid.UUID | None
) -> int:
    """Pseudonymise the people's applications and delete their documents; rows changed."""
    theirs = select(ServiceApplication.id).where(ServiceApplication.person_id.in_(person_ids))
    keys = list(
        session.scalars(
            select(ApplicationDocument.storage_key).where(
                ApplicationDocument.application_id.in_(theirs)
            )
        )
    )
    removed = session.execute(
        delete(ApplicationDocument)
        .where(ApplicationDocument.application_id.in_(theirs))
        .execution_options(synchronize_session=False)
    )
    changed = _cancel_bookings(session, person_ids)
    for person_id in person_ids:
        result = session.execute(
            update(ServiceApplication)
            .where(ServiceApplication.person_id == person_id)
            .values(applicant_name=pseudonym(person_id), applicant_nik=None,
                    applicant_passport=None, beneficiary_name=None, account_id=None)
            .execution_options(synchronize_session=False)
        )  # fmt: skip
        changed += int(getattr(result, "rowcount", 0) or 0)
        # Appointments keep their slot and day (the post's figures), not who or where to.
        result = session.execute(
            update(Appointment)
            .where(Appointment.person_id == person_id)
            .values(holder_name=pseudonym(person_id), remind_to=None, remind_channel=None,
                    account_id=None)
            .execution_options(synchronize_session=False)
        )  # fmt: skip
        changed += int(getattr(result, "rowcount", 0) or 0)
    if keys:
        # The files go only once the erasure is committed (a rollback keeps them).
        @event.listens_for(session, "after_commit", once=True)
        def _delete_files(_session: Session) -> None:
            storage = get_storage()
            for key in keys:
                storage.delete(key)

    return changed + int(getattr(removed, "rowcount", 0) or 0)


def _cancel_bookings(session: Session, person_ids: Sequence[uuid.UUID]) -> int:
    """Nobody will come to an erased person's bookings: cancel them, free their places."""
    booked = (Appointment.person_id.in_(person_ids), Appointment.state == BOOKED)
    slots.give_back_held_by(
        session, select(Appointment.slot_id, Appointment.party_size).where(*booked)
    )
    result = session.execute(
        update(Appointment)
        .where(*booked)
        .values(state=CANCELLED, cancelled_at=utcnow(), sequence=Appointment.sequence + 1)
        .execution_options(synchronize_session=False)
    )
    return int(getattr(result, "rowcount", 0) or 0)


ERASURE_STEP = ErasureStep("service_applications", erase_people)
