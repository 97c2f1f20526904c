"""My stays: the citizen's stays, their updates and departures, corrections, contacts and data."""

from __future__ import annotations

import json
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from peduli.api.deps import OWN, CurrentActor, DbSession, OptionalActor
from peduli.auth.actor import Actor
from peduli.auth.pages.citizen import sign_in_url
from peduli.core.downloads import download_headers
from peduli.core.errors import FieldProblem, ValidationFailed
from peduli.core.i18n import _
from peduli.reference.places import (
    country_choices,
    country_name,
    hotline_of,
    representation_by_code,
)
from peduli.registry import claims, contacts, corrections, rights, service, stays
from peduli.registry.models import ClaimStatus, Stay
from peduli.registry.pages.citizen import forms
from peduli.registry.pages.citizen.common import MINE, Draft, is_citizen, own_stay
from peduli.web import i18n
from peduli.web.forms import only, run_form
from peduli.web.rendering import render

router = APIRouter(include_in_schema=False)


# A correction request's length (as the API's DataRequestCreate), and how many are listed.
CORRECTION_LENGTH = (5, 2000)
CORRECTIONS_SHOWN = 20


def _stay_rows(stays: list[Stay], language: str) -> list[dict[str, Any]]:
    rows = []
    for stay in stays:
        representation = representation_by_code(stay.representation_code)
        rows.append(
            {
                "stay": stay,
                "country_label": country_name(stay.country, language),
                "representation": representation,
                "hotline": hotline_of(representation),
            }
        )
    return rows


def _my_stays_page(
    request: Request,
    db: Session,
    actor: Actor,
    *,
    problem_stay: uuid.UUID | None = None,
    problems: dict[str, FieldProblem] | None = None,
    departed_on: str = "",
    correction: str = "",
    contact_value: str = "",
    contact_code: str = "",
    contact_problem: FieldProblem | None = None,
) -> HTMLResponse:
    view = service.own_person_view(db, actor=actor) if actor.person_id else None
    return render(
        request,
        "citizen/my_stays.html",
        {
            "signed_in": True,
            "person": view.person if view else None,
            "rows": _stay_rows(view.stays, i18n.negotiate(request)) if view else [],
            "done": request.query_params.get("done", ""),
            "pending_claims": [
                c for c in claims.own_claims(db, actor=actor) if c.status == ClaimStatus.PENDING
            ],
            "problem_stay": problem_stay,
            "problems": problems or {},
            "departed_on": departed_on,
            "correction": correction,
            "requests": corrections.own_requests(db, person_id=view.person.id)[:CORRECTIONS_SHOWN]
            if view
            else [],
            "untrusted": contacts.untrusted_of(db, actor=actor),
            "contact_value": contact_value,
            "contact_code": contact_code,
            "contact_problem": contact_problem,
        },
        status_code=422 if problems or contact_problem else 200,
    )


@router.get(MINE, response_class=HTMLResponse, dependencies=[OWN])
def my_stays(request: Request, db: DbSession, actor: OptionalActor) -> Response:
    """The citizen's stays, who serves each, and what they can do with them."""
    if actor is None or not is_citizen(actor):
        return RedirectResponse(sign_in_url(MINE), status_code=303)
    return _my_stays_page(request, db, actor)


def _update_page(
    request: Request,
    stay: Stay,
    values: dict[str, str],
    problems: dict[str, FieldProblem],
) -> HTMLResponse:
    language = i18n.negotiate(request)
    return render(
        request,
        "citizen/stay_update.html",
        {
            "signed_in": True,
            "stay": stay,
            "values": values,
            "problems": problems,
            "order": forms.STAY_FIELDS,
            "choices": country_choices(language),
            "picker_form": "stay-form",
        },
        status_code=422 if problems else 200,
    )


def _stay_values(stay: Stay) -> dict[str, str]:
    """A stay as the update form shows it.

    A position taken from the city's centre is not one the citizen gave: the coordinate
    fields stay empty for them to fill.
    """
    hidden = {"latitude", "longitude"} if stay.position_approximate else set()
    return {
        name: "" if getattr(stay, name) is None or name in hidden else str(getattr(stay, name))
        for name in forms.STAY_FIELDS
    }


@router.get(MINE + "/tinggal/{stay_id}/ubah", response_class=HTMLResponse, dependencies=[OWN])
def stay_update_form(
    request: Request, stay_id: uuid.UUID, db: DbSession, actor: CurrentActor
) -> HTMLResponse:
    """The form to change where and why the citizen stays."""
    stay = own_stay(db, actor, stay_id)
    return _update_page(request, stay, _stay_values(stay), {})


