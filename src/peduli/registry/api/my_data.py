"""A citizen's rights by API (UU PDP): my record, export, corrections, erasure, trail, contacts."""

from __future__ import annotations

import uuid
from typing import Annotated, Any, Literal

from fastapi import APIRouter, Query, Response, status

from peduli import erasure
from peduli.api.deps import (
    OWN,
    CurrentActor,
    DbSession,
)
from peduli.core.downloads import download_headers
from peduli.registry import contacts, corrections, rights, service
from peduli.registry.api.common import (
    NO_STORE,
    Reader,
    Writer,
    no_store,
    person_read,
)
from peduli.registry.models import DataRequestStatus
from peduli.registry.schemas import (
    AuditEntryRead,
    AuditTrailPage,
    ContactCodeRequest,
    ContactConfirmation,
    ContactRead,
    CorrectionDecision,
    CorrectionPage,
    CorrectionRead,
    DataRequestCreate,
    DataRequestRead,
    PersonRead,
)

router = APIRouter(tags=["registry"])


@router.get("/me", response_model=PersonRead, dependencies=[OWN])
def read_me(db: DbSession, actor: CurrentActor, response: Response) -> PersonRead:
    """The signed-in citizen's own record and stays."""
    no_store(response)
    return person_read(service.own_person_view(db, actor=actor))


@router.get("/me/export", dependencies=[OWN])
def export_me(db: DbSession, actor: CurrentActor, response: Response) -> dict[str, Any]:
    """Download all my data as JSON (UU PDP right of access)."""
    response.headers.update(download_headers("peduli-my-data.json"))
    return rights.export_own_data(db, actor=actor)


@router.post(
    "/me/corrections",
    status_code=status.HTTP_201_CREATED,
    response_model=DataRequestRead,
    dependencies=[OWN],
)
def request_correction(
    body: DataRequestCreate, db: DbSession, actor: CurrentActor
) -> DataRequestRead:
    """Ask for a correction of my data; an officer handles it."""
    return DataRequestRead.model_validate(
        rights.request_correction(db, actor=actor, message=body.message)
    )


@router.get("/me/corrections", response_model=list[DataRequestRead], dependencies=[OWN])
def my_corrections(db: DbSession, actor: CurrentActor, response: Response) -> list[DataRequestRead]:
    """My correction requests, newest first, with each decision and its reason."""
    no_store(response)
    return [
        DataRequestRead.model_validate(r)
        for r in corrections.own_requests(db, person_id=rights.own_person_id(actor))
    ]


@router.get("/data-requests", response_model=CorrectionPage)
def correction_queue(
    db: DbSession,
    actor: Reader,
    response: Response,
    status_filter: Annotated[
        Literal["open", "accepted", "refused", "all"], Query(alias="status")
    ] = "open",
    limit: Annotated[int, Query(ge=1, le=100)] = 25,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> CorrectionPage:
    """Correction requests of people whose active stay is in your jurisdiction, oldest first."""
    no_store(response)
    total, rows = corrections.correction_queue(
        db,
        actor=actor,
        status=None if status_filter == "all" else DataRequestStatus(status_filter),
        limit=limit,
        offset=offset,
    )
    return CorrectionPage(total=total, items=[CorrectionRead.model_validate(r) for r in rows])


@router.get("/data-requests/{request_id}", response_model=CorrectionRead)
def read_correction(
    request_id: uuid.UUID, db: DbSession, actor: Reader, response: Response
) -> CorrectionRead:
    """One correction request of your jurisdiction."""
    no_store(response)
    row = corrections.read_correction(db, request_id=request_id, actor=actor)
    return CorrectionRead.model_validate(row)


@router.post("/data-requests/{request_id}/decision", response_model=CorrectionRead)
def decide_correction(
    request_id: uuid.UUID,
    body: CorrectionDecision,
    db: DbSession,
    actor: Writer,
    response: Response,
) -> CorrectionRead:
    """Accept or refuse a correction request with a reason; the citizen is told."""
    no_store(response)
    corrections.decide_correction(
        db,
        request_id=request_id,
        actor=actor,
        accepted=body.decision == "accepted",
        reason=body.reason,
    )
    row = corrections.read_correction(db, request_id=request_id, actor=actor)
    return CorrectionRead.model_validate(row)


@router.delete("/me", status_code=status.HTTP_204_NO_CONTENT, dependencies=[OWN])
def delete_me(db: DbSession, actor: CurrentActor) -> Response:
    """Erase my record from the registry (UU PDP right to deletion)."""
    rights.delete_own_data(db, actor=actor, steps=erasure.STEPS)
    return Response(status_code=status.HTTP_204_NO_CONTENT, headers=NO_STORE)


@router.get("/me/processing-trail", response_model=AuditTrailPage, dependencies=[OWN])
def my_processing_trail(
    db: DbSession,
    actor: CurrentActor,
    response: Response,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> AuditTrailPage:
    """Who processed my data, when and why (UU PDP art. 32)."""
    no_store(response)
    total, entries = rights.processing_trail(db, actor=actor, limit=limit, offset=offset)
    return AuditTrailPage(total=total, items=[AuditEntryRead.model_validate(e) for e in entries])


@router.post("/me/contacts/code", status_code=status.HTTP_202_ACCEPTED, dependencies=[OWN])
def send_contact_code(body: ContactCodeRequest, db: DbSession, actor: CurrentActor) -> Response:
    """Send a code to one of my unconfirmed phones or emails."""
    contacts.send_code(db, actor=actor, value=body.value)
    return Response(status_code=status.HTTP_202_ACCEPTED, headers=NO_STORE)


@router.post("/me/contacts/confirmation", response_model=ContactRead, dependencies=[OWN])
def confirm_contact(
    body: ContactConfirmation, db: DbSession, actor: CurrentActor, response: Response
) -> ContactRead:
    """The code came back: the contact is trusted and receives my messages."""
    no_store(response)
    contact = contacts.confirm(db, actor=actor, value=body.value, code=body.code)
    return ContactRead(kind=contact.kind, value=contact.value, is_primary=True, trusted=True)
