"""The broadcast screens of a crisis: the audience, compose, approve, send, and follow.

From the board: the audience before sending (by post, language and channel, and how many
are placed only approximately) and the crisis's broadcasts; a compose form filled with the
template of the crisis kind in every language, with each language's SMS length (counted
live by ``static/sms-length.js``, and again on "Count" without JavaScript); a broadcast's
page where a second person approves and someone sends it, then follows delivery and
answers (htmx polling, or a meta refresh without JavaScript).
"""

from __future__ import annotations

import json
import uuid
from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from peduli.api.deps import DbSession, staff_page
from peduli.auth.actor import Actor
from peduli.auth.roles import BROADCASTERS, CRISIS_VIEWERS
from peduli.core.errors import FieldProblem, PeduliError
from peduli.core.i18n import LANGUAGES
from peduli.crisis import audience, broadcast_live, broadcasts, labels, message_templates, service
from peduli.crisis.delivery import CHANNEL_CONTACT
from peduli.crisis.models import Broadcast, BroadcastStatus, Crisis
from peduli.crisis.schemas import BroadcastCreate
from peduli.reference import places
from peduli.web import desk
from peduli.web.desk import SignedIn
from peduli.web.forms import all_but_not_found, run_form

router = APIRouter(include_in_schema=False)
BROADCASTS = "/officer/crises/{crisis_id}/broadcasts"
LIVE_REFRESH_SECONDS = 5
DEFAULT_CHANNELS = ("sms", "email")
Text = Annotated[str, Form(max_length=4000)]
Short = Annotated[str, Form(max_length=40)]


def _path(crisis_id: uuid.UUID, broadcast_id: uuid.UUID | None = None) -> str:
    base = BROADCASTS.format(crisis_id=crisis_id)
    return f"{base}/{broadcast_id}" if broadcast_id else base


def _posts(crisis: Crisis) -> list[tuple[str, str]]:
    """(code, name) of the posts the crisis affects, for HQ's choice of one."""
    codes = [code for code in crisis.representation_codes.split(",") if code]
    found = {code: places.representation_by_code(code) for code in codes}
    return sorted(((c, p.name if p else c) for c, p in found.items()), key=lambda c: c[1])


@router.get(BROADCASTS, response_class=HTMLResponse, dependencies=[staff_page(CRISIS_VIEWERS)])
def broadcasts_page(
    request: Request, crisis_id: uuid.UUID, db: DbSession, staff: SignedIn
) -> Response:
    """Who the crisis reaches now, and the crisis's broadcasts."""
    crisis = service.get(db, crisis_id=crisis_id, actor=staff)
    return desk.page(
        request,
        "crisis/broadcasts.html",
        staff,
        {
            "crisis": crisis,
            "crisis_labels": labels,
            "preview": audience.preview(db, crisis_id=crisis_id, actor=staff),
            "broadcasts": broadcasts.list_for(db, crisis_id=crisis_id, actor=staff),
            "may_broadcast": staff.role in BROADCASTERS,
        },
    )