@router.post(MINE + "/tinggal/{stay_id}/ubah", response_class=HTMLResponse, dependencies=[OWN])
def stay_update(
    request: Request, stay_id: uuid.UUID, db: DbSession, actor: CurrentActor, draft: Draft
) -> Response:
    """Save the change (a move to another city or country re-decides the representation), or
    show the form again as typed in the language the picker chose."""
    stay = own_stay(db, actor, stay_id)
    if draft.get("go") == "language":
        # The language picker sent the form: the same form, as typed, in the chosen language.
        chosen = i18n.choose(request, draft.get("lang"))
        typed = {name: draft.get(name, "") for name in forms.STAY_FIELDS}
        page = _update_page(request, stay, typed, {})
        if chosen:
            i18n.remember(page, chosen)
        return page
    before = _stay_values(stay)
    if (draft.get("country"), draft.get("city")) != (before["country"], before["city"]):
        # Coordinates left from the old place would contradict the new one.
        for name in ("latitude", "longitude"):
            if draft.get(name) == before[name]:
                draft[name] = ""
    changes, problems = forms.check_stay_update(draft)
    if changes is None:
        return _update_page(request, stay, draft, problems)
    return run_form(
        db,
        lambda: stays.update_stay(db, stay_id=stay_id, changes=changes, actor=actor),
        done=f"{MINE}?done=updated",
        refused=lambda refusal: _update_page(request, stay, draft, refusal.problems),
        refuses=only(ValidationFailed),
    )


@router.post(MINE + "/tinggal/{stay_id}/pulang", response_class=HTMLResponse, dependencies=[OWN])
def stay_departure(
    request: Request, stay_id: uuid.UUID, db: DbSession, actor: CurrentActor, draft: Draft
) -> Response:
    """Record that the citizen has left the country of this stay."""
    own_stay(db, actor, stay_id)
    text = draft.get("departed_on", "")
    departed_on, problem = forms.check_departure(text)

    def refused(problem: FieldProblem) -> HTMLResponse:
        return _my_stays_page(
            request,
            db,
            actor,
            problem_stay=stay_id,
            problems={"departed_on": problem},
            departed_on=text,
        )

    if problem is not None:
        return refused(problem)
    assert departed_on is not None  # check_departure gives a day or a problem
    return run_form(
        db,
        lambda: stays.report_departure(db, stay_id=stay_id, departed_on=departed_on, actor=actor),
        done=f"{MINE}?done=departed",
        refused=lambda refusal: refused(refusal.error.problems[0]),
        refuses=only(ValidationFailed),
    )


@router.post(MINE + "/koreksi", response_class=HTMLResponse, dependencies=[OWN])
def ask_correction(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    correction: Annotated[str, Form(max_length=8000)] = "",
) -> Response:
    """Ask the representation to correct the record; a refused request keeps its text."""
    text = correction.strip()
    if not CORRECTION_LENGTH[0] <= len(text) <= CORRECTION_LENGTH[1]:
        problem = FieldProblem(
            "correction",
            "correction_length",
            _("Say what is wrong and what is right, in {low} to {high} characters.").format(
                low=CORRECTION_LENGTH[0], high=CORRECTION_LENGTH[1]
            ),
        )
        return _my_stays_page(
            request,
            db,
            actor,
            problems={"correction": problem},
            correction=correction,
        )
    rights.request_correction(db, actor=actor, message=text)
    return RedirectResponse(f"{MINE}?done=correction", status_code=303)


@router.post(MINE + "/kontak/kode", response_class=HTMLResponse, dependencies=[OWN])
def contact_send_code(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    value: Annotated[str, Form(max_length=254)] = "",
) -> Response:
    """Send a code to one of the citizen's unconfirmed phones or emails."""
    contacts.send_code(db, actor=actor, value=value)
    return _my_stays_page(request, db, actor, contact_value=value)


@router.post(MINE + "/kontak", response_class=HTMLResponse, dependencies=[OWN])
def contact_confirm(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    value: Annotated[str, Form(max_length=254)] = "",
    code: Annotated[str, Form(max_length=12)] = "",
) -> Response:
    """The code came back: the contact is trusted and receives messages."""
    return run_form(
        db,
        lambda: contacts.confirm(db, actor=actor, value=value, code=code),
        done=f"{MINE}?done=contact_confirmed",
        refused=lambda refusal: _my_stays_page(
            request,
            db,
            actor,
            contact_value=value,
            contact_code=code,
            contact_problem=refusal.error.problems[0],
        ),
        refuses=only(ValidationFailed),
    )


@router.post(MINE + "/data", dependencies=[OWN])
def my_data(db: DbSession, actor: CurrentActor) -> Response:
    """Download everything the registry holds on the citizen, as JSON (UU PDP)."""
    document = rights.export_own_data(db, actor=actor)
    return Response(
        json.dumps(document, ensure_ascii=False, indent=2),
        media_type="application/json",
        headers=download_headers("peduli-my-data.json"),
    )
