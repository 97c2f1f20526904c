"""The case page: header with clocks and people, the timeline, and every action as a form.

Each action posts a plain form, calls the case service and comes back to the page (303);
when the service refuses, the page is shown again with the problem next to the form's
fields, in the reader's language (the request is rolled back, its denial audits kept).
"""

from __future__ import annotations

import json
import uuid
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, File, Form, Request, UploadFile
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from peduli.api.deps import DbSession, staff_page
from peduli.auth.actor import Actor
from peduli.auth.roles import CASE_WORKERS
from peduli.cases import attachments, case_file, casework, outcomes, repository, workflow
from peduli.cases.models import CaseStatus, OutcomeKind, Priority, Visibility, WaitingOn
from peduli.cases.pages import common
from peduli.cases.schemas import OutcomeCreate
from peduli.core.config import get_settings
from peduli.core.db import utcnow
from peduli.core.downloads import download_headers
from peduli.core.errors import FieldProblem, PeduliError
from peduli.web import desk
from peduli.web.desk import SignedIn
from peduli.web.forms import run_form
from peduli.web.i18n import negotiate

router = APIRouter(include_in_schema=False, dependencies=[staff_page(CASE_WORKERS)])

TIMELINE_LIMIT = 500
Short = Annotated[str, Form(max_length=40)]
Long = Annotated[str, Form(max_length=10_000)]


def _url(case_id: uuid.UUID, done: str = "") -> str:
    return f"{common.CASES}/{case_id}" + (f"?done={done}" if done else "")


def _event_rows(events: Any) -> list[dict[str, Any]]:
    rows = []
    for event in events:
        try:
            data = json.loads(event.data or "{}")
        except ValueError:
            data = {}
        rows.append({"event": event, "data": data})
    return rows


