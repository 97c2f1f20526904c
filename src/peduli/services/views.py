"""The catalogue and applications as the API and the pages show them, in a reader's language."""

from __future__ import annotations

from collections.abc import Sequence
from datetime import date
from decimal import Decimal

from sqlalchemy.orm import Session

from peduli.services import catalogue, fees, workflow
from peduli.services.application_file import ApplicationView
from peduli.services.models import ApplicationDocument, ServiceApplication
from peduli.services.schemas import ApplicationRead, DocumentRead, ServiceDefinition, ServiceRead


def service_read(
    version: int,
    entry: ServiceDefinition,
    *,
    language: str,
    note: str | None = None,
    fee: fees.Fee | None = None,
) -> ServiceRead:
    """One service in ``language``, with a post's note and local fee when given."""
    return ServiceRead(
        code=entry.code,
        version=version,
        group=entry.group,
        channel=entry.channel,
        name=entry.name.get(language),
        eligibility=entry.eligibility.get(language),
        applying_for=entry.applying_for,
        fee_usd=entry.fee_usd,
        sla_working_days=entry.sla_working_days,
        requirements=[
            {
                "document": r.document,
                "label": r.label.get(language),
                "who": r.who_label.get(language),
                "upload": r.upload,
            }
            for r in entry.requirements
        ],
        local_note=note,
        fee_local=fee.local_amount if fee else None,
        local_currency=fee.local_currency if fee else None,
    )


def catalogue_entries(
    session: Session, *, language: str, representation_code: str | None, day: date
) -> list[ServiceRead]:
    """The current catalogue; at a post, with its notes and fees in its currency."""
    notes = catalogue.local_notes(session, representation_code) if representation_code else {}
    return [
        service_read(
            version,
            entry,
            language=language,
            note=notes.get(entry.code),
            fee=fees.fee_at(
                session,
                usd_cents=entry.fee_usd_cents,
                representation_code=representation_code,
                day=day,
            )
            if representation_code
            else None,
        )
        for version, entry in catalogue.current(session)
    ]


def application_read(view: ApplicationView, *, by_applicant: bool = True) -> ApplicationRead:
    """An application as the API answers it."""
    return _read(view.application, view.documents, by_applicant=by_applicant)


def queue_item(a: ServiceApplication) -> ApplicationRead:
    """A row of the queue (no documents loaded)."""
    return _read(a, [], by_applicant=False)


def _read(
    a: ServiceApplication, documents: Sequence[ApplicationDocument], *, by_applicant: bool
) -> ApplicationRead:
    actions = workflow.allowed_actions(
        workflow.State(a.state), workflow.Payment(a.payment_state), by_applicant=by_applicant
    )
    return ApplicationRead(
        id=a.id,
        reference=a.reference,
        service=a.service_code,
        service_version=a.service_version,
        representation_code=a.representation_code,
        state=a.state,
        applying_for=a.applying_for,
        submitted_at=a.submitted_at,
        due_at=a.due_at,
        fee_usd=Decimal(a.fee_usd_cents) / 100,
        local_currency=a.local_currency,
        fee_local=a.fee_local,
        payment_method=a.payment_method,
        payment_state=a.payment_state,
        payment_reference=a.payment_reference,
        refusal_reason=a.refusal_reason,
        officer_note=a.officer_note,
        documents=[
            DocumentRead(
                id=d.id,
                requirement=d.requirement,
                filename=d.filename,
                content_type=d.content_type,
                size_bytes=d.size_bytes,
            )
            for d in documents
        ],
        next_actions=[str(action) for action in actions],
    )
