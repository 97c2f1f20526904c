"""One screen per person: identity, documents, contacts, stays on a timeline, verification,
and who looked at the record. Reading outside one's jurisdiction asks for a reason first;
the registry service decides and audits every read.
"""

from __future__ import annotations

import json
import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from peduli.api.deps import DbSession, staff_page
from peduli.auth import audit
from peduli.auth.actor import Actor
from peduli.auth.policy import MIN_REASON_LENGTH
from peduli.auth.roles import IDENTITY_EDITORS, MERGE_UNDOERS, PERSON_VERIFIERS, RECORD_WORKERS
from peduli.core.errors import FieldProblem, Forbidden, PeduliError
from peduli.registry import service, unmerging
from peduli.registry.models import PersonStatus
from peduli.web import desk
from peduli.web.desk import SignedIn
from peduli.web.forms import run_form

router = APIRouter(include_in_schema=False, dependencies=[staff_page(RECORD_WORKERS)])

TRAIL_PER_PAGE = 20
DECISIONS = frozenset({"verified", "rejected"})
Reason = Annotated[str, Form(max_length=500)]


def _reason_form(
    request: Request, staff: Actor, person_id: uuid.UUID, reason: str, *, short: bool
) -> HTMLResponse:
    problems = {}
    if short:
        problems["reason"] = FieldProblem("reason", "reason_too_short", "")
    return desk.page(
        request,
        "officer/reason.html",
        staff,
        {
            "person_id": person_id,
            "reason": reason,
            "problems": problems,
            "min_length": MIN_REASON_LENGTH,
        },
        status_code=422 if short else 403,
    )


def _person_screen(
    request: Request,
    db: Session,
    staff: Actor,
    person_id: uuid.UUID,
    *,
    reason: str | None,
    trail_page: str | None,
) -> Response:
    return run_form(
        db,
        lambda: service.read_person(db, person_id=person_id, actor=staff, reason=reason),
        done=lambda view: _person_page(
            request, db, staff, person_id, view, reason=reason, trail_page=trail_page
        ),
        # the refused read stays in the audit log; the reader is asked for a reason
        refused=lambda _refusal: _reason_form(
            request, staff, person_id, reason or "", short=bool(reason)
        ),
        refuses=_reason_required,
    )


def _reason_required(error: PeduliError) -> bool:
    """Only a read outside my jurisdiction without a reason asks for one; any other refusal
    is the 403 page."""
    return isinstance(error, Forbidden) and error.code == "reason_required"


def _person_page(
    request: Request,
    db: Session,
    staff: Actor,
    person_id: uuid.UUID,
    view: service.PersonView,
    *,
    reason: str | None,
    trail_page: str | None,
) -> HTMLResponse:
    pages, entries = desk.paged(
        lambda limit, offset: audit.trail_for_person(
            db, person_id=person_id, limit=limit, offset=offset
        ),
        desk.page_number(trail_page),
        TRAIL_PER_PAGE,
    )
    return desk.page(
        request,
        "officer/person.html",
        staff,
        {
            "view": view,
            "person": view.person,
            "timeline": sorted(view.stays, key=lambda stay: (stay.arrival_date, stay.created_at)),
            "out_of_scope": reason is not None,
            "may_verify": reason is None and staff.role in PERSON_VERIFIERS,
            # (outside my jurisdiction the policy refuses a change: no link to one)
            "may_edit": reason is None
            and staff.role in IDENTITY_EDITORS
            and view.person.status == PersonStatus.ACTIVE,
            "merges": unmerging.merges_of(db, person_id=person_id),
            "may_undo_merge": reason is None and staff.role in MERGE_UNDOERS,
            "done": request.query_params.get("done", ""),
            "changed_fields": _changed_fields,
            "trail": entries,
            "pages": pages,
            "url": desk.url_with(f"/officer/persons/{person_id}", {}),
            "page_param": "trail",
        },
    )


def _changed_fields(entry: audit.AuditEntry) -> list[str]:
    """The fields an identity correction in the trail changed (names, never values)."""
    if entry.action != "person.edit_identity":
        return []
    try:
        fields = json.loads(entry.fields or "[]")
    except ValueError:
        return []
    return [str(field) for field in fields]


@router.get("/officer/persons/{person_id}", response_class=HTMLResponse)
def person_screen(
    request: Request,
    person_id: uuid.UUID,
    db: DbSession,
    staff: SignedIn,
    trail: Annotated[str | None, Query(max_length=9)] = None,
) -> Response:
    """The whole record of one person (the read is audited)."""
    return _person_screen(request, db, staff, person_id, reason=None, trail_page=trail)


@router.post("/officer/persons/{person_id}", response_class=HTMLResponse)
def person_screen_with_reason(
    request: Request, person_id: uuid.UUID, db: DbSession, staff: SignedIn, reason: Reason = ""
) -> Response:
    """The record of a person outside my jurisdiction, with the reason I stated."""
    return _person_screen(request, db, staff, person_id, reason=reason.strip(), trail_page=None)


@router.post("/officer/persons/{person_id}/verification")
def verify(
    request: Request,
    person_id: uuid.UUID,
    db: DbSession,
    staff: SignedIn,
    decision: Annotated[str, Form(max_length=10)] = "",
) -> Response:
    """Mark the record verified (or rejected) after checking documents; back to the queue."""
    if decision not in DECISIONS:
        return RedirectResponse(f"/officer/persons/{person_id}", status_code=303)
    verified = decision == "verified"
    service.verify_person(db, person_id=person_id, actor=staff, verified=verified)
    return RedirectResponse(f"/officer?done={decision}", status_code=303)
