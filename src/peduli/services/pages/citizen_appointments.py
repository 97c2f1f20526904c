"""The citizen's appointment pages (mobile, no JavaScript needed): choose a service and a
post, see the free slots of the coming weeks, book for yourself and your family; see, move
and cancel your appointments and download each as a calendar invitation."""

from __future__ import annotations

import uuid
from datetime import UTC, date, datetime, timedelta
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from peduli.api.deps import OWN, PUBLIC, CurrentActor, DbSession, OptionalActor
from peduli.auth.actor import Actor
from peduli.auth.pages.citizen import sign_in_url
from peduli.core.db import utcnow
from peduli.core.errors import Conflict, FieldProblem, Forbidden, NotFound, ValidationFailed
from peduli.core.i18n import _
from peduli.reference.places import representation_by_code
from peduli.services import appointment_access as access
from peduli.services import appointments, catalogue, slots
from peduli.services.appointment_schemas import AppointmentCreate
from peduli.services.pages.common import helpers, is_citizen
from peduli.web import i18n
from peduli.web.forms import Refusal, only, run_form
from peduli.web.rendering import render

router = APIRouter(include_in_schema=False)
BOOK = "/janji-temu"
MINE = "/saya/janji-temu"
DAYS_SHOWN = 14
REFUSED = only(ValidationFailed, Conflict, Forbidden, NotFound)


def _starts(raw: str) -> datetime | None:
    try:
        found = datetime.fromisoformat(raw)
    except ValueError:
        return None
    return found if found.tzinfo else found.replace(tzinfo=UTC)


def _problems(refusal: Refusal) -> dict[str, FieldProblem]:
    return refusal.problems or {
        "starts_at": FieldProblem("starts_at", refusal.error.code, refusal.error.detail)
    }


def _slot_days(db: Session, post: str, service: str, first: date) -> list[tuple[date, list[Any]]]:
    found = slots.offered(
        db,
        post=post,
        service=service,
        first=first,
        last=first + timedelta(DAYS_SHOWN - 1),
        now=utcnow(),
    )
    days: dict[date, list[Any]] = {}
    for slot in found:
        days.setdefault(slot.local_start.date(), []).append(slot)
    return list(days.items())


def _booking_page(
    request: Request,
    db: Session,
    actor: Actor | None,
    values: dict[str, str],
    problems: dict[str, FieldProblem] | None = None,
) -> HTMLResponse:
    language = i18n.negotiate(request)
    names = catalogue.names_in(db, language)
    planned = slots.planned(db)
    post, service = values.get("representation", ""), values.get("service", "")
    chosen = (post, service) in planned
    schedule = slots.schedule_of(db, post, service) if chosen else None
    first = date.fromisoformat(values["from"]) if values.get("from") else utcnow().date()
    verified = (
        is_citizen(actor)
        and actor is not None
        and actor.person_id is not None
        and access.identity_verified(db, actor.person_id)
    )
    return render(
        request,
        "services/book.html",
        {
            "signed_in": is_citizen(actor),
            "verified": verified,
            "posts": sorted({(p, _post_name(p)) for p, _s in planned}, key=lambda x: x[1]),
            "services": sorted({(s, names.get(s, s)) for _p, s in planned}, key=lambda x: x[1]),
            "values": values,
            "problems": problems or {},
            "chosen": chosen,
            "days": _slot_days(db, post, service, first) if chosen else [],
            "max_party": schedule.max_party if schedule else 1,
            "later": (first + timedelta(DAYS_SHOWN)).isoformat(),
            "post_name": _post_name(post),
            "service_name": names.get(service, ""),
            **helpers(language),
        },
        status_code=422 if problems else 200,
    )


def _post_name(code: str) -> str:
    found = representation_by_code(code)
    return found.name if found else ""


@router.get(BOOK, response_class=HTMLResponse, dependencies=[PUBLIC])
def choose(request: Request, db: DbSession, actor: OptionalActor) -> Response:
    """Choose a service and a post; the free slots of the next two weeks."""
    query = request.query_params
    values = {k: str(query.get(k) or "")[:64] for k in ("representation", "service", "from")}
    try:
        date.fromisoformat(values["from"]) if values["from"] else None
    except ValueError:
        values["from"] = ""
    return _booking_page(request, db, actor, values)


