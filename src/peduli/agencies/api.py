"""The agencies' JSON routes: queue and read a person's checks, HQ's message log, the
citizen's own agency trail, and imports of agencies' exports (uploaded and queued here,
worked by the worker)."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Query, Response, UploadFile, status
from fastapi.responses import StreamingResponse

from peduli.agencies import imports, imports_problems, service
from peduli.agencies.gateway import AGENCIES
from peduli.agencies.schemas import (
    AgencyTrailEntry,
    AgencyTrailPage,
    ImportQueued,
    ImportRead,
    MessageLogEntry,
    MessageLogPage,
    VerificationList,
    VerificationRead,
    VerificationRequest,
)
from peduli.api.deps import OWN, CurrentActor, DbSession, require_scope
from peduli.api.language import RequestLanguage
from peduli.auth.actor import Actor
from peduli.auth.scopes import (
    AGENCY_LOG_READ,
    IMPORTS_READ,
    IMPORTS_WRITE,
    VERIFICATIONS_READ,
    VERIFICATIONS_WRITE,
)
from peduli.core.config import get_settings
from peduli.core.i18n import translations

router = APIRouter(tags=["agencies"])
Reader = Annotated[Actor, Depends(require_scope(VERIFICATIONS_READ))]
Writer = Annotated[Actor, Depends(require_scope(VERIFICATIONS_WRITE))]
LogReader = Annotated[Actor, Depends(require_scope(AGENCY_LOG_READ))]
ImportReader = Annotated[Actor, Depends(require_scope(IMPORTS_READ))]
ImportWriter = Annotated[Actor, Depends(require_scope(IMPORTS_WRITE))]
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


# --- imports of agencies' exports -----------------------------------------------------------
PROBLEMS_PER_PAGE = 100


@router.post(
    "/imports",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=ImportQueued,
)
async def submit_import(
    actor: ImportWriter,
    db: DbSession,
    response: Response,
    file: Annotated[UploadFile, File(description="The export: CSV or XLSX, headers on row 1.")],
    dry_run: Annotated[bool, Form(description="Report only; write nothing.")] = True,
    source: Annotated[str, Form(max_length=20, description="Whose export it is.")] = "bp2mi",
) -> ImportQueued:
    """Queue an agency export's import (dry run by default); the worker reads it."""
    data = await file.read(get_settings().import_max_bytes + 1)
    job = imports.submit_import(
        db,
        actor=actor,
        filename=file.filename or "export.csv",
        data=data,
        dry_run=dry_run,
        source=source,
    )
    response.headers["Location"] = f"/api/v1/imports/{job.id}"
    return ImportQueued(id=job.id, status=job.status, report=f"/api/v1/imports/{job.id}")


@router.get("/imports/{import_id}", response_model=ImportRead)
def read_import(
    import_id: uuid.UUID,
    actor: ImportReader,
    db: DbSession,
    response: Response,
    language: RequestLanguage,
    problems_page: Annotated[int, Query(ge=1, le=100_000, description="Page of problems.")] = 1,
) -> ImportRead:
    """An import's report: status, progress, counts and a page of row problems."""
    response.headers.update(NO_STORE)
    job = imports.read_import(db, actor=actor, import_id=import_id)
    total, problems = imports_problems.page_of_problems(
        db,
        job.id,
        gettext=translations(language).gettext,
        language=language,
        limit=PROBLEMS_PER_PAGE,
        offset=(problems_page - 1) * PROBLEMS_PER_PAGE,
    )
    return ImportRead.of(job, total, problems)


@router.get(
    "/imports/{import_id}/problems.csv",
    response_class=StreamingResponse,
    responses={200: {"content": {"text/csv": {"schema": {"type": "string"}}}}},
)
def problems_csv(
    import_id: uuid.UUID, actor: ImportReader, db: DbSession, language: RequestLanguage
) -> StreamingResponse:
    """Every row problem as CSV (row, column, code, problem, how to fix it)."""
    job = imports.read_import(db, actor=actor, import_id=import_id)
    lines = list(
        imports_problems.problems_csv(
            db, job.id, gettext=translations(language).gettext, language=language
        )
    )
    return StreamingResponse(
        iter(lines),
        media_type="text/csv; charset=utf-8",
        headers={
            **NO_STORE,
            "Content-Disposition": f'attachment; filename="import-{job.id}-problems.csv"',
        },
    )
