"""Officers' emergency pages: open emergencies with an acknowledge button, the hotline-call
form, and the duty roster of their representation (supervisors edit it). HQ sees every
unacknowledged emergency. Plain forms; every rule is in the services.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from pydantic import ValidationError

from peduli.api.deps import DbSession, staff_page
from peduli.auth.actor import Actor
from peduli.auth.roles import EMERGENCY_READERS, EMERGENCY_RESPONDERS, HQ_ROLES, ROSTER_EDITORS
from peduli.core.db import utcnow
from peduli.core.errors import FieldProblem, ValidationFailed
from peduli.core.i18n import LANGUAGES, language_name
from peduli.emergency import roster, service, texts, workflow
from peduli.emergency.models import EmergencyKind
from peduli.emergency.schemas import HotlineCallCreate
from peduli.reference.places import country_choices, directory
from peduli.web import desk, i18n
from peduli.web.desk import SignedIn
from peduli.web.forms import only, run_form
from peduli.web.rendering import render

router = APIRouter(include_in_schema=False)

LIST = "/officer/emergencies"
NEW = "/officer/emergencies/new"
ROSTER = "/officer/roster"
CASES = "/officer/cases"
CALL_FIELDS = (
    "name", "country", "city", "kind", "details", "phone", "whatsapp", "language", "call_notes",
)  # fmt: skip


def _page(
    request: Request, name: str, staff: Actor, context: dict[str, Any], *, status_code: int = 200
) -> HTMLResponse:
    return render(request, name, {"staff": staff, **context}, status_code=status_code)


def _helpers(request: Request) -> dict[str, Any]:
    """What the emergency templates name things with, in the reader's language."""
    language = i18n.negotiate(request)
    return {
        "kind_name": lambda kind: texts.kind_name(kind, language),
        "language_name": lambda code: language_name(code, language),
        "place_of": lambda caller: texts.place(caller, language),
    }


@router.get(LIST, response_class=HTMLResponse, dependencies=[staff_page(EMERGENCY_READERS)])
def emergencies(request: Request, db: DbSession, staff: SignedIn) -> Response:
    """Open emergencies of my representation (HQ: all unacknowledged), newest first, with
    the person to call back (name, phone, place, language) for those who answer them."""
    total, rows = service.list_emergencies(db, actor=staff, open_only=True, limit=200)
    callers = service.callers_of(db, actor=staff, emergencies=rows)
    return desk.page(request, "emergency/officer_list.html", staff, {
        "emergencies": rows, "total": total, "state_of": workflow.state_of,
        "callers": callers, "is_hq": staff.role in HQ_ROLES,
        "can_acknowledge": staff.role in EMERGENCY_RESPONDERS,
        "done": request.query_params.get("done"), **_helpers(request),
    })  # fmt: skip


@router.post(LIST + "/{emergency_id}/acknowledge", dependencies=[staff_page(EMERGENCY_RESPONDERS)])
def acknowledge(emergency_id: uuid.UUID, db: DbSession, staff: SignedIn) -> Response:
    """Acknowledge (from the list or the screen): the case is the officer's; open it."""
    taken = service.acknowledge(db, emergency_id=emergency_id, actor=staff)
    return RedirectResponse(f"{CASES}/{taken.case_id}?done=acknowledged", status_code=303)


def _call_page(
    request: Request,
    staff: Actor,
    values: dict[str, str],
    problems: dict[str, FieldProblem],
    *,
    status_code: int = 200,
    created: service.Reported | None = None,
) -> HTMLResponse:
    return _page(request, "emergency/officer_call.html", staff, {
        "values": values, "problems": problems, "order": CALL_FIELDS,
        "choices": country_choices(i18n.negotiate(request)),
        "caller_languages": [(code, language_name(code, i18n.negotiate(request)))
                      for code in LANGUAGES],
        "kinds": [k.value for k in EmergencyKind], "created": created,
    }, status_code=status_code)  # fmt: skip


@router.get(NEW, response_class=HTMLResponse, dependencies=[staff_page(EMERGENCY_RESPONDERS)])
def call_form(request: Request, staff: SignedIn) -> Response:
    """The hotline-call form."""
    return _call_page(request, staff, {}, {})


@router.post(NEW, response_class=HTMLResponse, dependencies=[staff_page(EMERGENCY_RESPONDERS)])
async def record_call(request: Request, db: DbSession, staff: SignedIn) -> Response:
    """Record the call: a critical case, the call on its timeline, the duty officer alerted."""
    form = await request.form()
    values = {k: v.strip()[:5000] for k in CALL_FIELDS if isinstance(v := form.get(k), str)}
    try:
        body = HotlineCallCreate.model_validate({k: values.get(k) or None for k in CALL_FIELDS})
    except ValidationError as error:
        problems = {
            str(e["loc"][0]): FieldProblem(str(e["loc"][0]), "form.required", "")
            for e in error.errors()
            if e["loc"]
        }
        return _call_page(request, staff, values, problems, status_code=422)
    return run_form(
        db,
        lambda: service.record_hotline_call(db, data=body, actor=staff),
        done=lambda created: _call_page(request, staff, {}, {}, created=created, status_code=201),
        refused=lambda refusal: _call_page(
            request, staff, values, refusal.problems, status_code=422
        ),
        refuses=only(ValidationFailed),
    )


