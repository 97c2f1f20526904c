"""An application brought to the counter: an officer records it for a person of their post
(the in-person services, and citizens without the app); the fee is paid at the counter."""

from __future__ import annotations

import uuid
from datetime import datetime

from sqlalchemy.orm import Session

from peduli.auth import audit, policy
from peduli.auth.actor import Actor
from peduli.core.errors import FieldProblem, NotFound, ValidationFailed
from peduli.core.i18n import _
from peduli.registry import service as registry_service
from peduli.registry.models import StayStatus
from peduli.services import access, catalogue
from peduli.services.models import ServiceApplication
from peduli.services.schemas import ApplicationCreate, PaymentChoice
from peduli.services.service import new_application, record_submission


def apply_at_counter(
    session: Session,
    *,
    person_id: uuid.UUID,
    service_code: str,
    actor: Actor,
    now: datetime,
) -> ServiceApplication:
    """Record an application the person brought to the counter of the officer's post."""
    access.require_handler(session, actor, action="service.apply_at_counter")
    view = registry_service.read_person(session, person_id=person_id, actor=actor)
    stay = next(
        (
            s
            for s in view.stays
            if s.status == StayStatus.ACTIVE and policy.reaches_post(actor, s.representation_code)
        ),
        None,
    )
    if stay is None or stay.representation_code is None:
        raise NotFound(_("This person has no stay your representation serves."))
    version, definition = catalogue.current_of(session, service_code)
    if not definition.applying_for:
        raise ValidationFailed([FieldProblem("service", "invalid", _("Choose a service."))])
    data = ApplicationCreate(
        service=service_code,
        applying_for=definition.applying_for[0],
        beneficiary_name=None if definition.applying_for[0] == "self" else view.person.full_name,
        payment=PaymentChoice.COUNTER,
        details_confirmed=True,
    )
    application = new_application(
        session, view=view, post=stay.representation_code, version=version,
        definition=definition, data=data, account_id=None, now=now,
    )  # fmt: skip
    session.add(application)
    session.flush()
    record_submission(session, application, actor)
    audit.record(session, actor=actor, action="service.apply_at_counter",
                 entity_type="service_application", entity_id=str(application.id),
                 subject_person_id=application.person_id)  # fmt: skip
    return application
