"""Agencies HTTP API: uploading an agency export for import (a dry run or a real run) and
reading its report. The upload is stored sealed and queued; the worker does the work."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, File, Form, Query, Response, UploadFile, status
from fastapi.responses import StreamingResponse

from peduli.agencies import imports, imports_problems
from peduli.agencies.schemas import ImportQueued, ImportRead
from peduli.api.deps import DbSession, require_scope
from peduli.api.language import RequestLanguage
from peduli.auth.actor import Actor
from peduli.auth.scopes import IMPORTS_READ, IMPORTS_WRITE
from peduli.core.config import get_settings
from peduli.core.i18n import translations

router = APIRouter(tags=["agencies"])
Reader = Annotated[Actor, Depends(require_scope(IMPORTS_READ))]
Writer = Annotated[Actor, Depends(require_scope(IMPORTS_WRITE))]
NO_STORE = {"Cache-Control": "no-store"}
PROBLEMS_PER_PAGE = 100


@router.post(
    "/imports",
    status_code=status.HTTP_202_ACCEPTED,
    response_model=ImportQueued,
)
async def submit_import(
    actor: Writer,
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
    actor: Reader,
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
    import_id: uuid.UUID, actor: Reader, db: DbSession, language: RequestLanguage
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