@router.get(
    LIST + "/{emergency_id}", response_class=HTMLResponse,
    dependencies=[staff_page(EMERGENCY_RESPONDERS)],
)  # fmt: skip
def emergency_screen(
    request: Request, emergency_id: uuid.UUID, db: DbSession, staff: SignedIn
) -> Response:
    """The acknowledge screen: who to call back and where, and the button that takes it on
    (declared after ``NEW``, which its path would otherwise swallow)."""
    view = service.read_emergency(db, emergency_id=emergency_id, actor=staff)
    return desk.page(request, "emergency/officer_emergency.html", staff, {
        "view": view, "e": view.emergency, "caller": view.caller,
        "state": workflow.state_of(view.emergency), **_helpers(request),
    })  # fmt: skip


def _roster_code(staff: Actor, request: Request) -> str | None:
    if staff.representation_code:
        return staff.representation_code
    asked = request.query_params.get("representation") or ""
    if asked == roster.HQ_DESK:
        return asked
    return asked if any(r.code == asked for r in directory().all()) else None


def _roster_page(
    request: Request,
    db: DbSession,
    staff: Actor,
    code: str | None,
    problems: dict[str, FieldProblem],
    values: dict[str, str],
    *,
    status_code: int = 200,
) -> HTMLResponse:
    context: dict[str, Any] = {
        "code": code,
        "problems": problems,
        "values": values,
        "posts": sorted(((r.code, r.name) for r in directory().all()), key=lambda p: p[1]),
        "hq_code": roster.HQ_DESK,
        "hq_desk": code == roster.HQ_DESK,
    }
    if code is not None:
        now = utcnow()
        shifts = roster.list_shifts(
            db,
            representation_code=code,
            actor=staff,
            start=now - timedelta(days=1),
            end=now + timedelta(days=14),
        )
        zone = roster.zone_of(code)
        context.update({
            "shifts": shifts, "now": now, "zone": zone.key,
            "now_local": roster.to_local(now, zone),
            "on_duty": roster.on_duty(db, representation_code=code, now=now),
            "can_edit": staff.role in ROSTER_EDITORS,
            "members": [(str(i), n) for i, n in roster.post_staff(db, representation_code=code)],
        })  # fmt: skip
    return _page(request, "emergency/roster.html", staff, context, status_code=status_code)


@router.get(ROSTER, response_class=HTMLResponse, dependencies=[staff_page(EMERGENCY_READERS)])
def roster_page(request: Request, db: DbSession, staff: SignedIn) -> Response:
    """The roster of my representation: who is on duty now and the next two weeks."""
    return _roster_page(request, db, staff, _roster_code(staff, request), {}, {})


def _local(day: str, at: str) -> datetime | None:
    try:
        return datetime.fromisoformat(f"{day}T{at}")
    except ValueError:
        return None


@router.post(ROSTER, response_class=HTMLResponse, dependencies=[staff_page(ROSTER_EDITORS)])
async def add_shift(request: Request, db: DbSession, staff: SignedIn) -> Response:
    """Add a shift: a date, a start and an end time (an end before the start is next day)."""
    form = await request.form()
    values = {k: v.strip()[:100] for k in ("account_id", "day", "start", "end", "rank", "phone",
              "representation") if isinstance(v := form.get(k), str)}  # fmt: skip
    code = staff.representation_code or values.get("representation") or None
    starts = _local(values.get("day", ""), values.get("start", ""))
    ends = _local(values.get("day", ""), values.get("end", ""))
    problems: dict[str, FieldProblem] = {}
    if starts is None:
        problems["day"] = FieldProblem("day", "form.date", "")
    if ends is None:
        problems["end"] = FieldProblem("end", "form.required", "")
    try:
        account_id = uuid.UUID(values.get("account_id", ""))
    except ValueError:
        problems["account_id"] = FieldProblem("account_id", "form.choice", "")
    rank = values.get("rank", "0")
    if problems or code is None or starts is None or ends is None:
        return _roster_page(request, db, staff, code, problems, values, status_code=422)
    if ends <= starts:
        ends += timedelta(days=1)  # a night shift: 22:00 to 06:00 ends the next morning
    shift = roster.ShiftInput(
        account_id=account_id, starts_local=starts, ends_local=ends,
        rank=int(rank) if rank.isdigit() else 0, phone=values.get("phone") or None,
    )  # fmt: skip
    suffix = "" if staff.representation_code else f"?representation={code}"
    return run_form(
        db,
        lambda: roster.add_shift(db, representation_code=code, actor=staff, data=shift),
        done=ROSTER + suffix,
        refused=lambda refusal: _roster_page(
            request, db, staff, code, refusal.problems, values, status_code=422
        ),
        refuses=only(ValidationFailed),
    )


@router.post(ROSTER + "/{shift_id}/remove", dependencies=[staff_page(ROSTER_EDITORS)])
def remove_shift(request: Request, shift_id: uuid.UUID, db: DbSession, staff: SignedIn) -> Response:
    """Take a shift off the roster."""
    roster.remove_shift(db, shift_id=shift_id, actor=staff)
    return RedirectResponse(ROSTER, status_code=303)
