"""Citizens asking for help (with or without an account) and their list of requests.

Plain forms, mobile first, no JavaScript needed. The rules — routing to the post serving
where the citizen is, the rate limit, the contact-back check — are in ``cases.intake``;
this page reads the form, calls it and shows its problems next to the fields.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from peduli.api.deps import OWN, PUBLIC, ClientIp, DbSession, OptionalActor
from peduli.auth.actor import Actor, Role
from peduli.auth.pages.citizen import sign_in_url
from peduli.cases import intake
from peduli.cases.pages import common
from peduli.cases.schemas import HelpRequestCreate
from peduli.core.errors import FieldProblem, PeduliError, TooManyRequests
from peduli.core.i18n import _
from peduli.reference.places import country_choices, hotline_of, representation_by_code
from peduli.web import i18n
from peduli.web.forms import Refusal, run_form
from peduli.web.rendering import anonymous_csrf_ok, render

router = APIRouter(include_in_schema=False)

HELP = "/bantuan"
MY_REQUESTS = "/saya/permintaan"
FIELDS = ("category", "summary", "country", "city", "name", "contact_phone", "contact_email")
Short = Annotated[str, Form(max_length=320)]
# Pydantic's complaint types, as the codes the citizen forms word.
_FORM_CODES = {
    "form.missing": "form.required",
    "form.string_too_short": "form.required",
    "form.string_too_long": "form.too_long",
}


def _citizen(actor: Actor | None) -> Actor | None:
    return actor if actor is not None and actor.role == Role.CITIZEN else None


def _form_page(
    request: Request,
    citizen: Actor | None,
    form: dict[str, str],
    *,
    problems: dict[str, FieldProblem] | None = None,
    failure: PeduliError | None = None,
    retry_minutes: int | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    language = i18n.negotiate(request)
    return render(
        request,
        "cases/pages/help.html",
        {
            "signed_in": citizen is not None,
            "form": form,
            "problems": problems or {},
            "failure": failure,
            "retry_minutes": retry_minutes,
            "categories": common.category_choices(language),
            "countries": country_choices(language),
            "order": FIELDS,
        },
        status_code=status_code,
    )


@router.get(HELP, response_class=HTMLResponse, dependencies=[PUBLIC])
def help_form(request: Request, actor: OptionalActor) -> HTMLResponse:
    """Ask the representation for help: what happened, where, how to reach you."""
    return _form_page(request, _citizen(actor), {})


def _problems(raw: dict[str, FieldProblem]) -> dict[str, FieldProblem]:
    problems = {}
    for field, problem in raw.items():
        if field == "contact_email" and problem.code == "form.value_error":
            problem = FieldProblem(
                field,
                "invalid_email",
                _("This is not an email address."),
                _("Write it as name@example.org, or leave it empty and give a phone number."),
            )
        elif problem.code in _FORM_CODES:
            problem = FieldProblem(field, _FORM_CODES[problem.code], "")
        elif problem.code.startswith("form."):
            problem = FieldProblem(field, "form.check", "")
        problems[field] = problem
    return problems


@router.post(HELP, response_class=HTMLResponse, dependencies=[PUBLIC])
def send_help_request(
    request: Request,
    db: DbSession,
    actor: OptionalActor,
    ip: ClientIp,
    category: Short = "",
    summary: Annotated[str, Form(max_length=5000)] = "",
    country: Short = "",
    city: Short = "",
    name: Short = "",
    contact_phone: Short = "",
    contact_email: Short = "",
    danger_to_life: Short = "",
    death_penalty: Short = "",
    csrf_token: Short = "",
) -> Response:
    """Send the request; the confirmation shows its reference and whom to call."""
    citizen = _citizen(actor)
    form = {
        "category": category,
        "summary": summary,
        "country": country,
        "city": city,
        "name": name,
        "contact_phone": contact_phone,
        "contact_email": contact_email,
        "danger_to_life": danger_to_life,
        "death_penalty": death_penalty,
    }
    if actor is None and not anonymous_csrf_ok(request, csrf_token):
        expired = {"form": FieldProblem("form", "form.expired", "")}
        return _form_page(request, citizen, form, problems=expired, status_code=403)
    values = common.blank_to_none({k: v for k, v in form.items() if k in FIELDS})
    body, problems = common.checked(
        HelpRequestCreate,
        {
            **values,
            "country": (country.strip().upper() or None),
            "danger_to_life": danger_to_life == "yes",
            "death_penalty": death_penalty == "yes",
        },
    )
    if body is None:
        return _form_page(request, citizen, form, problems=_problems(problems), status_code=422)
    return run_form(
        db,
        lambda: intake.submit_help_request(db, data=body, actor=actor, ip=ip),
        done=lambda sent: _help_sent(request, citizen, sent),
        refused=lambda refusal: _help_refused(request, citizen, form, refusal),
    )


def _help_refused(
    request: Request, citizen: Actor | None, form: dict[str, str], refusal: Refusal
) -> HTMLResponse:
    """The form again: too many requests say when to try again, others say what to fix."""
    error = refusal.error
    if isinstance(error, TooManyRequests):
        minutes = max(1, -(-error.retry_after_seconds // 60))
        page = _form_page(
            request, citizen, form, failure=error, retry_minutes=minutes, status_code=429
        )
        page.headers["Retry-After"] = str(error.retry_after_seconds)
        return page
    return _form_page(
        request, citizen, form, problems=refusal.problems, failure=refusal.failure,
        status_code=refusal.status,
    )  # fmt: skip


def _help_sent(
    request: Request, citizen: Actor | None, sent: intake.HelpRequestOutcome
) -> HTMLResponse:
    """The confirmation: the request's reference and whom to call."""
    representation = representation_by_code(sent.representation.code)
    return render(
        request,
        "cases/pages/help_sent.html",
        {
            "signed_in": citizen is not None,
            "reference": sent.case.reference,
            "representation": representation,
            "hotline": hotline_of(representation),
        },
    )


@router.get(MY_REQUESTS, response_class=HTMLResponse, dependencies=[OWN])
def my_requests(request: Request, db: DbSession, actor: OptionalActor) -> Response:
    """My requests for help: where each stands and what the officers told me."""
    citizen = _citizen(actor)
    if citizen is None:
        return RedirectResponse(sign_in_url(MY_REQUESTS), status_code=303)
    language = i18n.negotiate(request)
    requests = intake.my_help_requests(db, actor=citizen)
    return render(
        request,
        "cases/pages/my_requests.html",
        {
            "signed_in": True,
            "requests": requests,
            "category_name": lambda code: common.category_name(code, language),
            "post_name": lambda code: representation_by_code(code) or None,
        },
    )
