"""The partner desk: the queue of delegated cases and the case page where a partner works
(notes, questions to the citizen, accept / decline / done, escalation), and a consultation
form. Server-rendered, no JS needed."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from peduli.api.deps import DbSession, staff_page
from peduli.auth.actor import Actor
from peduli.auth.roles import PARTNERS
from peduli.core.db import utcnow
from peduli.core.errors import FieldProblem, PeduliError, ValidationFailed
from peduli.core.i18n import _
from peduli.partners import (
    casework,
    consultations,
    delegated_cases,
    repository,
    service,
    workflow,
)
from peduli.partners.models import DelegationStatus
from peduli.partners.pages.common import page, refused_context
from peduli.partners.schemas import ConsultationCreate, PartnerCaseView
from peduli.web.desk import SignedIn
from peduli.web.forms import all_but_not_found, only, run_form

router = APIRouter(include_in_schema=False)
LongText = Annotated[str, Form(max_length=8000)]
ShortText = Annotated[str, Form(max_length=200)]
DONE_MESSAGES = {
    "note": _("Your note is on the case timeline."),
    "asked": _("Your question was sent to the citizen."),
    "accepted": _("You accepted the case."),
    "declined": _("You declined the case; it is back with the representation."),
    "done": _("You reported the task done. Thank you."),
    "escalated": _("The case is handed back to the representation."),
    "consultation": _("The consultation is now a case of the representation, delegated to you."),
}


@router.get("/partner", response_class=HTMLResponse, dependencies=[staff_page(PARTNERS)])
def partner_queue(
    request: Request,
    db: DbSession,
    staff: SignedIn,
    done: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    """Cases delegated to my organisation, nearest deadline first."""
    total, rows = repository.partner_queue(db, actor=staff, limit=repository.MAX_PAGE)
    partner = service.my_partner(db, actor=staff).partner
    return page(
        request,
        "partners/queue.html",
        staff,
        {
            "partner": partner,
            "rows": rows,
            "total": total,
            "now": utcnow(),
            "done": DONE_MESSAGES.get(done),
        },
    )


def _case_page(
    request: Request,
    db: Session,
    staff: Actor,
    case_id: uuid.UUID,
    *,
    done: str | None = None,
    failure: PeduliError | None = None,
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    shown = delegated_cases.read_case(db, case_id=case_id, actor=staff)
    actions = workflow.partner_actions(DelegationStatus(shown.delegated.delegation.status))
    return page(
        request,
        "partners/case.html",
        staff,
        {
            "view": PartnerCaseView.shown(shown),
            "partner": shown.delegated.partner,
            "can_answer": actions.answer,
            "can_finish": actions.finish,
            "can_resume": actions.resume,
            "can_escalate": actions.escalate,
            "now": utcnow(),
            "done": DONE_MESSAGES.get(done or ""),
            **refused_context(failure, form),
        },
        status_code=failure.status if failure else 200,
    )


@router.get(
    "/partner/cases/{case_id}", response_class=HTMLResponse, dependencies=[staff_page(PARTNERS)]
)
def partner_case(
    request: Request,
    case_id: uuid.UUID,
    db: DbSession,
    staff: SignedIn,
    done: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    """A delegated case: what the task needs to know, the shared timeline and the actions."""
    return _case_page(request, db, staff, case_id, done=done)


def _after(
    request: Request,
    db: Session,
    staff: Actor,
    case_id: uuid.UUID,
    done: str,
    form: dict[str, str],
    action: Callable[[], object],
    *,
    done_url: str = "",
) -> Response:
    """Run a partner action; back to the case page, with the problem if it failed."""
    return run_form(
        db,
        action,
        done=done_url or f"/partner/cases/{case_id}?done={done}",
        refused=lambda refusal: _case_page(
            request, db, staff, case_id, failure=refusal.error, form=form
        ),
        refuses=all_but_not_found,
    )


def _required(field: str, text: str, minimum: int = 1) -> None:
    if len(text.strip()) < minimum:
        raise ValidationFailed(
            [
                FieldProblem(
                    field,
                    "too_short",
                    _("Write at least {min} characters.").format(min=minimum),
                )
            ]
        )


@router.post("/partner/cases/{case_id}/note", dependencies=[staff_page(PARTNERS)])
def add_note(
    request: Request, case_id: uuid.UUID, db: DbSession, staff: SignedIn, text: LongText = ""
) -> Response:
    """Add a note to the timeline."""

    def act() -> None:
        _required("text", text)
        casework.add_note(db, case_id=case_id, actor=staff, text=text.strip())

    return _after(request, db, staff, case_id, "note", {"text": text}, act)


@router.post("/partner/cases/{case_id}/ask", dependencies=[staff_page(PARTNERS)])
def ask_citizen(
    request: Request, case_id: uuid.UUID, db: DbSession, staff: SignedIn, message: LongText = ""
) -> Response:
    """Send the citizen a question through the platform."""

    def act() -> None:
        _required("message", message, 10)
        casework.ask_citizen(db, case_id=case_id, actor=staff, message=message.strip()[:1000])

    return _after(request, db, staff, case_id, "asked", {"message": message}, act)


@router.post("/partner/cases/{case_id}/status", dependencies=[staff_page(PARTNERS)])
def change_status(
    request: Request,
    case_id: uuid.UUID,
    db: DbSession,
    staff: SignedIn,
    status: ShortText = "",
    note: LongText = "",
) -> Response:
    """Accept, decline, resume or report the task done."""
    choices = {s.value for s in (DelegationStatus.ACCEPTED, DelegationStatus.DECLINED,
                                 DelegationStatus.DONE)}  # fmt: skip
    if status not in choices:
        return RedirectResponse(f"/partner/cases/{case_id}", status_code=303)

    def act() -> None:
        casework.change_status(
            db,
            case_id=case_id,
            actor=staff,
            status=DelegationStatus(status),
            note=note.strip() or None,
        )

    # A declined case leaves the partner's reach: back to the queue.
    declined = status == DelegationStatus.DECLINED.value
    done_url = "/partner?done=declined" if declined else ""
    return _after(request, db, staff, case_id, status, {}, act, done_url=done_url)


@router.post("/partner/cases/{case_id}/escalation", dependencies=[staff_page(PARTNERS)])
def escalate(
    request: Request, case_id: uuid.UUID, db: DbSession, staff: SignedIn, reason: LongText = ""
) -> Response:
    """Hand the case back to the representation, saying why."""

    def act() -> None:
        _required("reason", reason, 10)
        casework.escalate(db, case_id=case_id, actor=staff, reason=reason.strip())

    return _after(request, db, staff, case_id, "escalated", {"reason": reason}, act)


@router.get(
    "/partner/consultations/new", response_class=HTMLResponse, dependencies=[staff_page(PARTNERS)]
)
def consultation_form(request: Request, db: DbSession, staff: SignedIn) -> Response:
    """Pass on a consultation: it becomes a case delegated back to us."""
    partner = service.my_partner(db, actor=staff).partner
    return page(
        request, "partners/consultation.html", staff,
        {"partner": partner, "form": {}, "problems": {}},
    )  # fmt: skip


@router.post(
    "/partner/consultations/new", response_class=HTMLResponse, dependencies=[staff_page(PARTNERS)]
)
def pass_on_consultation(
    request: Request,
    db: DbSession,
    staff: SignedIn,
    category: ShortText = "",
    summary: LongText = "",
    name: ShortText = "",
    phone: ShortText = "",
    email: ShortText = "",
    city: ShortText = "",
    danger_to_life: ShortText = "",
    consent: ShortText = "",
) -> Response:
    """Create the case and go to it."""
    form = {"category": category, "summary": summary, "name": name, "phone": phone,
            "email": email, "city": city, "danger_to_life": danger_to_life,
            "consent": consent}  # fmt: skip
    try:
        data = ConsultationCreate.model_validate(
            {
                "category": category,
                "summary": summary,
                "name": name.strip() or None,
                "phone": phone.strip() or None,
                "email": email.strip() or None,
                "city": city.strip() or None,
                "danger_to_life": danger_to_life == "yes",
                "consent": consent == "yes",
            }
        )
    except ValueError:
        # Pydantic's own limits (e.g. a summary under 10 characters).
        problems = {
            "summary": FieldProblem(
                "summary",
                "too_short",
                _("Describe the problem in at least 10 characters."),
            )
        }
        return _consultation_error(request, db, staff, form, problems)
    return run_form(
        db,
        lambda: consultations.pass_on(db, data=data, actor=staff),
        done=lambda created: RedirectResponse(
            f"/partner/cases/{created.case.id}?done=consultation", status_code=303
        ),
        refused=lambda refusal: _consultation_error(request, db, staff, form, refusal.problems),
        refuses=only(ValidationFailed),
    )


def _consultation_error(
    request: Request,
    db: Session,
    staff: Actor,
    form: dict[str, str],
    problems: dict[str, FieldProblem],
) -> HTMLResponse:
    partner = service.my_partner(db, actor=staff).partner
    return page(
        request, "partners/consultation.html", staff,
        {"partner": partner, "form": form, "problems": problems}, status_code=422,
    )  # fmt: skip