def case_page(
    request: Request,
    db: Session,
    staff: Actor,
    case_id: uuid.UUID,
    *,
    failed: str = "",
    problems: dict[str, FieldProblem] | None = None,
    failure: PeduliError | None = None,
    form: dict[str, str] | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    """Render the case page (also again after a refused action, with its problems)."""
    view = case_file.read_case(db, case_id=case_id, actor=staff)
    case = view.case
    _, events = case_file.read_events(db, case_id=case_id, actor=staff, limit=TIMELINE_LIMIT)
    files = attachments.list_attachments(db, case_id=case_id, actor=staff)
    now = utcnow()
    language = negotiate(request)
    return desk.page(
        request,
        "cases/pages/case.html",
        staff,
        {
            "view": view,
            "case": case,
            "sla": workflow.sla_state(case, now),
            "assignee": repository.staff_display(db, case.assigned_officer_id),
            "category": common.category_name(case.category, language),
            "subcategory": common.subcategory_name(case.category, case.subcategory, language),
            "timeline": _event_rows(events),
            "files": {str(a.id): a for a in files},
            "allowed": workflow.allowed_from(case.status),
            "officers": [
                (str(i), name) for i, name in repository.officers_of(db, case.representation_code)
            ],
            "priorities": [p.value for p in Priority],
            "waiting_choices": [w.value for w in WaitingOn],
            "outcome_kinds": [k.value for k in OutcomeKind],
            "today": now.date().isoformat(),
            "max_upload_mb": get_settings().case_attachment_max_bytes // 1_000_000 or 1,
            "done": request.query_params.get("done", ""),
            "failed": failed,
            "problems": problems or {},
            "failure": failure,
            "form": form or {},
        },
        status_code=status_code,
    )


def _refused(
    request: Request,
    db: Session,
    staff: Actor,
    case_id: uuid.UUID,
    form_name: str,
    problems: dict[str, FieldProblem],
    form: dict[str, str],
) -> HTMLResponse:
    """The page again with what the form's own checks found, next to its fields."""
    return case_page(
        request, db, staff, case_id, failed=form_name, problems=problems, form=form,
        status_code=422,
    )  # fmt: skip


def _run(
    request: Request,
    db: Session,
    staff: Actor,
    case_id: uuid.UUID,
    form_name: str,
    form: dict[str, str],
    action: Callable[[], object],
    *,
    done: str,
) -> Response:
    """Run one of the case's forms: back to the page (303), or the page again with why the
    service refused, next to that form."""
    return run_form(
        db,
        action,
        done=_url(case_id, done),
        refused=lambda refusal: case_page(
            request,
            db,
            staff,
            case_id,
            failed=form_name,
            problems=refusal.problems,
            failure=refusal.failure,
            form=form,
            status_code=refusal.status,
        ),
    )


@router.get(common.CASES + "/{case_id}", response_class=HTMLResponse)
def case_screen(request: Request, case_id: uuid.UUID, db: DbSession, staff: SignedIn) -> Response:
    """One case: who, what, how urgent, what happened, and what can be done next (audited)."""
    return case_page(request, db, staff, case_id)


@router.post(common.CASES + "/{case_id}/status", response_class=HTMLResponse)
def change_status(
    request: Request,
    case_id: uuid.UUID,
    db: DbSession,
    staff: SignedIn,
    to: Short = "",
    waiting_on: Short = "",
    note: Long = "",
) -> Response:
    """Move the case along the workflow (only the moves allowed now are offered)."""
    form = {"to": to, "waiting_on": waiting_on, "note": note}
    if to not in {s.value for s in CaseStatus}:
        problem = FieldProblem("to", "form.choice", "")
        return _refused(request, db, staff, case_id, "status", {"to": problem}, form)
    waiting = WaitingOn(waiting_on) if waiting_on in {w.value for w in WaitingOn} else None
    return _run(
        request,
        db,
        staff,
        case_id,
        "status",
        form,
        lambda: casework.transition(
            db,
            case_id=case_id,
            actor=staff,
            to=CaseStatus(to),
            waiting_on=waiting,
            note=note.strip() or None,
        ),
        done="status",
    )


@router.post(common.CASES + "/{case_id}/assign", response_class=HTMLResponse)
def assign(
    request: Request, case_id: uuid.UUID, db: DbSession, staff: SignedIn, officer_id: Short = ""
) -> Response:
    """Give the case to an officer of the post, to myself, or to no one."""
    chosen = staff.account_id if officer_id == "me" else common.parse_uuid(officer_id)
    if officer_id and chosen is None:
        problem = FieldProblem("officer_id", "form.choice", "")
        return _refused(
            request, db, staff, case_id, "assign", {"officer_id": problem}, {"officer_id": ""}
        )
    return _run(
        request,
        db,
        staff,
        case_id,
        "assign",
        {"officer_id": officer_id},
        lambda: casework.assign(db, case_id=case_id, actor=staff, officer_id=chosen),
        done="assigned",
    )


@router.post(common.CASES + "/{case_id}/priority", response_class=HTMLResponse)
def change_priority(
    request: Request,
    case_id: uuid.UUID,
    db: DbSession,
    staff: SignedIn,
    priority: Short = "",
    reason: Annotated[str, Form(max_length=1000)] = "",
) -> Response:
    """Override the priority the triage rules gave, saying why."""
    form = {"priority": priority, "reason": reason}
    if priority not in {p.value for p in Priority}:
        problem = FieldProblem("priority", "form.choice", "")
        return _refused(request, db, staff, case_id, "priority", {"priority": problem}, form)
    return _run(
        request,
        db,
        staff,
        case_id,
        "priority",
        form,
        lambda: casework.set_priority(
            db, case_id=case_id, actor=staff, priority=Priority(priority), reason=reason.strip()
        ),
        done="priority",
    )


@router.post(common.CASES + "/{case_id}/notes", response_class=HTMLResponse)
def add_note(
    request: Request,
    case_id: uuid.UUID,
    db: DbSession,
    staff: SignedIn,
    text: Long = "",
    visibility: Short = Visibility.INTERNAL.value,
    kind: Short = "note",
) -> Response:
    """A note (internal, or shared with the citizen) or a call, on the timeline."""
    form = {"text": text, "visibility": visibility, "kind": kind}
    if not text.strip():
        problem = FieldProblem("text", "form.missing", "")
        return _refused(request, db, staff, case_id, "note", {"text": problem}, form)
    shared = visibility == Visibility.SHARED.value
    return _run(
        request,
        db,
        staff,
        case_id,
        "note",
        form,
        lambda: casework.add_note(
            db,
            case_id=case_id,
            actor=staff,
            text=text.strip(),
            visibility=Visibility.SHARED if shared else Visibility.INTERNAL,
            kind="call" if kind == "call" else "note",
        ),
        done="call" if kind == "call" else "note",
    )


@router.post(common.CASES + "/{case_id}/attachments", response_class=HTMLResponse)
async def upload(
    request: Request,
    case_id: uuid.UUID,
    db: DbSession,
    staff: SignedIn,
    file: Annotated[UploadFile | None, File()] = None,
    visibility: Short = Visibility.INTERNAL.value,
) -> Response:
    """Attach a file to the case (its type and size checked by the service)."""
    if file is None or not file.filename:
        problem = FieldProblem("file", "form.missing", "")
        return _refused(request, db, staff, case_id, "attachment", {"file": problem}, {})
    filename = file.filename
    data = await file.read(get_settings().case_attachment_max_bytes + 1)
    return _run(
        request,
        db,
        staff,
        case_id,
        "attachment",
        {},
        lambda: attachments.upload(
            db,
            case_id=case_id,
            actor=staff,
            filename=filename,
            content_type=file.content_type or "application/octet-stream",
            data=data,
            visibility=Visibility.SHARED
            if visibility == Visibility.SHARED.value
            else Visibility.INTERNAL,
        ),
        done="attached",
    )


@router.get(common.CASES + "/{case_id}/attachments/{attachment_id}")
def download(
    request: Request, case_id: uuid.UUID, attachment_id: uuid.UUID, db: DbSession, staff: SignedIn
) -> Response:
    """The file, after the case access check (audited)."""
    found = attachments.download(db, case_id=case_id, attachment_id=attachment_id, actor=staff)
    return Response(
        content=found.data,
        media_type=found.attachment.content_type,
        headers=download_headers(found.attachment.filename),
    )


@router.post(common.CASES + "/{case_id}/outcomes", response_class=HTMLResponse)
def record_outcome(
    request: Request,
    case_id: uuid.UUID,
    db: DbSession,
    staff: SignedIn,
    kind: Short = "",
    people: Short = "1",
    achieved_on: Short = "",
    amount: Short = "",
    currency: Short = "",
    description: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Record what the case achieved; the national figures follow in the same transaction."""
    form = {
        "kind": kind,
        "people": people,
        "achieved_on": achieved_on,
        "amount": amount,
        "currency": currency.upper(),
        "description": description,
    }
    body, problems = common.checked(OutcomeCreate, common.blank_to_none(form))
    if body is None:
        return _refused(request, db, staff, case_id, "outcome", problems, form)
    return _run(
        request,
        db,
        staff,
        case_id,
        "outcome",
        form,
        lambda: outcomes.record_outcome(db, case_id=case_id, actor=staff, data=body),
        done="outcome",
    )
