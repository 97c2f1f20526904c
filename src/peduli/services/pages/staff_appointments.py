"""Officers' appointment pages: the day's appointments at my post (check arrivals in, mark
no-shows, call the next ticket), the waiting room's queue-number screen (big type, in
Indonesian and the host's language, refreshing itself without JavaScript), and the
supervisor's plan: capacity, opening hours and blackout days per service."""

from __future__ import annotations

import uuid
from datetime import date, time
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response
from sqlalchemy.orm import Session

from peduli.api.deps import DbSession, staff_page
from peduli.auth.actor import Actor
from peduli.auth.roles import APPOINTMENT_DESK, APPOINTMENT_PLANNERS
from peduli.core.db import utcnow
from peduli.core.errors import Conflict, FieldProblem, NotFound, ValidationFailed
from peduli.core.i18n import _, in_language
from peduli.services import catalogue, reception, schedules
from peduli.services.pages.common import helpers
from peduli.web import desk, i18n
from peduli.web.desk import SignedIn
from peduli.web.forms import Refusal, only, run_form
from peduli.web.rendering import render

router = APIRouter(include_in_schema=False)
desk_pages = APIRouter(dependencies=[staff_page(APPOINTMENT_DESK)])
planners = APIRouter(dependencies=[staff_page(APPOINTMENT_PLANNERS)])
DAY = "/officer/appointments"
SCREEN = DAY + "/screen"
PLAN = DAY + "/plan"
SCREEN_REFRESH_SECONDS = 5
PLAN_FIELDS = (
    "service",
    "opens_at",
    "closes_at",
    "slot_minutes",
    "capacity",
    "max_party",
    "release_days",
    "release_hour",
)


def _post(request: Request, staff: Actor) -> str:
    """The officer's post; HQ admins name one (``?post=``)."""
    return staff.representation_code or str(request.query_params.get("post") or "kbri-seoul")[:64]


def _day_page(
    request: Request, db: Session, staff: Actor, problems: dict[str, FieldProblem] | None = None
) -> HTMLResponse:
    language = i18n.negotiate(request)
    post = _post(request, staff)
    now = utcnow()
    try:
        day = date.fromisoformat(str(request.query_params.get("day") or ""))
    except ValueError:
        day = reception.today_at(post, now)
    names = catalogue.names_in(db, language)
    return desk.page(
        request,
        "services/appointments_day.html",
        staff,
        {
            "post": post,
            "day": day,
            "rows": reception.day_list(db, post=post, day=day, actor=staff),
            "screen": reception.screen(db, post=post, actor=staff, now=now),
            "names": names,
            "problems": problems or {},
            "done": request.query_params.get("done"),
            **helpers(language),
        },
        status_code=422 if problems else 200,
    )


@desk_pages.get(DAY, response_class=HTMLResponse)
def day(request: Request, db: DbSession, staff: SignedIn) -> Response:
    """The day's appointments at my post, by time, with arrivals and tickets."""
    return _day_page(request, db, staff)


def _refused(request: Request, db: Session, staff: Actor) -> Any:
    def show(refusal: Refusal) -> HTMLResponse:
        problem = FieldProblem("appointment", refusal.error.code, refusal.error.detail)
        return _day_page(request, db, staff, refusal.problems or {"appointment": problem})

    return show


@desk_pages.post(DAY + "/{appointment_id}/check-in", response_class=HTMLResponse)
def check_in(
    request: Request, appointment_id: uuid.UUID, db: DbSession, staff: SignedIn
) -> Response:
    """The holder arrived: give them the next ticket number."""
    return run_form(
        db,
        lambda: reception.check_in(db, appointment_id=appointment_id, actor=staff, now=utcnow()),
        done=f"{DAY}?done=checked_in",
        refused=_refused(request, db, staff),
        refuses=only(Conflict),
    )


@desk_pages.post(DAY + "/{appointment_id}/no-show", response_class=HTMLResponse)
def no_show(
    request: Request, appointment_id: uuid.UUID, db: DbSession, staff: SignedIn
) -> Response:
    """The holder did not come."""
    return run_form(
        db,
        lambda: reception.no_show(db, appointment_id=appointment_id, actor=staff, now=utcnow()),
        done=f"{DAY}?done=no_show",
        refused=_refused(request, db, staff),
        refuses=only(Conflict),
    )


@desk_pages.post(DAY + "/call-next", response_class=HTMLResponse)
def call_next(request: Request, db: DbSession, staff: SignedIn) -> Response:
    """Call the lowest waiting ticket to the counter."""
    post = _post(request, staff)
    return run_form(
        db,
        lambda: reception.call_next(db, post=post, actor=staff, now=utcnow()),
        done=f"{DAY}?done=called",
        refused=_refused(request, db, staff),
        refuses=only(Conflict),
    )