def _compose_page(
    request: Request,
    db: DbSession,
    staff: Actor,
    crisis: Crisis,
    form: dict[str, Any],
    *,
    problems: dict[str, FieldProblem] | None = None,
    failure: PeduliError | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return desk.page(
        request,
        "crisis/broadcast_new.html",
        staff,
        {
            "crisis": crisis,
            "crisis_labels": labels,
            "form": form,
            "problems": problems or {},
            "failure": failure,
            "lengths": message_templates.sms_lengths(form["messages"]),
            "suffixes": {lang: message_templates.sample_sms("", lang) for lang in LANGUAGES},
            "languages_in_order": LANGUAGES,
            "channels": list(CHANNEL_CONTACT),
            "posts": _posts(crisis) if staff.representation_code is None else [],
            "preview": audience.preview(db, crisis_id=crisis.id, actor=staff),
        },
        status_code=status_code,
    )


@router.get(
    BROADCASTS + "/new", response_class=HTMLResponse, dependencies=[staff_page(BROADCASTERS)]
)
def broadcast_new(
    request: Request, crisis_id: uuid.UUID, db: DbSession, staff: SignedIn
) -> Response:
    """The compose form, filled with the template of the crisis kind in every language."""
    crisis = service.get(db, crisis_id=crisis_id, actor=staff)
    form: dict[str, Any] = {
        "messages": message_templates.default_messages(crisis.kind),
        "channels": list(DEFAULT_CHANNELS),
        "remind_after_minutes": "120",
        "representation_code": "",
    }
    return _compose_page(request, db, staff, crisis, form)


@router.post(
    BROADCASTS + "/new", response_class=HTMLResponse, dependencies=[staff_page(BROADCASTERS)]
)
def broadcast_create(
    request: Request,
    crisis_id: uuid.UUID,
    db: DbSession,
    staff: SignedIn,
    message_id: Text = "",
    message_en: Text = "",
    message_zh: Text = "",
    message_fr: Text = "",
    channels: Annotated[list[str] | None, Form(max_length=3)] = None,
    remind_after_minutes: Short = "120",
    representation_code: Short = "",
    go: Short = "save",
) -> Response:
    """Count the SMS lengths again (``go=count``) or save the draft for a second person."""
    crisis = service.get(db, crisis_id=crisis_id, actor=staff)
    typed = {"id": message_id, "en": message_en, "zh": message_zh, "fr": message_fr}
    form: dict[str, Any] = {
        "messages": {lang: text.strip() for lang, text in typed.items()},
        "channels": [c for c in channels or [] if c in CHANNEL_CONTACT],
        "remind_after_minutes": remind_after_minutes.strip(),
        "representation_code": representation_code.strip(),
    }
    if go == "count":
        return _compose_page(request, db, staff, crisis, form)
    problems: dict[str, FieldProblem] = {}
    if not form["channels"]:
        problems["channels"] = FieldProblem("channels", "form.choice", "")
    minutes: str = form["remind_after_minutes"]
    if not minutes.isdigit() or not 5 <= int(minutes) <= 7 * 24 * 60:
        problems["remind_after_minutes"] = FieldProblem("remind_after_minutes", "form.minutes", "")
    if problems:
        return _compose_page(request, db, staff, crisis, form, problems=problems, status_code=422)

    def draft() -> Broadcast:
        body = BroadcastCreate(
            messages=form["messages"],
            channels=form["channels"],
            remind_after_minutes=int(minutes),
            representation_code=form["representation_code"] or None,
        )
        return broadcasts.draft(db, crisis_id=crisis.id, body=body, actor=staff)

    return run_form(
        db,
        draft,
        done=lambda made: RedirectResponse(_path(crisis.id, made.id), status_code=303),
        refused=lambda refusal: _compose_page(
            request,
            db,
            staff,
            crisis,
            form,
            problems=_form_problems(refusal.problems),
            failure=refusal.failure,
            status_code=refusal.status,
        ),
        refuses=all_but_not_found,
    )


def _form_problems(problems: dict[str, FieldProblem]) -> dict[str, FieldProblem]:
    """The service's field names (``messages.id``, ``channels[0]``) as the form's."""
    named: dict[str, FieldProblem] = {}
    for field, problem in problems.items():
        key = field.replace("messages.", "message_").split("[", 1)[0]
        named.setdefault(key, problem)
    return named


def _broadcast_context(
    db: DbSession, staff: Actor, crisis_id: uuid.UUID, broadcast_id: uuid.UUID
) -> dict[str, Any]:
    crisis = service.get(db, crisis_id=crisis_id, actor=staff)
    broadcast = broadcasts.get(db, crisis_id=crisis_id, broadcast_id=broadcast_id, actor=staff)
    messages: dict[str, str] = json.loads(broadcast.messages)
    sent = broadcast.status in (BroadcastStatus.SENDING, BroadcastStatus.SENT)
    return {
        "crisis": crisis,
        "broadcast": broadcast,
        "messages": messages,
        "lengths": message_templates.sms_lengths(messages),
        "languages_in_order": LANGUAGES,
        "channels": broadcast.channels.split(","),
        "live": broadcast_live.live(db, crisis_id=crisis_id, broadcast_id=broadcast_id, actor=staff)
        if sent
        else None,
        "refresh": LIVE_REFRESH_SECONDS,
        "may_act": staff.role in BROADCASTERS,
        "is_author": broadcast.created_by == staff.account_id,
        "path": _path(crisis_id, broadcast_id),
    }


def _broadcast_page(
    request: Request,
    db: DbSession,
    staff: Actor,
    crisis_id: uuid.UUID,
    broadcast_id: uuid.UUID,
    *,
    failure: PeduliError | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    context = _broadcast_context(db, staff, crisis_id, broadcast_id)
    return desk.page(
        request,
        "crisis/broadcast.html",
        staff,
        {**context, "failure": failure, "done": request.query_params.get("done", "")},
        status_code=status_code,
    )


@router.get(
    BROADCASTS + "/{broadcast_id}",
    response_class=HTMLResponse,
    dependencies=[staff_page(CRISIS_VIEWERS)],
)
def broadcast_page(
    request: Request,
    crisis_id: uuid.UUID,
    broadcast_id: uuid.UUID,
    db: DbSession,
    staff: SignedIn,
) -> Response:
    """One broadcast: its texts and their SMS lengths, approval, sending, live figures."""
    return _broadcast_page(request, db, staff, crisis_id, broadcast_id)


@router.get(
    BROADCASTS + "/{broadcast_id}/live",
    response_class=HTMLResponse,
    dependencies=[staff_page(CRISIS_VIEWERS)],
)
def broadcast_live_fragment(
    request: Request,
    crisis_id: uuid.UUID,
    broadcast_id: uuid.UUID,
    db: DbSession,
    staff: SignedIn,
) -> Response:
    """The live figures alone, for htmx polling; opened directly, the whole page."""
    if request.headers.get("HX-Request") != "true":
        return _broadcast_page(request, db, staff, crisis_id, broadcast_id)
    context = _broadcast_context(db, staff, crisis_id, broadcast_id)
    return desk.page(request, "crisis/_broadcast_live.html", staff, context)


def _act(
    request: Request,
    db: DbSession,
    staff: Actor,
    crisis_id: uuid.UUID,
    broadcast_id: uuid.UUID,
    action: Any,
    done: str,
) -> Response:
    return run_form(
        db,
        action,
        done=f"{_path(crisis_id, broadcast_id)}?done={done}",
        refused=lambda refusal: _broadcast_page(
            request,
            db,
            staff,
            crisis_id,
            broadcast_id,
            failure=refusal.error,
            status_code=refusal.status,
        ),
        refuses=all_but_not_found,
    )


@router.post(
    BROADCASTS + "/{broadcast_id}/approve",
    response_class=HTMLResponse,
    dependencies=[staff_page(BROADCASTERS)],
)
def broadcast_approve(
    request: Request,
    crisis_id: uuid.UUID,
    broadcast_id: uuid.UUID,
    db: DbSession,
    staff: SignedIn,
) -> Response:
    """The second person approves; the author, or another post's supervisor, is refused."""
    return _act(
        request, db, staff, crisis_id, broadcast_id,
        lambda: broadcasts.approve(
            db, crisis_id=crisis_id, broadcast_id=broadcast_id, actor=staff
        ),
        "approved",
    )  # fmt: skip


@router.post(
    BROADCASTS + "/{broadcast_id}/send",
    response_class=HTMLResponse,
    dependencies=[staff_page(BROADCASTERS)],
)
def broadcast_send(
    request: Request,
    crisis_id: uuid.UUID,
    broadcast_id: uuid.UUID,
    db: DbSession,
    staff: SignedIn,
) -> Response:
    """Send an approved broadcast (again: only people who arrived since are added)."""
    return _act(
        request, db, staff, crisis_id, broadcast_id,
        lambda: broadcasts.send(db, crisis_id=crisis_id, broadcast_id=broadcast_id, actor=staff),
        "sent",
    )  # fmt: skip
