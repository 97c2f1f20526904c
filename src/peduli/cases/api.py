"""Cases HTTP API: intake, the queue, the case and its sub-resources, help requests, stats.

Partners reach cases only through their delegations (the partners API); here their role
is refused. Agencies may only refer new cases (scope ``cases:refer``).
"""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated, Literal

from fastapi import APIRouter, Depends, File, Form, Query, Response, UploadFile, status
from sqlalchemy.orm import Session

from peduli.api.deps import (
    OWN,
    PUBLIC,
    ClientIp,
    CurrentActor,
    DbSession,
    OptionalActor,
    require_scope,
)
from peduli.auth.actor import Actor
from peduli.auth.tokens import CASES_READ, CASES_REFER, CASES_WRITE, STATS_READ
from peduli.cases import (
    attachments,
    case_file,
    casework,
    intake,
    outcomes,
    repository,
    service,
    stats,
    taxonomy,
)
from peduli.cases.models import CaseStatus, Priority, Visibility
from peduli.cases.schemas import (
    AssignmentRequest,
    AttachmentRead,
    CaseCreate,
    CaseCreated,
    CasePage,
    CasePersonIn,
    CaseRead,
    CaseSummary,
    CategoryRead,
    EventPage,
    EventRead,
    HelpRequestCreate,
    HelpRequestCreated,
    MyHelpRequest,
    NoteCreate,
    OutcomeCreate,
    OutcomeRead,
    OutcomeStatsRead,
    PersonLink,
    PriorityRequest,
    TransitionRequest,
)
from peduli.core.db import utcnow
from peduli.core.downloads import download_headers

router = APIRouter(tags=["cases"])
Reader = Annotated[Actor, Depends(require_scope(CASES_READ))]
Writer = Annotated[Actor, Depends(require_scope(CASES_WRITE))]
NO_STORE = {"Cache-Control": "no-store"}


def _no_store(response: Response) -> None:
    response.headers.update(NO_STORE)


# Staff open cases with cases:write; agencies only refer them, with cases:refer.
Opener = Annotated[Actor, Depends(require_scope(CASES_WRITE, CASES_REFER))]
# HQ reads national figures, officers and supervisors their own post's (cases.stats).
StatsReader = Annotated[Actor, Depends(require_scope(STATS_READ))]


@router.get("/case-categories", response_model=list[CategoryRead], dependencies=[PUBLIC])
def list_categories(lang: Literal["en", "id", "zh", "fr"] = "en") -> list[CategoryRead]:
    """The case taxonomy: categories, default priority, SLA hours, subcategories."""
    return [CategoryRead.from_category(c, lang) for c in taxonomy.load().categories.values()]


@router.post("/cases", status_code=status.HTTP_201_CREATED, response_model=CaseCreated)
def create_case(body: CaseCreate, db: DbSession, actor: Opener, response: Response) -> CaseCreated:
    """Open a case (walk-in, phone, emergency; agencies: a referral, channel agency_api)."""
    _no_store(response)
    return CaseCreated.from_case(service.open_case(db, data=body, actor=actor))


