"""The agencies' JSON routes: queue and read a person's checks, HQ's message log, and the
citizen's own agency trail."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Query, Response, status

from peduli.agencies import service
from peduli.agencies.gateway import AGENCIES
from peduli.agencies.schemas import (
    AgencyTrailEntry,
    AgencyTrailPage,
    MessageLogEntry,
    MessageLogPage,
    VerificationList,
    VerificationRead,
    VerificationRequest,
)
from peduli.api.deps import OWN, CurrentActor, DbSession, require_scope
from peduli.auth.actor import Actor
from peduli.auth.scopes import AGENCY_LOG_READ, VERIFICATIONS_READ, VERIFICATIONS_WRITE

router = APIRouter(tags=["agencies"])
Reader = Annotated[Actor, Depends(require_scope(VERIFICATIONS_READ))]
Writer = Annotated[Actor, Depends(require_scope(VERIFICATIONS_WRITE))]
LogReader = Annotated[Actor, Depends(require_scope(AGENCY_LOG_READ))]
NO_STORE = {"Cache-Control": "no-store"}


@router.post(
    "/persons/{person_id}/verifications",
    response_model=VerificationRead,
    status_code=status.HTTP_202_ACCEPTED,
)
def request_verification(
    person_id: uuid.UUID,
    body: VerificationRequest,
    actor: Writer,
    db: DbSession,
    response: Response,
) -> VerificationRead:
    """Queue a check of the person at an agency, with its purpose and cause (sent in the
    envelope); the worker runs it within seconds. 202: read the outcome with GET."""
    response.headers.update(NO_STORE)
    check = service.request_check(
        db,
        person_id=person_id,
        source=body.source,
        purpose=body.purpose,
        cause=body.cause,
        actor=actor,
    )
    return VerificationRead.of(check)


@router.get("/persons/{person_id}/verifications", response_model=VerificationList)
def read_verifications(
    person_id: uuid.UUID, actor: Reader, db: DbSession, response: Response
) -> VerificationList:
    """The person's state per source: verified at T, mismatch on fields F, not found, or
    agency unavailable with the time of the next try."""
    response.headers.update(NO_STORE)
    checks = service.checks_of_person(db, person_id=person_id, actor=actor)
    return VerificationList(person_id=person_id, items=[VerificationRead.of(c) for c in checks])


@router.get("/agencies/message-log", response_model=MessageLogPage)
def read_message_log(
    actor: LogReader,
    db: DbSession,
    response: Response,
    before: Annotated[int | None, Query(ge=1, description="Messages older than this seq.")] = None,
    limit: Annotated[int, Query(ge=1, le=200)] = 50,
    agency: Annotated[str | None, Query(pattern="^(" + "|".join(AGENCIES) + ")$")] = None,
) -> MessageLogPage:
    """The signed message log of every exchange with the agencies, newest first (HQ)."""
    response.headers.update(NO_STORE)
    page = service.message_log_page(db, actor=actor, before=before, limit=limit, agency=agency)
    next_before = page[-1].seq if len(page) == limit else None
    return MessageLogPage(items=[MessageLogEntry.of(m) for m in page], next_before=next_before)


@router.get("/me/agency-trail", response_model=AgencyTrailPage, dependencies=[OWN])
def my_agency_trail(
    db: DbSession,
    actor: CurrentActor,
    response: Response,
    limit: Annotated[int, Query(ge=1, le=100)] = 50,
    offset: Annotated[int, Query(ge=0, le=1_000_000)] = 0,
) -> AgencyTrailPage:
    """Which agency was asked about me, when and why."""
    response.headers.update(NO_STORE)
    total, messages = service.own_agency_trail(db, actor=actor, limit=limit, offset=offset)
    return AgencyTrailPage(
        total=total,
        items=[
            AgencyTrailEntry(
                at=m.at, agency=m.agency, operation=m.operation, purpose=m.purpose,
                cause=m.cause, outcome=m.outcome,
            )
            for m in messages
        ],
    )  # fmt: skip
