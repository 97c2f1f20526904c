"""The citizen's crisis check-in at a personal link.

The page works without JavaScript and without an account: the signed link is the credential.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from peduli.api.deps import PUBLIC, DbSession
from peduli.core.errors import FieldProblem
from peduli.core.i18n import _
from peduli.crisis import checkins
from peduli.crisis.models import Answer
from peduli.web.i18n import LANGUAGE_COOKIE, LANGUAGES
from peduli.web.rendering import render

router = APIRouter(include_in_schema=False)


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