@router.get("/cases", response_model=CasePage)
def list_cases(
    db: DbSession,
    actor: Reader,
    response: Response,
    category: Annotated[str | None, Query(max_length=24)] = None,
    priority: Priority | None = None,
    case_status: Annotated[CaseStatus | None, Query(alias="status")] = None,
    sla: Literal["on_time", "due_soon", "overdue"] | None = None,
    assignee: uuid.UUID | None = None,
    unassigned: bool = False,
    open_only: bool = False,
    representation: Annotated[str | None, Query(max_length=64)] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> CasePage:
    """The queue of your representation (HQ admins: any, with ``representation``)."""
    _no_store(response)
    now = utcnow()
    total, items = repository.case_queue(
        db,
        actor=actor,
        query=repository.QueueQuery(
            category=category,
            priority=priority,
            status=case_status or (repository.OPEN if open_only else None),
            sla=sla,
            assignee=assignee,
            unassigned=unassigned,
            representation_code=representation,
        ),
        limit=limit,
        offset=offset,
        now=now,
        count_cap=repository.API_COUNT_CAP,
    )
    return CasePage(total=total, items=[CaseSummary.from_case(c, now) for c in items])


@router.get("/cases/overdue", response_model=CasePage)
def list_overdue(
    db: DbSession,
    actor: Reader,
    response: Response,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> CasePage:
    """Cases past a deadline, longest overdue first."""
    _no_store(response)
    now = utcnow()
    total, items = repository.overdue_cases(
        db, actor=actor, limit=limit, offset=offset, now=now, count_cap=repository.API_COUNT_CAP
    )
    return CasePage(total=total, items=[CaseSummary.from_case(c, now) for c in items])


@router.get("/cases/{case_id}", response_model=CaseRead)
def read_case(case_id: uuid.UUID, db: DbSession, actor: Reader, response: Response) -> CaseRead:
    """One case with its people, outcomes and the transitions allowed now (audited)."""
    _no_store(response)
    return CaseRead.from_view(case_file.read_case(db, case_id=case_id, actor=actor), utcnow())


def _reread(db: Session, case_id: uuid.UUID, actor: Actor) -> CaseRead:
    """The case as it stands after a change (the answer to every change)."""
    return CaseRead.from_view(case_file.read_case(db, case_id=case_id, actor=actor), utcnow())


@router.post("/cases/{case_id}/transitions", response_model=CaseRead)
def transition_case(
    case_id: uuid.UUID, body: TransitionRequest, db: DbSession, actor: Writer, response: Response
) -> CaseRead:
    """Move the case along the workflow; a refused move answers 409 naming the allowed ones."""
    _no_store(response)
    casework.transition(
        db, case_id=case_id, actor=actor, to=body.to, waiting_on=body.waiting_on, note=body.note
    )
    return _reread(db, case_id, actor)


@router.put("/cases/{case_id}/assignment", response_model=CaseRead)
def assign_case(
    case_id: uuid.UUID, body: AssignmentRequest, db: DbSession, actor: Writer, response: Response
) -> CaseRead:
    """Assign the case to an officer of its representation (null to unassign)."""
    _no_store(response)
    casework.assign(db, case_id=case_id, actor=actor, officer_id=body.officer_id)
    return _reread(db, case_id, actor)


@router.put("/cases/{case_id}/priority", response_model=CaseRead)
def override_priority(
    case_id: uuid.UUID, body: PriorityRequest, db: DbSession, actor: Writer, response: Response
) -> CaseRead:
    """Override the priority the triage rules gave, with a reason (timeline and audit)."""
    _no_store(response)
    casework.set_priority(
        db, case_id=case_id, actor=actor, priority=body.priority, reason=body.reason
    )
    return _reread(db, case_id, actor)


@router.post(
    "/cases/{case_id}/notes", status_code=status.HTTP_201_CREATED, response_model=EventRead
)
def add_note(
    case_id: uuid.UUID, body: NoteCreate, db: DbSession, actor: Writer, response: Response
) -> EventRead:
    """A note or a call; ``visibility: shared`` shows it to the citizen."""
    _no_store(response)
    event = casework.add_note(
        db, case_id=case_id, actor=actor, text=body.text, visibility=body.visibility, kind=body.kind
    )
    return EventRead.from_event(event)


@router.get("/cases/{case_id}/events", response_model=EventPage)
def list_events(
    case_id: uuid.UUID,
    db: DbSession,
    actor: Reader,
    response: Response,
    limit: Annotated[int, Query(ge=1, le=500)] = 100,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> EventPage:
    """The case's timeline, oldest first."""
    _no_store(response)
    total, events = case_file.read_events(
        db, case_id=case_id, actor=actor, limit=limit, offset=offset
    )
    return EventPage(total=total, items=[EventRead.from_event(e) for e in events])


@router.post(
    "/cases/{case_id}/attachments",
    status_code=status.HTTP_201_CREATED,
    response_model=AttachmentRead,
)
async def upload_attachment(
    case_id: uuid.UUID,
    db: DbSession,
    actor: Writer,
    file: Annotated[UploadFile, File(description="PDF, JPEG, PNG, WebP or plain text")],
    visibility: Annotated[Visibility, Form()] = Visibility.INTERNAL,
) -> AttachmentRead:
    """Attach a file (size and type limits; the bytes must match the type)."""
    from peduli.core.config import get_settings

    data = await file.read(get_settings().case_attachment_max_bytes + 1)
    attachment = attachments.upload(
        db,
        case_id=case_id,
        actor=actor,
        filename=file.filename or "attachment",
        content_type=file.content_type or "application/octet-stream",
        data=data,
        visibility=visibility,
    )
    return AttachmentRead.model_validate(attachment)


@router.get("/cases/{case_id}/attachments", response_model=list[AttachmentRead])
def list_attachments(
    case_id: uuid.UUID, db: DbSession, actor: Reader, response: Response
) -> list[AttachmentRead]:
    """The case's attachments (metadata)."""
    _no_store(response)
    return [
        AttachmentRead.model_validate(a)
        for a in attachments.list_attachments(db, case_id=case_id, actor=actor)
    ]


@router.get(
    "/cases/{case_id}/attachments/{attachment_id}",
    response_class=Response,
    responses={
        200: {
            # The type the file was checked against when it was uploaded.
            "content": {
                kind: {"schema": {"type": "string", "format": "binary"}}
                for kind in attachments.SIGNATURES
            },
            "description": "The file.",
        }
    },
)
def download_attachment(
    case_id: uuid.UUID, attachment_id: uuid.UUID, db: DbSession, actor: Reader
) -> Response:
    """The file's bytes, only after the case access check (audited)."""
    found = attachments.download(db, case_id=case_id, attachment_id=attachment_id, actor=actor)
    return Response(
        content=found.data,
        media_type=found.attachment.content_type,
        headers=download_headers(found.attachment.filename),
    )


@router.post(
    "/cases/{case_id}/outcomes", status_code=status.HTTP_201_CREATED, response_model=OutcomeRead
)
def record_outcome(
    case_id: uuid.UUID, body: OutcomeCreate, db: DbSession, actor: Writer, response: Response
) -> OutcomeRead:
    """Record a typed outcome (money in any currency is valued in IDR at that date)."""
    _no_store(response)
    return OutcomeRead.model_validate(
        outcomes.record_outcome(db, case_id=case_id, actor=actor, data=body)
    )


@router.get("/cases/{case_id}/outcomes", response_model=list[OutcomeRead])
def list_outcomes(
    case_id: uuid.UUID, db: DbSession, actor: Reader, response: Response
) -> list[OutcomeRead]:
    """The case's outcomes."""
    _no_store(response)
    view = case_file.read_case(db, case_id=case_id, actor=actor)
    return [OutcomeRead.model_validate(o) for o in view.outcomes]


@router.delete("/cases/{case_id}/outcomes/{outcome_id}", status_code=status.HTTP_204_NO_CONTENT)
def remove_outcome(
    case_id: uuid.UUID, outcome_id: uuid.UUID, db: DbSession, actor: Writer
) -> Response:
    """Remove an outcome recorded in error (the figures follow)."""
    outcomes.remove_outcome(db, case_id=case_id, outcome_id=outcome_id, actor=actor)
    return Response(status_code=status.HTTP_204_NO_CONTENT)


@router.post(
    "/cases/{case_id}/people", status_code=status.HTTP_201_CREATED, response_model=CaseRead
)
def add_person(
    case_id: uuid.UUID, body: CasePersonIn, db: DbSession, actor: Writer, response: Response
) -> CaseRead:
    """Add a person the case concerns (registered, or a name and phone to link later)."""
    _no_store(response)
    casework.add_person(
        db, case_id=case_id, actor=actor, person_id=body.person_id, name=body.name, phone=body.phone
    )
    return _reread(db, case_id, actor)


@router.post("/cases/{case_id}/people/{case_person_id}/link", response_model=CaseRead)
def link_person(
    case_id: uuid.UUID,
    case_person_id: uuid.UUID,
    body: PersonLink,
    db: DbSession,
    actor: Writer,
    response: Response,
) -> CaseRead:
    """Link a not-yet-registered person of the case to their registry record."""
    _no_store(response)
    casework.link_person(
        db, case_id=case_id, case_person_id=case_person_id, actor=actor, person_id=body.person_id
    )
    return _reread(db, case_id, actor)


@router.post(
    "/help-requests",
    status_code=status.HTTP_201_CREATED,
    response_model=HelpRequestCreated,
    dependencies=[PUBLIC],  # no account needed; staff are refused by the service
)
def create_help_request(
    body: HelpRequestCreate, db: DbSession, actor: OptionalActor, ip: ClientIp, response: Response
) -> HelpRequestCreated:
    """Ask your representation for help, signed in or with a phone or email to call back."""
    _no_store(response)
    outcome = intake.submit_help_request(db, data=body, actor=actor, ip=ip)
    return HelpRequestCreated.from_outcome(outcome)


@router.get("/me/help-requests", response_model=list[MyHelpRequest], dependencies=[OWN])
def my_help_requests(db: DbSession, actor: CurrentActor, response: Response) -> list[MyHelpRequest]:
    """Your requests: their status and the notes shared with you."""
    _no_store(response)
    return [MyHelpRequest.from_request(r) for r in intake.my_help_requests(db, actor=actor)]


@router.get("/stats/outcomes", response_model=OutcomeStatsRead)
def outcome_stats(
    db: DbSession,
    actor: StatsReader,
    date_from: Annotated[date | None, Query(alias="from")] = None,
    date_to: Annotated[date | None, Query(alias="to")] = None,
    representation: Annotated[str | None, Query(max_length=64)] = None,
) -> OutcomeStatsRead:
    """Cases resolved, saved from the death penalty, money recovered (IDR), hostages freed."""
    figures = stats.read_outcome_stats(
        db, actor=actor, date_from=date_from, date_to=date_to, representation=representation
    )
    return OutcomeStatsRead.from_figures(figures, representation)