@router.post(BOOK, response_class=HTMLResponse, dependencies=[OWN])
async def book(request: Request, db: DbSession, actor: CurrentActor) -> Response:
    """Book the chosen slot for yourself (and the people coming with you)."""
    form = await request.form()
    values = {
        k: str(form.get(k) or "")[:64]
        for k in ("representation", "service", "starts_at", "party_size")
    }
    if not is_citizen(actor):
        return RedirectResponse(sign_in_url(BOOK), status_code=303)

    def submit() -> Any:
        starts = _starts(values["starts_at"])
        if starts is None:
            raise ValidationFailed([FieldProblem("starts_at", "required", _("Choose a time."))])
        data = AppointmentCreate.model_validate(
            {
                "representation": values["representation"],
                "service": values["service"],
                "starts_at": starts,
                "party_size": int(values["party_size"] or 1)
                if values["party_size"].isdigit()
                else 0,
            }
        )
        return appointments.book(db, data=data, actor=actor, now=utcnow())

    return run_form(
        db,
        submit,
        done=lambda booked: RedirectResponse(f"{MINE}/{booked.id}?done=booked", status_code=303),
        refused=lambda refusal: _booking_page(request, db, actor, values, _problems(refusal)),
        refuses=REFUSED,
    )


@router.get(MINE, response_class=HTMLResponse, dependencies=[OWN])
def mine(request: Request, db: DbSession, actor: OptionalActor) -> Response:
    """The citizen's appointments, the coming ones first."""
    if not is_citizen(actor):
        return RedirectResponse(sign_in_url(MINE), status_code=303)
    language = i18n.negotiate(request)
    names = catalogue.names_in(db, language)
    return render(
        request,
        "services/my_appointments.html",
        {
            "signed_in": True,
            "appointments": appointments.own_appointments(db, actor=actor),
            "names": names,
            "post_name": _post_name,
            **helpers(language),
        },
    )


def _detail_page(
    request: Request,
    db: Session,
    actor: Actor,
    appointment_id: uuid.UUID,
    problems: dict[str, FieldProblem] | None = None,
) -> HTMLResponse:
    language = i18n.negotiate(request)
    found = access.appointment_in_scope(db, actor, appointment_id, action="appointment.read")
    names = catalogue.names_in(db, language)
    today = utcnow().date()
    return render(
        request,
        "services/appointment.html",
        {
            "signed_in": True,
            "a": found,
            "service_name": names.get(found.service_code, ""),
            "post_name": _post_name(found.representation_code),
            "done": request.query_params.get("done"),
            "days": _slot_days(db, found.representation_code, found.service_code, today)
            if found.state == appointments.BOOKED
            else [],
            "problems": problems or {},
            **helpers(language),
        },
        status_code=422 if problems else 200,
    )


@router.get(MINE + "/{appointment_id}", response_class=HTMLResponse, dependencies=[OWN])
def appointment(
    request: Request, appointment_id: uuid.UUID, db: DbSession, actor: CurrentActor
) -> Response:
    """One appointment: when and where, its invitation, moving or cancelling it."""
    return _detail_page(request, db, actor, appointment_id)


@router.post(MINE + "/{appointment_id}/pindah", response_class=HTMLResponse, dependencies=[OWN])
async def move(
    request: Request, appointment_id: uuid.UUID, db: DbSession, actor: CurrentActor
) -> Response:
    """Move the appointment to another free time."""
    form = await request.form()

    def submit() -> Any:
        starts = _starts(str(form.get("starts_at") or "")[:64])
        if starts is None:
            raise ValidationFailed([FieldProblem("starts_at", "required", _("Choose a time."))])
        return appointments.reschedule(
            db, appointment_id=appointment_id, starts_at=starts, actor=actor, now=utcnow()
        )

    return run_form(
        db,
        submit,
        done=f"{MINE}/{appointment_id}?done=moved",
        refused=lambda refusal: _detail_page(
            request, db, actor, appointment_id, _problems(refusal)
        ),
        refuses=REFUSED,
    )


@router.post(MINE + "/{appointment_id}/batal", response_class=HTMLResponse, dependencies=[OWN])
def cancel(
    request: Request, appointment_id: uuid.UUID, db: DbSession, actor: CurrentActor
) -> Response:
    """Cancel the appointment (its places go back to others)."""
    return run_form(
        db,
        lambda: appointments.cancel(db, appointment_id=appointment_id, actor=actor, now=utcnow()),
        done=f"{MINE}/{appointment_id}?done=cancelled",
        refused=lambda refusal: _detail_page(
            request, db, actor, appointment_id, _problems(refusal)
        ),
        refuses=REFUSED,
    )
