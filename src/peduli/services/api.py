"""The services' JSON API: the public catalogue, a citizen's applications and documents, the
officers' queue and decisions, the report, and the payment gateway's notifications."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Form, Query, Request, UploadFile, status
from pydantic import BaseModel, Field, ValidationError

from peduli.api.deps import OWN, PUBLIC, CurrentActor, DbSession, require_scope
from peduli.api.language import RequestLanguage
from peduli.auth.actor import Actor
from peduli.auth.scopes import SERVICES_READ, SERVICES_WRITE, STATS_READ
from peduli.core.config import get_settings
from peduli.core.db import utcnow
from peduli.core.errors import FieldProblem, Forbidden, NotAuthenticated, ValidationFailed
from peduli.core.i18n import _
from peduli.services import application_file, payments, repository, service, views
from peduli.services.ports import SIGNATURE_HEADER, is_signed
from peduli.services.schemas import (
    ApplicationCreate,
    ApplicationRead,
    PaymentNotification,
    ReportRow,
    ServiceRead,
)
from peduli.services.uploads import Upload
from peduli.services.workflow import Action, State

router = APIRouter(tags=["services"])
Reader = Annotated[Actor, Depends(require_scope(SERVICES_READ))]
Writer = Annotated[Actor, Depends(require_scope(SERVICES_WRITE))]
StatsReader = Annotated[Actor, Depends(require_scope(STATS_READ))]


@router.get("/services", response_model=list[ServiceRead], dependencies=[PUBLIC])
def list_services(
    db: DbSession,
    language: RequestLanguage,
    representation: Annotated[str | None, Query(max_length=64)] = None,
) -> list[ServiceRead]:
    """The catalogue: every service with its requirements, eligibility, fee and SLA, in the
    reader's language; with ``representation`` also the fee in its currency and its notes."""
    return views.catalogue_entries(
        db, language=language, representation_code=representation, day=date.today()
    )


@router.post(
    "/applications",
    status_code=status.HTTP_201_CREATED,
    response_model=ApplicationRead,
    dependencies=[OWN],
)
def create_application(
    data: ApplicationCreate, db: DbSession, actor: CurrentActor
) -> ApplicationRead:
    """Apply for a service as the signed-in citizen (details from your record); documents
    follow with ``POST /applications/{id}/documents``, until then it waits for them."""
    application = service.apply(db, data=data, actor=actor)
    return views.application_read(
        application_file.read(db, application_id=application.id, actor=actor)
    )


@router.get("/applications/{application_id}", response_model=ApplicationRead)
def get_application(application_id: uuid.UUID, db: DbSession, actor: Reader) -> ApplicationRead:
    """One application: its applicant's own (a citizen's session), or one of the caller's
    post with ``services:read`` (audited)."""
    view = application_file.read(db, application_id=application_id, actor=actor)
    return views.application_read(view, by_applicant=not actor.is_staff)


@router.post(
    "/applications/{application_id}/documents",
    status_code=status.HTTP_201_CREATED,
    response_model=ApplicationRead,
    dependencies=[OWN],
)
async def add_document(
    application_id: uuid.UUID,
    db: DbSession,
    actor: CurrentActor,
    requirement: Annotated[str, Form(max_length=40)],
    file: Annotated[UploadFile, File(description="PDF, JPEG or PNG")],
) -> ApplicationRead:
    """Send one document the service asks for (size and type limits, type read from the
    bytes)."""
    data = await file.read(get_settings().service_document_max_bytes + 1)
    upload = Upload(requirement, file.filename or "document", file.content_type or "", data)
    service.add_document(db, application_id=application_id, upload=upload, actor=actor)
    return views.application_read(
        application_file.read(db, application_id=application_id, actor=actor)
    )


class QueuePage(BaseModel):
    total: int
    items: list[ApplicationRead]


@router.get("/applications", response_model=QueuePage)
def application_queue(
    db: DbSession,
    actor: Reader,
    state: Annotated[State | None, Query()] = None,
    representation: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=100)] = 25,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> QueuePage:
    """The post's queue (HQ: every post), soonest deadline first."""
    total, rows = repository.queue(
        db,
        actor=actor,
        filters=repository.QueueFilter(state.value if state else None, representation),
        limit=limit,
        offset=offset,
    )
    return QueuePage(total=total, items=[views.queue_item(row) for row in rows])


class DecisionCreate(BaseModel):
    action: Literal["request_documents", "approve", "refuse", "issue", "hand_over"]
    reason: str | None = Field(default=None, max_length=2000)


@router.post("/applications/{application_id}/decisions", response_model=ApplicationRead)
def decide(
    application_id: uuid.UUID, data: DecisionCreate, db: DbSession, actor: Writer
) -> ApplicationRead:
    """An officer's decision; 409 when the workflow does not allow it now."""
    service.decide(
        db,
        application_id=application_id,
        action=Action(data.action),
        reason=data.reason,
        actor=actor,
    )
    view = application_file.read(db, application_id=application_id, actor=actor)
    return views.application_read(view, by_applicant=False)


@router.get("/services/report", response_model=list[ReportRow])
def services_report(
    db: DbSession, actor: StatsReader, national: Annotated[bool, Query()] = False
) -> list[ReportRow]:
    """Volumes and SLA compliance per post and service (``national``: summed over posts)."""
    rows = repository.report(db, actor=actor, now=utcnow())
    return repository.national(rows) if national else rows


async def signed_notification(request: Request) -> PaymentNotification:
    """The gateway's notification, once its signature over the body is checked."""
    body = await request.body()
    signature = request.headers.get(SIGNATURE_HEADER)
    if not signature:
        raise NotAuthenticated(_("Send the gateway's signature in X-Payment-Signature."))
    if not is_signed(get_settings().payment_webhook_secret, body, signature):
        raise Forbidden(_("The signature does not match this request."), code="bad_signature")
    try:
        notification = PaymentNotification.model_validate_json(body)
    except ValidationError as error:
        raise ValidationFailed(
            [FieldProblem("body", "invalid", _("The notification is not valid."))]
        ) from error
    return notification


@router.post(
    "/payments/notifications", dependencies=[PUBLIC], status_code=status.HTTP_204_NO_CONTENT
)
def payment_notification(
    notification: Annotated[PaymentNotification, Depends(signed_notification)], db: DbSession
) -> None:
    """The payment gateway reports a virtual account paid (signed with the shared secret)."""
    payments.settle(db, notification=notification)
