"""The signed document an application is issued with: a QR payload (``peduli.documents``)
anyone can check offline, of the kind the service gives, kept with the application so the
officer and the applicant can print it again."""

from __future__ import annotations

from datetime import date, timedelta

from sqlalchemy.orm import Session

from peduli.auth.actor import Actor
from peduli.documents import service as documents
from peduli.documents.models import DocumentKind
from peduli.services.models import ServiceApplication
from peduli.services.schemas import ServiceDefinition

# Which kind of document each group of services issues, and for how long it is valid.
KIND_OF_GROUP = {
    "passport": DocumentKind.PASSPORT,
    "civil_status": DocumentKind.CIVIL_STATUS,
    "certificate": DocumentKind.CERTIFICATE,
    "legalisation": DocumentKind.CERTIFICATE,
    "citizenship": DocumentKind.CERTIFICATE,
}
KIND_OF_SERVICE = {"splp": DocumentKind.SPLP, "self-report-proof": DocumentKind.SELF_REPORT}
VALID_DAYS = {
    DocumentKind.PASSPORT: 10 * 365,
    DocumentKind.SPLP: 30,
    DocumentKind.CIVIL_STATUS: 10 * 365,
    DocumentKind.CERTIFICATE: 180,
    DocumentKind.SELF_REPORT: 180,
}


def kind_of(definition: ServiceDefinition) -> DocumentKind:
    """The kind of document a service issues."""
    return KIND_OF_SERVICE.get(definition.code) or KIND_OF_GROUP[definition.group]


def sign(
    session: Session,
    application: ServiceApplication,
    definition: ServiceDefinition,
    actor: Actor,
    today: date,
) -> None:
    """Sign the application's document (the applicant's, applying for themselves: the QR
    names its holder by name and birth date) and keep its payload with the application."""
    if application.applying_for != "self":
        return  # a child's or a relative's document names someone the record does not hold
    kind = kind_of(definition)
    issued = documents.issue(
        session,
        kind=kind,
        holder_person_id=application.person_id,
        name=application.applicant_name,
        birth_date=application.applicant_birth_date,
        representation_code=application.representation_code,
        expires_on=today + timedelta(days=VALID_DAYS[kind]),
        actor=actor,
    )
    application.document_id = issued.document.id
    application.document_payload = issued.payload
