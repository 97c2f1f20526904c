"""Officers' voice pages: the calls to return (tap to call, then "reached" or "not
reached"), and the call behind an emergency, loaded into its acknowledge screen with htmx
(a page of its own without JavaScript: the emergency domain knows nothing of calls)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from peduli.api.deps import DbSession, staff_page
from peduli.auth.roles import EMERGENCY_RESPONDERS
from peduli.core.i18n import Message, _, in_language, language_name
from peduli.emergency import texts
from peduli.voice import callbacks
from peduli.web import desk, i18n
from peduli.web.desk import SignedIn

router = APIRouter(include_in_schema=False, dependencies=[staff_page(EMERGENCY_RESPONDERS)])

CALLS = "/officer/calls"
PER_PAGE = 25
END_REASONS: dict[str, Message] = {
    "completed": _("spoke with the officer on duty"),
    "abandoned": _("hung up before an officer answered"),
    "missed": _("the officer on duty did not answer"),
    "dropped": _("the line dropped"),
}


def _helpers(request: Request) -> dict[str, Any]:
    language = i18n.negotiate(request)
    return {
        "kind_name": lambda kind: texts.kind_name(kind, language) if kind else None,
        "language_name": lambda code: language_name(code, language),
        "end_reason": lambda reason: (
            in_language(END_REASONS[reason], language) if reason in END_REASONS else None
        ),
    }


@router.get(CALLS, response_class=HTMLResponse)
def calls_to_return(request: Request, db: DbSession, staff: SignedIn) -> Response:
    """Calls of my post nobody spoke in (missed, abandoned, dropped), oldest first."""
    pages, due = desk.paged(
        lambda limit, offset: callbacks.list_due(db, actor=staff, limit=limit, offset=offset),
        desk.page_number(request.query_params.get("page")),
        PER_PAGE,
    )
    return desk.page(request, "voice/calls.html", staff, {
        "due": due, "pages": pages, "url": desk.url_with(CALLS, {}),
        "done": request.query_params.get("done"), **_helpers(request),
    })  # fmt: skip


@router.post(CALLS + "/{call_id}/called-back")
async def called_back(
    request: Request, call_id: uuid.UUID, db: DbSession, staff: SignedIn
) -> Response:
    """What came of calling back: reached (off the list) or not reached (stays on it)."""
    form = await request.form()
    reached = form.get("outcome") == "reached"
    callbacks.record_callback(db, call_id=call_id, reached=reached, actor=staff)
    done = "reached" if reached else "not_reached"
    return RedirectResponse(f"{CALLS}?done={done}", status_code=303)


@router.get(CALLS + "/of-emergency/{emergency_id}", response_class=HTMLResponse)
def call_of_emergency(
    request: Request, emergency_id: uuid.UUID, db: DbSession, staff: SignedIn
) -> Response:
    """The call behind an emergency: when it rang, was answered and ended, in which
    language, what was pressed."""
    call = callbacks.call_of_emergency(db, emergency_id=emergency_id, actor=staff)
    partial = request.headers.get("HX-Request") == "true"
    name = "voice/_call.html" if partial else "voice/call.html"
    return desk.page(request, name, staff, {
        "call": call, "emergency_id": emergency_id, **_helpers(request),
    })  # fmt: skip
