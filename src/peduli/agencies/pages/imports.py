"""HQ's imports of agency exports: the list with the upload form, and an import's report
(progress refreshed by htmx, or by the page itself without JavaScript; counts; the row
problems in the reader's language, 50 a page, and all of them as CSV).

The same rules as the API (``agencies.imports``): HQ admins upload and read, every upload
and read audited; the worker does the import, never the page.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Query, Request, UploadFile
from fastapi.responses import HTMLResponse, Response, StreamingResponse

from peduli.agencies import imports, imports_problems
from peduli.agencies.imports_columns import PLACEMENT_COLUMNS
from peduli.agencies.models import FINISHED, AgencyImport
from peduli.api.deps import DbSession, staff_page
from peduli.auth.actor import Actor
from peduli.auth.roles import AGENCY_IMPORTERS
from peduli.core.config import get_settings
from peduli.core.errors import FieldProblem
from peduli.core.i18n import translations
from peduli.core.paging import page_count
from peduli.web.desk import SignedIn, page
from peduli.web.forms import Refusal, run_form
from peduli.web.i18n import format_datetime, format_number, negotiate

router = APIRouter(include_in_schema=False)

IMPORTS = "/hq/imports"
PER_PAGE = 25
PROBLEMS_PER_PAGE = 50
REFRESH_SECONDS = 2
Importer = staff_page(AGENCY_IMPORTERS)


def _list_page(
    request: Request,
    db: DbSession,
    staff: Actor,
    *,
    page_number: int = 1,
    problems: dict[str, FieldProblem] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    found = imports.list_imports(
        db, actor=staff, limit=PER_PAGE, offset=(page_number - 1) * PER_PAGE
    )
    return page(
        request,
        "agencies/imports.html",
        staff,
        {
            "imports": [_summary(job) for job in found.items],
            "total": found.total,
            "page": page_number,
            "pages": page_count(found.total, PER_PAGE),
            "problems": problems or {},
            "max_mb": get_settings().import_max_bytes // 1_000_000,
            "columns": PLACEMENT_COLUMNS,
        },
        status_code=status_code,
    )


def _summary(job: AgencyImport) -> dict[str, Any]:
    return {
        "id": job.id,
        "created_at": job.created_at,
        "source": job.source,
        "format": job.file_format,
        "dry_run": job.dry_run,
        "status": job.status,
        "rows": job.total_rows,
        "progress": imports.progress(job),
        "uploaded_by": job.uploaded_by_display,
    }


@router.get(IMPORTS, response_class=HTMLResponse, dependencies=[Importer])
def import_list(
    request: Request,
    db: DbSession,
    staff: SignedIn,
    page_number: Annotated[int, Query(alias="page", ge=1, le=100_000)] = 1,
) -> Response:
    """The imports, newest first, and the form to upload an export."""
    return _list_page(request, db, staff, page_number=page_number)


@router.post(IMPORTS, response_class=HTMLResponse, dependencies=[Importer])
async def upload(
    request: Request,
    db: DbSession,
    staff: SignedIn,
    file: Annotated[UploadFile | None, File()] = None,
    mode: Annotated[str, Form(max_length=10)] = "dry_run",
) -> Response:
    """Store the export and queue its dry run (or real run); then its report."""
    if file is None or not file.filename:
        problem = FieldProblem("file", "form.missing", "")
        return _list_page(request, db, staff, problems={"file": problem}, status_code=422)
    filename = file.filename
    data = await file.read(get_settings().import_max_bytes + 1)
    return run_form(
        db,
        lambda: imports.submit_import(
            db, actor=staff, filename=filename, data=data, dry_run=mode != "real"
        ),
        done=lambda job: _to_report(job.id),
        refused=lambda refusal: _refused(request, db, staff, refusal),
    )


def _refused(request: Request, db: DbSession, staff: Actor, refusal: Refusal) -> HTMLResponse:
    return _list_page(request, db, staff, problems=refusal.problems, status_code=refusal.status)


def _to_report(import_id: uuid.UUID) -> Response:
    from fastapi.responses import RedirectResponse

    return RedirectResponse(f"{IMPORTS}/{import_id}", status_code=303)


def _report_context(
    request: Request, db: DbSession, staff: Actor, import_id: uuid.UUID, problems_page: int
) -> dict[str, Any]:
    job = imports.read_import(db, actor=staff, import_id=import_id)
    language = negotiate(request)
    total, problems = imports_problems.page_of_problems(
        db,
        job.id,
        gettext=translations(language).gettext,
        language=language,
        limit=PROBLEMS_PER_PAGE,
        offset=(problems_page - 1) * PROBLEMS_PER_PAGE,
    )
    return {
        "job": job,
        "progress": imports.progress(job),
        "restart": _restart_notice(db, job, language),
        "running": job.status not in FINISHED,
        "refresh": REFRESH_SECONDS,
        "path": f"{IMPORTS}/{job.id}",
        "problems": problems,
        "problem_total": total,
        "problems_page": problems_page,
        "problem_pages": page_count(total, PROBLEMS_PER_PAGE),
    }


def _restart_notice(db: DbSession, job: AgencyImport, language: str) -> str | None:
    """Why a dry run's progress went back, when it started again after a crash."""
    restart = imports.restart_of(db, job)
    if restart is None:
        return None
    return imports.restart_notice(
        when=format_datetime(restart.at, language),
        rows=format_number(restart.rows_read, language),
    )


