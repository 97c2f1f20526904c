"""The citizen's SOS page: one small form that works with plain HTTP and no JavaScript.

A tiny script (``static/emergency/sos.js``) only adds "use my location" where the browser
allows it; without it the citizen picks the country and types the city. The answer is one
page (no redirect, one round trip on a poor connection) saying what happens next and
giving the representation's hotline.
"""

from __future__ import annotations

from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError
from sqlalchemy.orm import Session

from peduli.api.deps import PUBLIC, ClientIp, DbSession, OptionalActor
from peduli.auth.actor import Actor, Role
from peduli.core.errors import FieldProblem, PeduliError, TooManyRequests, ValidationFailed
from peduli.emergency import reports, service
from peduli.emergency.models import EmergencyKind
from peduli.emergency.schemas import EmergencyCreate
from peduli.reference.places import country_choices, directory, hotline_of
from peduli.reference.representations import Representation
from peduli.web import i18n
from peduli.web.forms import Refusal, only, run_form
from peduli.web.rendering import anonymous_csrf_ok, render

router = APIRouter(include_in_schema=False, dependencies=[PUBLIC])

SOS = "/sos"
FIELDS = ("name", "country", "city", "kind", "details", "phone", "whatsapp")
LIMITS = {"name": 200, "country": 2, "city": 120, "kind": 16, "details": 2000, "phone": 32,
          "whatsapp": 32, "latitude": 20, "longitude": 20}  # fmt: skip


def _citizen(actor: Actor | None) -> Actor | None:
    return actor if actor is not None and actor.role == Role.CITIZEN else None


def _page(
    request: Request,
    *,
    values: dict[str, str],
    problems: dict[str, FieldProblem],
    citizen: Actor | None,
    failure: PeduliError | None = None,
    status_code: int = 200,
    representation: Representation | None = None,
) -> HTMLResponse:
    return render(
        request,
        "emergency/sos.html",
        {
            "signed_in": citizen is not None,
            "values": values,
            "problems": problems,
            "order": FIELDS,
            "choices": country_choices(i18n.negotiate(request)),
            "kinds": [k.value for k in EmergencyKind],
            "failure": failure,
            "representation": representation,
            "hotline": hotline_of(representation),
        },
        status_code=status_code,
    )


@router.get(SOS, response_class=HTMLResponse)
def sos_form(request: Request, db: DbSession, actor: OptionalActor) -> HTMLResponse:
    """The SOS form (name prefilled for a signed-in citizen with a record)."""
    citizen = _citizen(actor)
    name = service.citizen_name(db, citizen) or ""
    return _page(request, values={"name": name}, problems={}, citizen=citizen)


async def _posted(request: Request) -> dict[str, str]:
    form = await request.form()
    return {
        key: value.strip()[:limit]
        for key, limit in {**LIMITS, "csrf_token": 200}.items()
        if isinstance(value := form.get(key), str)
    }


def _body(
    values: dict[str, str], *, need_name: bool
) -> tuple[EmergencyCreate | None, dict[str, FieldProblem]]:
    """The form as the API body; a value the API would refuse is a problem on its field."""
    raw: dict[str, Any] = {k: values.get(k) or None for k in FIELDS}
    for key in ("latitude", "longitude"):
        try:
            raw[key] = float(values[key]) if values.get(key) else None
        except ValueError:
            raw[key] = None  # a broken location from the script: the country decides
    try:
        return EmergencyCreate.model_validate(raw), {}
    except ValidationError as error:
        problems = {}
        for item in error.errors():
            field = str(item["loc"][0]) if item["loc"] else "form"
            if field in ("latitude", "longitude"):
                continue
            code = "form.choice" if field == "kind" else "form.too_long"
            if field == "kind" and not values.get("kind"):
                code = "form.required"
            problems[field] = FieldProblem(field, code, "")
        if problems:
            # Name the other fields' problems too, so one round trip shows them all.
            rest = {**raw, "kind": EmergencyKind.OTHER.value, "latitude": None, "longitude": None}
            rest.update({name: None for name in problems if name != "kind"})
            for problem in reports.problems_of(
                EmergencyCreate.model_validate(rest), need_name=need_name
            ):
                problems.setdefault(problem.field, problem)
            return None, problems
        raw["latitude"] = raw["longitude"] = None
        return EmergencyCreate.model_validate(raw), {}


@router.post(SOS, response_class=HTMLResponse)
async def sos_send(request: Request, db: DbSession, actor: OptionalActor, ip: ClientIp) -> Response:
    """Send the SOS: a critical case and the officer on duty alerted, or the problems inline."""
    values = await _posted(request)
    citizen = _citizen(actor)
    if citizen is None and not anonymous_csrf_ok(request, values.get("csrf_token")):
        expired = {"csrf_token": FieldProblem("csrf_token", "form.expired", "")}
        return _page(request, values=values, problems=expired, citizen=None, status_code=403)
    need_name = citizen is None or citizen.person_id is None
    body, problems = _body(values, need_name=need_name)
    if body is None:
        return _page(request, values=values, problems=problems, citizen=citizen, status_code=422)
    return _send(request, db, body, values, citizen, ip)


def _send(
    request: Request,
    db: Session,
    body: EmergencyCreate,
    values: dict[str, str],
    citizen: Actor | None,
    ip: str,
) -> Response:

    def refused(refusal: Refusal) -> HTMLResponse:
        error = refusal.error
        if not isinstance(error, TooManyRequests):
            return _page(request, values=values, problems=refusal.problems, citizen=citizen,
                         status_code=422)  # fmt: skip
        # Refused a new SOS: still give the number to call (where we know the place).
        place = (body.country or "").upper()
        post = directory().resolve(country=place, city=body.city) if place else None
        page = _page(request, values=values, problems={}, citizen=citizen, failure=error,
                     status_code=429, representation=post)  # fmt: skip
        page.headers["Retry-After"] = str(error.retry_after_seconds)
        return page

    return run_form(
        db,
        lambda: service.report_emergency(
            db, data=body, actor=citizen, ip=ip, language=i18n.negotiate(request)
        ),
        done=lambda outcome: _sent(
            request,
            outcome.representation,
            outcome.emergency.case_reference,
            repeat=outcome.repeat,
            signed_in=citizen is not None,
        ),
        refused=refused,
        refuses=only(ValidationFailed, TooManyRequests),
    )


def _sent(
    request: Request, representation: Representation, reference: str, *, repeat: bool,
    signed_in: bool,
) -> HTMLResponse:  # fmt: skip
    return render(
        request,
        "emergency/sos_sent.html",
        {
            "signed_in": signed_in,
            "reference": reference,
            "repeat": repeat,
            "representation": representation,
            "hotline": hotline_of(representation),
        },
    )
