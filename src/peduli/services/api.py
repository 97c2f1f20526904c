"""The services' JSON API: the public catalogue, a citizen's applications and documents, the
officers' queue and decisions, the report, the payment gateway's notifications, and
appointments (free slots, booking, moving, cancelling, the .ics invitation, arrivals)."""

from __future__ import annotations

import uuid
from datetime import date, timedelta
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Form, Query, Request, Response, UploadFile, status
from pydantic import BaseModel, Field, ValidationError

from peduli.api.deps import OWN, PUBLIC, CurrentActor, DbSession, require_scope
from peduli.api.language import RequestLanguage
from peduli.auth.actor import Actor
from peduli.auth.scopes import SERVICES_READ, SERVICES_WRITE, STATS_READ
from peduli.core.config import get_settings
from peduli.core.db import utcnow
from peduli.core.downloads import download_headers
from peduli.core.errors import FieldProblem, Forbidden, NotAuthenticated, ValidationFailed
from peduli.core.i18n import _
from peduli.services import (
    application_file,
    appointment_access,
    appointments,
    catalogue,
    invitations,
    payments,
    reception,
    repository,
    service,
    slots,
    views,
)
from peduli.services.appointment_schemas import (
    AppointmentCreate,
    AppointmentMove,
    AppointmentRead,
    SlotRead,
    SlotsRead,
)
from peduli.services.calendar import calendar_of
from peduli.services.models import Appointment
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


# --- appointments -------------------------------------------------------------------------
# The slot search is public: which times are free names nobody, and a citizen chooses a time
# before signing in; hoarding is stopped where it could happen, at booking (a verified
# identity, one active appointment per service, slots released in daily windows).
appointments_router = APIRouter(tags=["appointments"])
Code = Query(min_length=2, max_length=64, pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")


def appointment_read(appointment: Appointment) -> AppointmentRead:
    """The API's view of one appointment."""
    return AppointmentRead(
        id=appointment.id,
        reference=appointment.reference,
        representation=appointment.representation_code,
        service=appointment.service_code,
        starts_at=appointment.starts_at,
        ends_at=appointment.ends_at,
        local_day=appointment.local_day,
        party_size=appointment.party_size,
        state=appointment.state,
        sequence=appointment.sequence,
        ticket=appointment.ticket,
        calendar_url=f"/api/v1/appointments/{appointment.id}/calendar.ics",
    )


@appointments_router.get("/appointments/slots", response_model=SlotsRead, dependencies=[PUBLIC])
def find_slots(
    db: DbSession,
    representation: Annotated[str, Code],
    service: Annotated[str, Code],
    from_: Annotated[date | None, Query(alias="from")] = None,
    to: Annotated[date | None, Query()] = None,
) -> Response:
    """The slots a post offers for a service between two of its local days (at most about
    two months; released ones only), with the places left in each."""
    now = utcnow()
    zone = calendar_of(representation).timezone
    first = from_ or now.astimezone(zone).date()
    last = to or first + timedelta(days=27)
    if last < first:
        raise ValidationFailed(
            [FieldProblem("to", "before_from", _("The end comes before the start."))]
        )
    found = slots.offered(db, post=representation, service=service, first=first, last=last, now=now)
    # Built from checked values and serialised once: a month is hundreds of slots, and
    # FastAPI would validate each again on the way out.
    answer = SlotsRead.model_construct(
        representation=representation,
        service=service,
        timezone=str(zone),
        slots=[
            SlotRead.model_construct(
                starts_at=s.starts_at,
                ends_at=s.ends_at,
                local_start=s.local_start.isoformat(),
                capacity=s.capacity,
                free=s.free,
            )
            for s in found
        ],
    )
    return Response(answer.model_dump_json(), media_type="application/json")


@appointments_router.post(
    "/appointments",
    status_code=status.HTTP_201_CREATED,
    response_model=AppointmentRead,
    dependencies=[OWN],
)
def book(data: AppointmentCreate, db: DbSession, actor: CurrentActor) -> AppointmentRead:
    """Book a slot as the signed-in citizen with a verified record (409 when it is full or
    you already hold an appointment for this service)."""
    return appointment_read(appointments.book(db, data=data, actor=actor, now=utcnow()))


@appointments_router.get(
    "/appointments/{appointment_id}", response_model=AppointmentRead, dependencies=[OWN]
)
def get_appointment(
    appointment_id: uuid.UUID, db: DbSession, actor: CurrentActor
) -> AppointmentRead:
    """One appointment: its holder's own, or one of the caller's post."""
    return appointment_read(
        appointment_access.appointment_in_scope(
            db, actor, appointment_id, action="appointment.read"
        )
    )


@appointments_router.post(
    "/appointments/{appointment_id}/reschedule", response_model=AppointmentRead, dependencies=[OWN]
)
def reschedule(
    appointment_id: uuid.UUID, data: AppointmentMove, db: DbSession, actor: CurrentActor
) -> AppointmentRead:
    """Move your appointment to another free time (the invitation's SEQUENCE rises)."""
    moved = appointments.reschedule(
        db, appointment_id=appointment_id, starts_at=data.starts_at, actor=actor, now=utcnow()
    )
    return appointment_read(moved)


@appointments_router.post(
    "/appointments/{appointment_id}/cancel", response_model=AppointmentRead, dependencies=[OWN]
)
def cancel(appointment_id: uuid.UUID, db: DbSession, actor: CurrentActor) -> AppointmentRead:
    """Cancel your appointment; its places are free again."""
    return appointment_read(
        appointments.cancel(db, appointment_id=appointment_id, actor=actor, now=utcnow())
    )


@appointments_router.get(
    "/appointments/{appointment_id}/calendar.ics",
    dependencies=[OWN],
    response_class=Response,
    responses={200: {"content": {"text/calendar": {}}}},
)
def calendar_file(appointment_id: uuid.UUID, db: DbSession, actor: CurrentActor) -> Response:
    """The appointment as an iCalendar invitation (REQUEST, or CANCEL once cancelled)."""
    appointment = appointment_access.appointment_in_scope(
        db, actor, appointment_id, action="appointment.ics"
    )
    _v, definition = catalogue.current_of(db, appointment.service_code)
    body = invitations.invitation(appointment, definition, now=utcnow())
    method = "CANCEL" if appointment.state == appointments.CANCELLED else "REQUEST"
    return Response(
        body,
        media_type=f"text/calendar; charset=utf-8; method={method}",
        headers=download_headers(f"{appointment.reference}.ics", inline=False),
    )


@appointments_router.post("/appointments/{appointment_id}/check-in", response_model=AppointmentRead)
def check_in(appointment_id: uuid.UUID, db: DbSession, actor: Writer) -> AppointmentRead:
    """The holder arrived: checked in with the day's next ticket number."""
    return appointment_read(
        reception.check_in(db, appointment_id=appointment_id, actor=actor, now=utcnow())
    )


@appointments_router.post("/appointments/{appointment_id}/no-show", response_model=AppointmentRead)
def no_show(appointment_id: uuid.UUID, db: DbSession, actor: Writer) -> AppointmentRead:
    """The holder did not come."""
    return appointment_read(
        reception.no_show(db, appointment_id=appointment_id, actor=actor, now=utcnow())
    )


router.include_router(appointments_router)
