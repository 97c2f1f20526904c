"""Officers' service pages: the post's application queue with SLA clocks (red, amber,
green), one application with its documents and the decisions allowed now, and the report
of volumes and SLA compliance (the post's, or national for HQ)."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from peduli.api.deps import DbSession, staff_page
from peduli.auth.actor import Actor
from peduli.auth.roles import SERVICE_HANDLERS, SERVICE_REPORT_READERS
from peduli.core.db import utcnow
from peduli.core.downloads import download_headers
from peduli.core.errors import Conflict, FieldProblem, ValidationFailed
from peduli.core.i18n import _
from peduli.services import application_file, catalogue, repository, service, workflow
from peduli.services.pages.common import helpers, issued_document
from peduli.services.workflow import Action
from peduli.web import desk, i18n
from peduli.web.desk import SignedIn
from peduli.web.forms import Refusal, only, run_form

router = APIRouter(include_in_schema=False)
handlers = APIRouter(dependencies=[staff_page(SERVICE_HANDLERS)])
readers = APIRouter(dependencies=[staff_page(SERVICE_REPORT_READERS)])
QUEUE = "/officer/applications"
REPORT = "/officer/applications-report"


@handlers.get(QUEUE, response_class=HTMLResponse)
def queue(request: Request, db: DbSession, staff: SignedIn) -> Response:
    """Open applications of my post, soonest deadline first, with their SLA clock."""
    state = request.query_params.get("state") or None
    if state not in {s.value for s in workflow.State}:
        state = None
    language = i18n.negotiate(request)
    pages, rows = desk.paged(
        lambda limit, offset: repository.queue(
            db, actor=staff, filters=repository.QueueFilter(state=state), limit=limit, offset=offset
        ),
        desk.page_number(request.query_params.get("page")),
        desk.per_page_choice(request.query_params.get("per_page")),
    )
    names = catalogue.names_in(db, language)
    now = utcnow()
    return desk.page(
        request,
        "services/queue.html",
        staff,
        {
            "rows": [(a, workflow.sla_colour(a.state, a.due_at, now)) for a in rows],
            "pages": pages,
            "url": desk.url_with(QUEUE, {"state": state or ""}),
            "state": state,
            "states": list(workflow.State),
            "names": names,
            **helpers(language),
        },
    )


def _detail(
    request: Request,
    db: Session,
    staff: Actor,
    application_id: uuid.UUID,
    problems: dict[str, FieldProblem] | None = None,
    reason: str = "",
) -> HTMLResponse:
    language = i18n.negotiate(request)
    view = application_file.read(db, application_id=application_id, actor=staff)
    a = view.application
    return desk.page(
        request,
        "services/application_staff.html",
        staff,
        {
            "view": view,
            "a": a,
            "name": view.definition.name.get(language),
            "colour": workflow.sla_colour(a.state, a.due_at, utcnow()),
            "actions": workflow.allowed_actions(
                workflow.State(a.state), workflow.Payment(a.payment_state), by_applicant=False
            ),
            "needs_reason": workflow.NEEDS_REASON,
            "labels": {r.document: r.label.get(language) for r in view.definition.requirements},
            "problems": problems or {},
            "reason": reason,
            "done": request.query_params.get("done"),
            **helpers(language),
        },
        status_code=422 if problems else 200,
    )


@handlers.get(QUEUE + "/{application_id}", response_class=HTMLResponse)
def application(
    request: Request, application_id: uuid.UUID, db: DbSession, staff: SignedIn
) -> Response:
    """One application: the applicant's confirmed details, documents, fee, history."""
    return _detail(request, db, staff, application_id)


@handlers.post(QUEUE + "/{application_id}/decision", response_class=HTMLResponse)
async def decide(
    request: Request, application_id: uuid.UUID, db: DbSession, staff: SignedIn
) -> Response:
    """Record a decision the workflow allows now."""
    form = await request.form()
    raw, reason = str(form.get("action") or ""), str(form.get("reason") or "")[:2000]

    def act() -> object:
        if raw not in {a.value for a in Action} or raw == Action.RESUBMIT:
            raise ValidationFailed([FieldProblem("action", "invalid", _("Choose a decision."))])
        return service.decide(
            db, application_id=application_id, action=Action(raw), reason=reason, actor=staff
        )

    def refused(refusal: Refusal) -> HTMLResponse:
        problems = refusal.problems or {
            "action": FieldProblem("action", refusal.error.code, refusal.error.detail)
        }
        return _detail(request, db, staff, application_id, problems, reason)

    return run_form(
        db,
        act,
        done=f"{QUEUE}/{application_id}?done={raw}",
        refused=refused,
        refuses=only(ValidationFailed, Conflict),
    )


@handlers.get(QUEUE + "/{application_id}/documents/{document_id}")
def document(
    application_id: uuid.UUID, document_id: uuid.UUID, db: DbSession, staff: SignedIn
) -> Response:
    """One document the applicant sent (the read is audited)."""
    found, data = application_file.document_bytes(
        db, application_id=application_id, document_id=document_id, actor=staff
    )
    return Response(
        data, media_type=found.content_type, headers=download_headers(found.filename, inline=True)
    )


@handlers.get(QUEUE + "/{application_id}/document.pdf")
def issued(request: Request, application_id: uuid.UUID, db: DbSession, staff: SignedIn) -> Response:
    """The signed document the application was issued with, to print (the read is audited)."""
    view = application_file.read(db, application_id=application_id, actor=staff)
    return issued_document(view, i18n.negotiate(request))


@readers.get(REPORT, response_class=HTMLResponse)
def report(request: Request, db: DbSession, staff: SignedIn) -> Response:
    """Volumes and SLA compliance: per post and service, and the national totals."""
    language = i18n.negotiate(request)
    rows = repository.report(db, actor=staff, now=utcnow())
    names = catalogue.names_in(db, language)
    return desk.page(
        request,
        "services/report.html",
        staff,
        {
            "rows": rows,
            "national": repository.national(rows),
            "names": names,
            **helpers(language),
        },
    )


router.include_router(handlers)
router.include_router(readers)
