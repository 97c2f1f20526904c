"""One application as its applicant or its post's staff read it: the service as applied for,
the documents, the history; the applicant's list; one document's bytes (reads audited)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.auth import audit
from peduli.auth.actor import Actor
from peduli.core.errors import NotFound
from peduli.core.i18n import _
from peduli.services import access, catalogue, uploads
from peduli.services.models import ApplicationDocument, ApplicationEvent, ServiceApplication
from peduli.services.schemas import ServiceDefinition


@dataclass(frozen=True)
class ApplicationView:
    """An application with its service as it was applied for, and its documents."""

    application: ServiceApplication
    definition: ServiceDefinition
    documents: list[ApplicationDocument]
    events: list[ApplicationEvent]


def read(session: Session, *, application_id: uuid.UUID, actor: Actor) -> ApplicationView:
    """One application for its applicant or its post's staff (a staff read is audited)."""
    application = access.application_in_scope(session, actor, application_id, action="service.read")
    if not access.is_applicant(actor):
        audit.record(
            session,
            actor=actor,
            action="service.read",
            entity_type="service_application",
            entity_id=str(application.id),
            subject_person_id=application.person_id,
        )
    return ApplicationView(
        application=application,
        definition=catalogue.version_of(
            session, application.service_code, application.service_version
        ),
        documents=list(
            session.scalars(
                select(ApplicationDocument)
                .where(ApplicationDocument.application_id == application.id)
                .order_by(ApplicationDocument.uploaded_at)
            )
        ),
        events=list(
            session.scalars(
                select(ApplicationEvent)
                .where(ApplicationEvent.application_id == application.id)
                .order_by(ApplicationEvent.at)
            )
        ),
    )


def own_applications(session: Session, *, actor: Actor) -> list[ServiceApplication]:
    """The signed-in citizen's applications, newest first."""
    if not access.is_applicant(actor) or actor.person_id is None:
        return []
    return list(
        session.scalars(
            select(ServiceApplication)
            .where(ServiceApplication.person_id == actor.person_id)
            .order_by(ServiceApplication.submitted_at.desc())
            .limit(50)
        )
    )


def document_bytes(
    session: Session, *, application_id: uuid.UUID, document_id: uuid.UUID, actor: Actor
) -> tuple[ApplicationDocument, bytes]:
    """One document's bytes for the applicant or the post's staff; audited."""
    application = access.application_in_scope(
        session, actor, application_id, action="service.document_read"
    )
    document = session.scalar(
        select(ApplicationDocument).where(
            ApplicationDocument.id == document_id,
            ApplicationDocument.application_id == application.id,
        )
    )
    if document is None:
        raise NotFound(_("This application has no such document."))
    data = uploads.get_storage().get(document.storage_key)
    audit.record(
        session,
        actor=actor,
        action="service.document_read",
        entity_type="service_application_document",
        entity_id=str(document.id),
        subject_person_id=application.person_id,
    )
    return document, data
