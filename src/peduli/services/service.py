"""Use cases of the applications: a citizen applies (their details taken from their record
and confirmed, not typed again) and sends documents; officers decide; the applicant is told
through the outbox in their language. Each checks access first, never commits."""

from __future__ import annotations

import secrets
import uuid
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.auth import audit
from peduli.auth.actor import Actor
from peduli.core.db import utcnow
from peduli.core.errors import (
    Conflict,
    FieldProblem,
    Forbidden,
    ValidationFailed,
    require_valid,
)
from peduli.core.i18n import _, known_language
from peduli.registry import service as registry_service
from peduli.registry.models import StayStatus
from peduli.registry.service import PersonView
from peduli.services import access, catalogue, fees, issuing, uploads, workflow
from peduli.services.calendar import calendar_of
from peduli.services.models import ApplicationDocument, ApplicationEvent, ServiceApplication
from peduli.services.schemas import ApplicationCreate, ApplyingFor, PaymentChoice, ServiceDefinition
from peduli.services.updates import tell_applicant
from peduli.services.workflow import Action, Payment, State

MAX_REASON = 2000


def _reference(now: datetime) -> str:
    return f"L{now:%y}-{secrets.token_hex(4).upper()}"


def _payment_reference() -> str:
    # A virtual-account number: the ministry's prefix and 12 random digits.
    return "8808" + "".join(secrets.choice("0123456789") for _n in range(12))


def missing_uploads(definition: ServiceDefinition, given: set[str]) -> list[str]:
    """The documents the service wants uploaded that are not among ``given``."""
    return [r.document for r in definition.requirements if r.upload and r.document not in given]


def apply(
    session: Session,
    *,
    data: ApplicationCreate,
    actor: Actor,
    files: Sequence[uploads.Upload] = (),
    require_documents: bool = False,
) -> ServiceApplication:
    """A signed-in citizen applies at the post of their active stay; documents sent now or
    later (an application lacking one waits in ``documents_requested``)."""
    if not access.is_applicant(actor):
        raise Forbidden(_("Only a signed-in citizen applies for a service."), code="not_citizen")
    view = registry_service.own_person_view(session, actor=actor)
    stay = next((s for s in view.stays if s.status == StayStatus.ACTIVE), None)
    version, definition = catalogue.current_of(session, data.service)
    problems: list[FieldProblem] = []
    if stay is None or stay.representation_code is None:
        problems.append(
            FieldProblem("service", "no_stay", _("Report your stay abroad first (lapor diri)."))
        )
    if not definition.online:
        problems.append(
            FieldProblem(
                "service", "in_person_only", _("This service is only given at the representation.")
            )
        )
    if data.applying_for not in definition.applying_for:
        problems.append(
            FieldProblem(
                "applying_for",
                "not_eligible",
                _("This service cannot be applied for for this person."),
            )
        )
    if data.applying_for != ApplyingFor.SELF and not data.beneficiary_name:
        problems.append(
            FieldProblem(
                "beneficiary_name", "required", _("Give the name of the person you apply for.")
            )
        )
    if not data.details_confirmed:
        problems.append(
            FieldProblem(
                "details_confirmed", "required", _("Confirm that your details are correct.")
            )
        )
    wanted = {r.document for r in definition.requirements}
    for upload in files:
        field = f"document_{upload.requirement}"
        if upload.requirement not in wanted:
            problems.append(
                FieldProblem(field, "unknown", _("This service asks for no such document."))
            )
        problems += uploads.problems_of(upload, field)
    if require_documents:
        problems += [
            FieldProblem(f"document_{code}", "required", _("Send this document."))
            for code in missing_uploads(definition, {u.requirement for u in files})
        ]
    require_valid(problems)
    assert stay is not None and stay.representation_code is not None
    post = stay.representation_code
    application = new_application(
        session, view=view, post=post, version=version, definition=definition, data=data,
        account_id=actor.account_id, now=utcnow(),
    )  # fmt: skip
    session.add(application)
    session.flush()
    for upload in files:
        uploads.store(session, application, upload)
    record_submission(session, application, actor)
    missing = missing_uploads(definition, {u.requirement for u in files})
    if missing:
        labels = [
            r.label.get(application.language)
            for r in definition.requirements
            if r.document in missing
        ]
        application.state = State.DOCUMENTS_REQUESTED.value
        application.officer_note = ", ".join(labels)
    audit.record(
        session,
        actor=actor,
        action="service.apply",
        entity_type="service_application",
        entity_id=str(application.id),
        subject_person_id=application.person_id,
    )
    tell_applicant(session, application, definition)
    return application


def new_application(
    session: Session,
    *,
    view: PersonView,
    post: str,
    version: int,
    definition: ServiceDefinition,
    data: ApplicationCreate,
    account_id: uuid.UUID | None,
    now: datetime,
) -> ServiceApplication:
    """An application's row from the person's record: their details copied once, the fee in
    both currencies of the day, the deadline in the post's working days (not added yet)."""
    fee = fees.fee_at(
        session,
        usd_cents=definition.fee_usd_cents,
        representation_code=post,
        day=now.astimezone(calendar_of(post).timezone).date(),
    )
    free = fee.usd_cents == 0
    online = data.payment == PaymentChoice.ONLINE and not free
    return ServiceApplication(
        id=uuid.uuid4(),
        reference=_reference(now),
        service_code=definition.code,
        service_version=version,
        representation_code=post,
        person_id=view.person.id,
        account_id=account_id,
        applicant_name=view.person.full_name,
        applicant_birth_date=view.person.date_of_birth,
        applicant_nik=view.nik,
        applicant_passport=view.passports[0][0] if view.passports else None,
        applying_for=data.applying_for.value,
        beneficiary_name=data.beneficiary_name,
        language=known_language(view.person.preferred_language),
        state=State.SUBMITTED.value,
        fee_usd_cents=fee.usd_cents,
        local_currency=fee.local_currency,
        fee_local=fee.local_amount,
        payment_method="none" if free else data.payment.value,
        payment_state=(
            Payment.NOT_DUE if free else Payment.AWAITING if online else Payment.AT_COUNTER
        ).value,
        payment_reference=_payment_reference() if online else None,
        submitted_at=now,
        due_at=calendar_of(post).due_at(now, definition.sla_working_days),
    )


