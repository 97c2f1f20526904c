"""What the applicant is told at each step of their application, through the outbox, in the
language of their record."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from peduli.auth import citizens as citizen_accounts
from peduli.core.i18n import _, in_language
from peduli.notify import service as notify_service
from peduli.services.calendar import calendar_of
from peduli.services.models import ApplicationEvent, ServiceApplication
from peduli.services.schemas import ServiceDefinition
from peduli.services.workflow import State

TOLD: dict[State, str] = {
    State.SUBMITTED: _(
        "Peduli: your application {reference} ({service}) is received. It is due by {due}."
    ),
    State.DOCUMENTS_REQUESTED: _(
        "Peduli: for your application {reference} ({service}) the "
        "representation asks you to send: {note}"
    ),
    State.APPROVED: _("Peduli: your application {reference} ({service}) is approved."),
    State.REFUSED: _("Peduli: your application {reference} ({service}) is refused: {note}"),
    State.ISSUED: _(
        "Peduli: your document for application {reference} ({service}) is ready. "
        "Collect it at the representation."
    ),
    State.HANDED_OVER: _("Peduli: application {reference} ({service}) is complete."),
}


def tell_applicant(
    session: Session,
    application: ServiceApplication,
    definition: ServiceDefinition,
    *,
    message: str | None = None,
    event: str | None = None,
) -> None:
    """One message to the applicant's sign-in address, in their language: the state reached
    (or ``message``, once per ``event``)."""
    if application.account_id is None:
        return
    address = citizen_accounts.citizen_contact(session, account_id=application.account_id)
    if address is None:
        return
    language = application.language
    calendar = calendar_of(application.representation_code)
    text = in_language(message or TOLD[State(application.state)], language).format(
        reference=application.reference,
        service=definition.name.get(language),
        due=application.due_at.astimezone(calendar.timezone).date().isoformat(),
        note=application.refusal_reason or application.officer_note or "",
    )
    if event is None:
        steps = (
            session.scalar(
                select(func.count())
                .select_from(ApplicationEvent)
                .where(ApplicationEvent.application_id == application.id)
            )
            or 0
        )
        event = f"{application.state}:{steps}"
    notify_service.enqueue(
        session,
        channel=address.channel,
        recipient=address.value,
        subject=in_language(_("Peduli: your consular application"), language),
        body=text,
        idempotency_key=f"service-application:{application.id}:{event}",
    )