@router.get(IMPORTS + "/{import_id}", response_class=HTMLResponse, dependencies=[Importer])
def report(
    request: Request,
    import_id: uuid.UUID,
    db: DbSession,
    staff: SignedIn,
    problems_page: Annotated[int, Query(ge=1, le=100_000)] = 1,
) -> Response:
    """An import's report; while it runs it refreshes itself."""
    context = _report_context(request, db, staff, import_id, problems_page)
    return page(request, "agencies/import.html", staff, context)


@router.get(IMPORTS + "/{import_id}/progress", response_class=HTMLResponse, dependencies=[Importer])
def progress(request: Request, import_id: uuid.UUID, db: DbSession, staff: SignedIn) -> Response:
    """The report's progress block alone, for htmx to swap in every few seconds (the whole
    report for a reader without it); once the import has finished, htmx reloads the whole
    report (its problems, what to do next)."""
    context = _report_context(request, db, staff, import_id, 1)
    if request.headers.get("HX-Request") != "true":
        return page(request, "agencies/import.html", staff, context)
    answer = page(request, "agencies/_import_progress.html", staff, context)
    if not context["running"]:
        answer.headers["HX-Refresh"] = "true"
    return answer


@router.post(IMPORTS + "/{import_id}/apply", dependencies=[Importer])
def apply(request: Request, import_id: uuid.UUID, db: DbSession, staff: SignedIn) -> Response:
    """Import for real the file a finished dry run checked."""
    return run_form(
        db,
        lambda: imports.apply_dry_run(db, actor=staff, import_id=import_id),
        done=lambda job: _to_report(job.id),
        refused=lambda refusal: _refused(request, db, staff, refusal),
    )


@router.get(IMPORTS + "/{import_id}/problems.csv", dependencies=[Importer])
def problems_csv(
    request: Request, import_id: uuid.UUID, db: DbSession, staff: SignedIn
) -> Response:
    """Every problem of the import as CSV, in the reader's language."""
    job = imports.read_import(db, actor=staff, import_id=import_id)
    language = negotiate(request)
    lines = list(
        imports_problems.problems_csv(
            db, job.id, gettext=translations(language).gettext, language=language
        )
    )
    return StreamingResponse(
        iter(lines),
        media_type="text/csv; charset=utf-8",
        headers={
            "Cache-Control": "no-store",
            "Content-Disposition": f'attachment; filename="import-{job.id}-problems.csv"',
        },
    )