@desk_pages.get(SCREEN, response_class=HTMLResponse)
def screen(request: Request, db: DbSession, staff: SignedIn) -> Response:
    """The waiting room's screen: the tickets called and those waiting, in big type, in
    Indonesian and the host country's language; it reloads itself every few seconds."""
    post = _post(request, staff)
    shown = reception.screen(db, post=post, actor=staff, now=utcnow())
    languages = reception.screen_languages(post)
    texts = {
        key: [in_language(message, code) for code in dict.fromkeys(languages)]
        for key, message in (
            ("now", _("Now serving")),
            ("waiting", _("Waiting")),
            ("nobody", _("Please wait to be called")),
        )
    }
    return render(
        request,
        "services/queue_screen.html",
        {
            "screen": shown,
            "texts": texts,
            "refresh": SCREEN_REFRESH_SECONDS,
            "lang_of": languages[1],
        },
    )


def _plan_page(
    request: Request,
    db: Session,
    staff: Actor,
    values: dict[str, str] | None = None,
    problems: dict[str, FieldProblem] | None = None,
) -> HTMLResponse:
    language = i18n.negotiate(request)
    post = _post(request, staff)
    plans, blackouts = schedules.plans_of(db, post=post, actor=staff)
    names = catalogue.names_in(db, language)
    return desk.page(
        request,
        "services/appointments_plan.html",
        staff,
        {
            "post": post,
            "plans": plans,
            "blackouts": blackouts,
            "names": names,
            "values": values
            or {
                "opens_at": "09:00",
                "closes_at": "12:00",
                "slot_minutes": "30",
                "capacity": "4",
                "max_party": "1",
                "release_days": "14",
                "release_hour": "8",
            },
            "problems": problems or {},
            "done": request.query_params.get("done"),
            **helpers(language),
        },
        status_code=422 if problems else 200,
    )


@planners.get(PLAN, response_class=HTMLResponse)
def plan(request: Request, db: DbSession, staff: SignedIn) -> Response:
    """My post's appointment plan: hours, capacity and release window per service."""
    return _plan_page(request, db, staff)


def _number(values: dict[str, str], field: str) -> int:
    raw = values.get(field, "")
    if not raw.isdigit():
        raise ValidationFailed([FieldProblem(field, "invalid", _("Give a whole number."))])
    return int(raw)


def _time(values: dict[str, str], field: str) -> time:
    try:
        return time.fromisoformat(values.get(field, ""))
    except ValueError as error:
        raise ValidationFailed(
            [FieldProblem(field, "invalid", _("Give a time such as 09:00."))]
        ) from error


@planners.post(PLAN, response_class=HTMLResponse)
async def save_plan(request: Request, db: DbSession, staff: SignedIn) -> Response:
    """Create or change the plan of one service at my post."""
    form = await request.form()
    values = {k: str(form.get(k) or "")[:40] for k in PLAN_FIELDS}
    post = _post(request, staff)

    def save() -> object:
        chosen = schedules.Plan(
            _time(values, "opens_at"),
            _time(values, "closes_at"),
            *(_number(values, f) for f in PLAN_FIELDS[3:]),
        )
        return schedules.set_schedule(
            db, post=post, service=values["service"], plan=chosen, actor=staff, now=utcnow()
        )

    return run_form(
        db,
        save,
        done=f"{PLAN}?done=saved",
        refused=lambda refusal: _plan_page(request, db, staff, values, refusal.problems),
        refuses=only(ValidationFailed, NotFound),
    )


@planners.post(PLAN + "/blackouts", response_class=HTMLResponse)
async def add_blackout(request: Request, db: DbSession, staff: SignedIn) -> Response:
    """Close a day for appointments at my post."""
    form = await request.form()
    values = {k: str(form.get(k) or "")[:200] for k in ("day", "reason")}
    post = _post(request, staff)

    def save() -> object:
        try:
            day = date.fromisoformat(values["day"])
        except ValueError as error:
            raise ValidationFailed(
                [FieldProblem("day", "invalid", _("Give a date such as 2027-01-31."))]
            ) from error
        return schedules.add_blackout(db, post=post, day=day, reason=values["reason"], actor=staff)

    return run_form(
        db,
        save,
        done=f"{PLAN}?done=blackout",
        refused=lambda refusal: _plan_page(request, db, staff, values, refusal.problems),
        refuses=only(ValidationFailed),
    )


router.include_router(desk_pages)
router.include_router(planners)
