"""Crisis pages: the citizen's check-in at a personal link, and the staff crisis board.

The check-in page works without JavaScript and without an account: the signed link is the
credential. The board refreshes itself with htmx polling, or with a meta refresh without JS.
"""

from __future__ import annotations

import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from peduli.api.deps import PUBLIC, DbSession, OptionalActor, staff_page
from peduli.auth.pages.staff import staff_or_none, to_sign_in
from peduli.auth.roles import CRISIS_VIEWERS, EVACUATION_LIST_READERS
from peduli.core.errors import FieldProblem, PeduliError
from peduli.core.i18n import _
from peduli.crisis import board, checkins, service
from peduli.crisis.models import Answer
from peduli.web.i18n import LANGUAGE_COOKIE, LANGUAGES
from peduli.web.rendering import render

router = APIRouter(include_in_schema=False)
BOARD_REFRESH_SECONDS = 10


def _number(raw: str | None, low: float, high: float) -> tuple[float | None, bool]:
    """A coordinate from a form field: (value, ok)."""
    if raw is None or not raw.strip():
        return None, True
    try:
        value = float(raw.replace(",", "."))
    except ValueError:
        return None, False
    return (value, True) if low <= value <= high else (None, False)


@router.get("/c/{token}", response_class=HTMLResponse, dependencies=[PUBLIC])
def checkin_page(request: Request, token: str, db: DbSession) -> Response:
    """The question "are you safe?" with two answers; in the recipient's language first."""
    view = checkins.view(db, token)
    chosen = request.query_params.get("lang") or request.cookies.get(LANGUAGE_COOKIE)
    if chosen not in LANGUAGES and view.recipient.language in LANGUAGES:
        return RedirectResponse(f"/c/{token}?lang={view.recipient.language}", status_code=303)
    return render(request, "crisis/checkin.html", _context(view, token), personal=True)


def _context(view: checkins.LinkView, token: str, **extra: Any) -> dict[str, Any]:
    return {
        "token": token,
        "crisis": view.crisis,
        "answer": view.recipient.answer,
        "values": {},
        "problems": {},
        "signed_in": False,
        "done": False,
        **extra,
    }


@router.post("/c/{token}", response_class=HTMLResponse, dependencies=[PUBLIC])
def checkin_submit(
    request: Request,
    token: str,
    db: DbSession,
    answer: Annotated[str, Form()] = "",
    place: Annotated[str, Form(max_length=200)] = "",
    note: Annotated[str, Form(max_length=2000)] = "",
    latitude: Annotated[str, Form(max_length=30)] = "",
    longitude: Annotated[str, Form(max_length=30)] = "",
) -> Response:
    """Record the answer from the form; the page then thanks and says what happens next."""
    view = checkins.view(db, token)
    lat, lat_ok = _number(latitude, -90, 90)
    lon, lon_ok = _number(longitude, -180, 180)
    problems: dict[str, FieldProblem] = {}
    if not lat_ok or (lat is None) != (lon is None):
        message = _("Give the latitude and the longitude, or neither.")
        problems["latitude"] = FieldProblem("latitude", "location", message)
    if not lon_ok:
        problems["longitude"] = FieldProblem("longitude", "form.number", "")
    if answer not in (Answer.SAFE.value, Answer.NEED_HELP.value):
        problems["answer"] = FieldProblem("answer", "form.choice", "")
    values = {"place": place, "note": note, "latitude": latitude, "longitude": longitude}
    if problems:
        context = _context(view, token, values=values, problems=problems)
        return render(request, "crisis/checkin.html", context, status_code=422)
    checkins.record(
        db,
        recipient_id=view.recipient.id,
        answer=Answer(answer),
        latitude=lat,
        longitude=lon,
        place=place.strip() or None,
        note=note.strip() or None,
        via="web",
    )
    return render(request, "crisis/checkin.html", _context(view, token, answer=answer, done=True))


@router.get(
    "/officer/crises", response_class=HTMLResponse, dependencies=[staff_page(CRISIS_VIEWERS)]
)
def crises_page(request: Request, db: DbSession, actor: OptionalActor) -> Response:
    """The crises staff follow, newest first."""
    staff = staff_or_none(actor)
    if staff is None:
        return to_sign_in(request)
    crises = service.list_crises(db, actor=staff)
    return render(request, "crisis/crises.html", {"staff": staff, "crises": crises})


def _board_context(db: DbSession, staff: Any, crisis_id: uuid.UUID) -> dict[str, Any]:
    crisis = service.get(db, crisis_id=crisis_id, actor=staff)
    return {
        "staff": staff,
        "crisis": crisis,
        "board": board.board(db, crisis_id=crisis_id, actor=staff),
        "refresh": BOARD_REFRESH_SECONDS,
        "may_export": staff.role in EVACUATION_LIST_READERS,
    }


@router.get(
    "/officer/crises/{crisis_id}",
    response_class=HTMLResponse,
    dependencies=[staff_page(CRISIS_VIEWERS)],
)
def board_page(
    request: Request, crisis_id: uuid.UUID, db: DbSession, actor: OptionalActor
) -> Response:
    """The live crisis board."""
    staff = staff_or_none(actor)
    if staff is None:
        return to_sign_in(request)
    return render(request, "crisis/board.html", _board_context(db, staff, crisis_id))


@router.get(
    "/officer/crises/{crisis_id}/board",
    response_class=HTMLResponse,
    dependencies=[staff_page(CRISIS_VIEWERS)],
)
def board_fragment(
    request: Request, crisis_id: uuid.UUID, db: DbSession, actor: OptionalActor
) -> Response:
    """The board's figures alone, for htmx polling; opened directly, the whole board page."""
    staff = staff_or_none(actor)
    if staff is None:
        raise PeduliError(
            _("Sign in again to see the board."), status=401, code="not_authenticated"
        )
    polled = request.headers.get("HX-Request") == "true"
    template = "crisis/_board.html" if polled else "crisis/board.html"
    return render(request, template, _board_context(db, staff, crisis_id))
