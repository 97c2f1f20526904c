"""Citizens' correction requests of my jurisdiction: the queue, and one request to decide.

Its own page, apart from the verification queue: the rules (scope, reason, telling the
citizen) are ``registry.corrections``'s, shared with the API.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from peduli.api.deps import DbSession, staff_page
from peduli.auth import policy
from peduli.auth.actor import Actor
from peduli.auth.roles import CORRECTION_HANDLERS
from peduli.core.errors import FieldProblem, ValidationFailed
from peduli.core.i18n import _
from peduli.registry import corrections
from peduli.registry.models import DataRequestStatus
from peduli.web import desk
from peduli.web.desk import SignedIn

router = APIRouter(include_in_schema=False, dependencies=[staff_page(CORRECTION_HANDLERS)])

QUEUE = "/officer/corrections"
STATUSES = ("open", "accepted", "refused", "all")
DECISIONS = ("accepted", "refused")
Text = Annotated[str, Query(max_length=40)]


@router.get(QUEUE, response_class=HTMLResponse)
def correction_queue(
    request: Request,
    db: DbSession,
    staff: SignedIn,
    status: Text = "open",
    page: Annotated[str, Query(max_length=9)] = "1",
    done: Text = "",
) -> Response:
    """Correction requests of people whose active stay is in my jurisdiction, oldest first."""
    shown = status if status in STATUSES else "open"
    wanted = None if shown == "all" else DataRequestStatus(shown)
    pages, rows = desk.paged(
        lambda limit, offset: corrections.correction_queue(
            db, actor=staff, status=wanted, limit=limit, offset=offset
        ),
        desk.page_number(page),
        desk.PER_PAGE_CHOICES[0],
    )
    params = {"status": shown if shown != "open" else None}
    return desk.page(
        request,
        "officer/corrections.html",
        staff,
        {
            "rows": rows,
            "pages": pages,
            "status": shown,
            "statuses": STATUSES,
            "url": desk.url_with(QUEUE, params),
            "hq": policy.post_scope(staff).every_post,
            "done": done if done in DECISIONS else "",
        },
    )


def _decision_page(
    request: Request,
    db: Session,
    staff: Actor,
    request_id: uuid.UUID,
    *,
    decision: str = "",
    reason: str = "",
    problems: dict[str, FieldProblem] | None = None,
) -> HTMLResponse:
    row = corrections.read_correction(db, request_id=request_id, actor=staff)
    return desk.page(
        request,
        "officer/correction.html",
        staff,
        {
            "row": row,
            "decision": decision,
            "reason": reason,
            "problems": problems or {},
            "min_length": corrections.MIN_REASON_LENGTH,
        },
        status_code=422 if problems else 200,
    )


@router.get(QUEUE + "/{request_id}", response_class=HTMLResponse)
def correction(request: Request, request_id: uuid.UUID, db: DbSession, staff: SignedIn) -> Response:
    """One request: what the citizen asked, and the form to decide it."""
    return _decision_page(request, db, staff, request_id)


@router.post(QUEUE + "/{request_id}", response_class=HTMLResponse)
def decide(
    request: Request,
    request_id: uuid.UUID,
    db: DbSession,
    staff: SignedIn,
    decision: Annotated[str, Form(max_length=10)] = "",
    reason: Annotated[str, Form(max_length=2000)] = "",
) -> Response:
    """Accept or refuse with a reason; the citizen is told. Errors keep what was typed."""
    problems: dict[str, FieldProblem] = {}
    if decision not in DECISIONS:
        problems["decision"] = FieldProblem(
            "decision", "decision_required", _("Choose whether you accept or refuse the request.")
        )
    else:
        try:
            corrections.decide_correction(
                db,
                request_id=request_id,
                actor=staff,
                accepted=decision == "accepted",
                reason=reason,
            )
        except ValidationFailed as refused:
            problems = {problem.field: problem for problem in refused.problems}
    if problems:
        return _decision_page(
            request, db, staff, request_id, decision=decision, reason=reason, problems=problems
        )
    return RedirectResponse(f"{QUEUE}?done={decision}", status_code=303)