def record_submission(session: Session, application: ServiceApplication, actor: Actor) -> None:
    """The first step of an application's history: submitted, by whom."""
    _record(session, application, Action.RESUBMIT, None, State.SUBMITTED, actor, None, "apply")


def add_document(
    session: Session, *, application_id: uuid.UUID, upload: uploads.Upload, actor: Actor
) -> ApplicationDocument:
    """The applicant sends a document; when the last one asked for arrives, the application
    goes back to the officers with a fresh SLA."""
    application = access.application_in_scope(
        session, actor, application_id, action="service.document_add"
    )
    if not access.is_applicant(actor):
        raise Forbidden(_("Only the applicant sends documents."), code="not_applicant")
    if application.state not in (State.SUBMITTED, State.DOCUMENTS_REQUESTED):
        raise Conflict(_("This application takes no more documents."), code="closed")
    definition = catalogue.version_of(
        session, application.service_code, application.service_version
    )
    field = "file"
    problems = list(uploads.problems_of(upload, field))
    if upload.requirement not in {r.document for r in definition.requirements}:
        problems.append(
            FieldProblem("requirement", "unknown", _("This service asks for no such document."))
        )
    require_valid(problems)
    document = uploads.store(session, application, upload)
    session.flush()
    audit.record(
        session,
        actor=actor,
        action="service.document_add",
        entity_type="service_application",
        entity_id=str(application.id),
        subject_person_id=application.person_id,
    )
    sent = set(
        session.scalars(
            select(ApplicationDocument.requirement).where(
                ApplicationDocument.application_id == application.id
            )
        )
    )
    if application.state == State.DOCUMENTS_REQUESTED and not missing_uploads(definition, sent):
        _move(session, application, definition, Action.RESUBMIT, actor, None)
    return document


def decide(
    session: Session,
    *,
    application_id: uuid.UUID,
    action: Action,
    actor: Actor,
    reason: str | None = None,
) -> ServiceApplication:
    """An officer's decision (request documents, approve, refuse with a reason, issue, hand
    over), if the workflow allows it now; recorded, audited, and the applicant told."""
    application = access.application_in_scope(
        session, actor, application_id, action="service.decide"
    )
    if access.is_applicant(actor) or action in workflow.APPLICANT_ACTIONS:
        raise Forbidden(_("Your role may not do this."), code="role_not_allowed")
    reason = (reason or "").strip() or None
    if action in workflow.NEEDS_REASON and reason is None:
        raise ValidationFailed([FieldProblem("reason", "required", _("Give the reason."))])
    if reason is not None and len(reason) > MAX_REASON:
        raise ValidationFailed(
            [FieldProblem("reason", "too_long", _("The reason is longer than 2000 characters."))]
        )
    definition = catalogue.version_of(
        session, application.service_code, application.service_version
    )
    _move(session, application, definition, action, actor, reason)
    return application


def _move(
    session: Session,
    application: ServiceApplication,
    definition: ServiceDefinition,
    action: Action,
    actor: Actor,
    reason: str | None,
) -> None:
    state, payment = State(application.state), Payment(application.payment_state)
    target = workflow.next_state(state, action)
    if target is None:
        raise Conflict(
            _("This step is not possible in the application's present state."),
            code="not_allowed_now",
        )
    if not workflow.payment_allows(action, payment):
        raise Conflict(_("The fee is not paid yet."), code="not_paid")
    now = utcnow()
    application.state = target.value
    if action == Action.RESUBMIT:
        application.due_at = calendar_of(application.representation_code).due_at(
            now, definition.sla_working_days
        )
        application.escalated_at = None
    elif action == Action.REQUEST_DOCUMENTS:
        application.officer_note = reason
    elif action in (Action.APPROVE, Action.REFUSE):
        application.decided_at = now
        application.refusal_reason = reason if action == Action.REFUSE else None
    if action == Action.ISSUE:
        application.issued_at = now
        issuing.sign(session, application, definition, actor, now.date())
    if target in workflow.FINAL_STATES:
        application.closed_at = now
    if action == Action.HAND_OVER and payment == Payment.AT_COUNTER:
        application.payment_state, application.paid_at = Payment.PAID.value, now
    _record(session, application, action, state, target, actor, reason, f"service.{action}")
    tell_applicant(session, application, definition)


def _record(
    session: Session,
    application: ServiceApplication,
    action: Action,
    source: State | None,
    target: State,
    actor: Actor,
    reason: str | None,
    audit_action: str,
) -> None:
    session.add(
        ApplicationEvent(
            application_id=application.id,
            action=action.value if source else "apply",
            from_state=source.value if source else None,
            to_state=target.value,
            actor_account_id=actor.account_id,
            actor_role=str(actor.role),
            reason=reason,
        )
    )
    if source is not None:
        audit.record(
            session,
            actor=actor,
            action=audit_action,
            entity_type="service_application",
            entity_id=str(application.id),
            subject_person_id=application.person_id,
            reason=reason,
        )
