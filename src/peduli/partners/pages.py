"""Partner pages: the queue of delegated cases and the case page where a partner works
(notes, questions to the citizen, accept / decline / done, escalation), a consultation form,
and the officers' list of their representation's partners. Server-rendered, no JS needed."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from peduli.api.deps import DbSession, staff_page
from peduli.auth.actor import Actor, Role
from peduli.auth.pages.staff import to_sign_in
from peduli.auth.roles import PARTNER_MANAGERS, PARTNERS
from peduli.cases import taxonomy
from peduli.core.db import utcnow
from peduli.core.errors import FieldProblem, PeduliError, ValidationFailed
from peduli.core.i18n import _
from peduli.partners import consultations, partner_work, service
from peduli.partners.models import DelegationStatus, PartnerKind
from peduli.partners.partner_api import case_view
from peduli.partners.schemas import ConsultationCreate
from peduli.reference import places
from peduli.reference.profile import get_profile
from peduli.web.desk import Staff
from peduli.web.forms import all_but_not_found, only, run_form
from peduli.web.i18n import negotiate
from peduli.web.rendering import render

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


def refused_context(failure: PeduliError | None, form: dict[str, str] | None) -> dict[str, Any]:
    """What a page shows after a refused form: field problems next to their fields, any
    other refusal above the form, and what the reader had typed."""
    problems = (
        {p.field: p for p in failure.problems} if isinstance(failure, ValidationFailed) else {}
    )
    return {
        "failure": failure if failure and not problems else None,
        "problems": problems,
        "form": form or {},
    }


def _helpers(request: Request) -> dict[str, Any]:
    language = negotiate(request)
    tax = taxonomy.load()
    profile = get_profile()

    def category_label(code: str) -> str:
        found = tax.get(code)
        return found.label(language) if found else code

    def province_name(code: str | None) -> str:
        return (profile.home_province_name(code) or code or "") if code else ""

    def post_name(code: str | None) -> str:
        found = places.representation_by_code(code)
        return found.name if found else (code or "")

    return {
        "category_label": category_label,
        "province_name": province_name,
        "post_name": post_name,
        "country_name": lambda code: places.country_name(code, language),
        "categories": [(c.code, c.label(language)) for c in tax.categories.values()],
    }


def _page(
    request: Request, name: str, staff: Actor, context: dict[str, Any], *, status_code: int = 200
) -> HTMLResponse:
    return render(
        request, name, {"staff": staff, **_helpers(request), **context}, status_code=status_code
    )


@router.get("/partner", response_class=HTMLResponse, dependencies=[staff_page(PARTNERS)])
def partner_queue(
    request: Request,
    db: DbSession,
    staff: Staff,
    done: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    """Cases delegated to my organisation, nearest deadline first."""
    if staff is None:
        return to_sign_in(request)
    total, rows = partner_work.queue(db, actor=staff, limit=partner_work.MAX_PAGE)
    partner = service.my_partner(db, actor=staff).partner
    return _page(
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
    shown = partner_work.read_case(db, case_id=case_id, actor=staff)
    status = DelegationStatus(shown.delegated.delegation.status)
    return _page(
        request,
        "partners/case.html",
        staff,
        {
            "view": case_view(shown),
            "partner": shown.delegated.partner,
            "can_answer": status == DelegationStatus.SENT,
            "can_finish": status in (DelegationStatus.ACCEPTED, DelegationStatus.ESCALATED),
            "can_resume": status == DelegationStatus.ESCALATED,
            "can_escalate": status in (DelegationStatus.SENT, DelegationStatus.ACCEPTED),
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
    staff: Staff,
    done: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    """A delegated case: what the task needs to know, the shared timeline and the actions."""
    if staff is None:
        return to_sign_in(request)
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
    request: Request, case_id: uuid.UUID, db: DbSession, staff: Staff, text: LongText = ""
) -> Response:
    """Add a note to the timeline."""
    if staff is None:
        return to_sign_in(request)

    def act() -> None:
        _required("text", text)
        partner_work.add_note(db, case_id=case_id, actor=staff, text=text.strip())

    return _after(request, db, staff, case_id, "note", {"text": text}, act)


@router.post("/partner/cases/{case_id}/ask", dependencies=[staff_page(PARTNERS)])
def ask_citizen(
    request: Request, case_id: uuid.UUID, db: DbSession, staff: Staff, message: LongText = ""
) -> Response:
    """Send the citizen a question through the platform."""
    if staff is None:
        return to_sign_in(request)

    def act() -> None:
        _required("message", message, 10)
        partner_work.ask_citizen(db, case_id=case_id, actor=staff, message=message.strip()[:1000])

    return _after(request, db, staff, case_id, "asked", {"message": message}, act)


@router.post("/partner/cases/{case_id}/status", dependencies=[staff_page(PARTNERS)])
def change_status(
    request: Request,
    case_id: uuid.UUID,
    db: DbSession,
    staff: Staff,
    status: ShortText = "",
    note: LongText = "",
) -> Response:
    """Accept, decline, resume or report the task done."""
    if staff is None:
        return to_sign_in(request)
    choices = {s.value for s in (DelegationStatus.ACCEPTED, DelegationStatus.DECLINED,
                                 DelegationStatus.DONE)}  # fmt: skip
    if status not in choices:
        return RedirectResponse(f"/partner/cases/{case_id}", status_code=303)

    def act() -> None:
        partner_work.change_status(
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
    request: Request, case_id: uuid.UUID, db: DbSession, staff: Staff, reason: LongText = ""
) -> Response:
    """Hand the case back to the representation, saying why."""
    if staff is None:
        return to_sign_in(request)

    def act() -> None:
        _required("reason", reason, 10)
        partner_work.escalate(db, case_id=case_id, actor=staff, reason=reason.strip())

    return _after(request, db, staff, case_id, "escalated", {"reason": reason}, act)


@router.get(
    "/partner/consultations/new", response_class=HTMLResponse, dependencies=[staff_page(PARTNERS)]
)
def consultation_form(request: Request, db: DbSession, staff: Staff) -> Response:
    """Pass on a consultation: it becomes a case delegated back to us."""
    if staff is None:
        return to_sign_in(request)
    partner = service.my_partner(db, actor=staff).partner
    return _page(
        request, "partners/consultation.html", staff,
        {"partner": partner, "form": {}, "problems": {}},
    )  # fmt: skip


@router.post(
    "/partner/consultations/new", response_class=HTMLResponse, dependencies=[staff_page(PARTNERS)]
)
def pass_on_consultation(
    request: Request,
    db: DbSession,
    staff: Staff,
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
    if staff is None:
        return to_sign_in(request)
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
    return _page(
        request, "partners/consultation.html", staff,
        {"partner": partner, "form": form, "problems": problems}, status_code=422,
    )  # fmt: skip


@router.get(
    "/officer/partners", response_class=HTMLResponse, dependencies=[staff_page(PARTNER_MANAGERS)]
)
def officer_partner_list(
    request: Request,
    db: DbSession,
    staff: Staff,
    home_province: Annotated[str, Query(max_length=2)] = "",
    show: Annotated[str, Query(max_length=10)] = "active",
    representation: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    """The community partners of my representation (HQ: of any, with a filter)."""
    if staff is None:
        return to_sign_in(request)
    hq = staff.role == Role.HQ_ADMIN
    filters = service.PartnerFilters(
        representation_code=(representation or None) if hq else None,
        active=None if show == "all" else True,
        home_province=home_province or None,
    )
    total, rows = service.list_partners(db, actor=staff, filters=filters, limit=service.MAX_PAGE)
    profile = get_profile()
    provinces = sorted(
        ((code, profile.home_province_name(code) or code) for code in _province_codes()),
        key=lambda pair: pair[1],
    )
    return _page(
        request,
        "partners/officer_list.html",
        staff,
        {
            "rows": rows,
            "total": total,
            "hq": hq,
            "provinces": provinces,
            "params": {
                "home_province": home_province,
                "show": show,
                "representation": representation,
            },
            "kinds": {k.value for k in PartnerKind},
        },
    )


def _province_codes() -> list[str]:
    profile = get_profile()
    return [f"{n:02d}" for n in range(11, 100) if profile.home_province_name(f"{n:02d}")]
