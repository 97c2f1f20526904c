"""The chat inbox: a post's conversations (a partner's: those of cases delegated to it),
one conversation's screen with the thread, the person and their cases, and the forms to
answer and to link. Plain forms; htmx only refreshes the list and the thread.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from peduli.api.deps import DbSession, staff_page
from peduli.auth.actor import Actor, Role
from peduli.auth.roles import CONVERSATION_LINKERS, CONVERSATION_READERS
from peduli.conversations import access, service, templates
from peduli.core.downloads import download_headers
from peduli.core.errors import FieldProblem, ValidationFailed
from peduli.core.i18n import _, language_name
from peduli.web import desk, i18n
from peduli.web.desk import SignedIn
from peduli.web.forms import Refusal, run_form

router = APIRouter(include_in_schema=False)

INBOX = "/officer/conversations"
PER_PAGE = 25
REFRESH_SECONDS = 10


def _layout(staff: Actor) -> str:
    return "partners/_layout.html" if staff.role == Role.PARTNER else "officer/_layout.html"


def _is_htmx(request: Request) -> bool:
    return request.headers.get("HX-Request") == "true"


@router.get(INBOX, response_class=HTMLResponse, dependencies=[staff_page(CONVERSATION_READERS)])
def inbox(request: Request, db: DbSession, staff: SignedIn) -> Response:
    """The inbox, unanswered first then the latest; htmx refreshes the list in place."""
    pages, rows = desk.paged(
        lambda limit, offset: service.list_inbox(db, actor=staff, limit=limit, offset=offset),
        desk.page_number(request.query_params.get("page")),
        PER_PAGE,
    )
    context = {
        "rows": rows, "pages": pages, "url": desk.url_with(INBOX, {}),
        "refresh": REFRESH_SECONDS, "layout": _layout(staff),
    }  # fmt: skip
    if _is_htmx(request):
        return desk.page(request, "conversations/_inbox.html", staff, context)
    return desk.page(request, "conversations/inbox.html", staff, context)


def _screen(
    request: Request,
    db: DbSession,
    staff: Actor,
    conversation_id: uuid.UUID,
    *,
    refusal: Refusal | None = None,
    typed: str = "",
    typed_link: dict[str, str] | None = None,
) -> Response:
    view = service.read_conversation(db, conversation_id=conversation_id, actor=staff)
    language = i18n.negotiate(request)
    context: dict[str, Any] = {
        "view": view,
        "c": view.conversation,
        "layout": _layout(staff),
        "may_link": staff.role in CONVERSATION_LINKERS,
        "sees_records": access.sees_records(staff),
        "template_names": list(templates.TEMPLATES),
        "approved_outside_window": templates.APPROVED_OUTSIDE_WINDOW,
        "template_text": lambda name: templates.template_text(name, view.conversation.language),
        "language_name": lambda code: language_name(code, language),
        "refresh": REFRESH_SECONDS,
        "problems": refusal.problems if refusal else {},
        "failure": refusal.failure if refusal else None,
        "typed": typed,
        "typed_link": typed_link or {},
    }
    if _is_htmx(request):
        return desk.page(request, "conversations/_thread.html", staff, context)
    status = refusal.status if refusal else 200
    return desk.page(request, "conversations/conversation.html", staff, context,
                     status_code=status)  # fmt: skip


@router.get(
    INBOX + "/{conversation_id}", response_class=HTMLResponse,
    dependencies=[staff_page(CONVERSATION_READERS)],
)  # fmt: skip
def conversation(
    request: Request, conversation_id: uuid.UUID, db: DbSession, staff: SignedIn
) -> Response:
    """One conversation: the thread, who is writing, and the answer box."""
    return _screen(request, db, staff, conversation_id)


@router.get(
    INBOX + "/{conversation_id}/files/{message_id}",
    dependencies=[staff_page(CONVERSATION_READERS)],
)  # fmt: skip
def chat_file(
    conversation_id: uuid.UUID, message_id: uuid.UUID, db: DbSession, staff: SignedIn
) -> Response:
    """A photo or document the citizen sent (audited; never cached, never sniffed)."""
    found = service.read_file(db, conversation_id=conversation_id, message_id=message_id,
                              actor=staff)  # fmt: skip
    kind = found.message.media_type or "application/octet-stream"
    extension = kind.rsplit("/", 1)[-1] if kind.startswith(("image/", "application/pdf")) else "bin"
    return Response(content=found.data, media_type=kind,
                    headers=download_headers(f"chat-{message_id}.{extension}"))  # fmt: skip


async def _field(request: Request, name: str, limit: int = 5000) -> str:
    value = (await request.form()).get(name)
    return value.strip()[:limit] if isinstance(value, str) else ""


def _uuid_or_problem(raw: str, field: str) -> uuid.UUID:
    try:
        return uuid.UUID(raw)
    except ValueError as error:
        raise ValidationFailed(
            [
                FieldProblem(
                    field,
                    "not_an_id",
                    _("This is not an id."),
                    _("Copy the id from the person's or the case's screen."),
                )
            ]
        ) from error


@router.post(
    INBOX + "/{conversation_id}/replies", response_class=HTMLResponse,
    dependencies=[staff_page(CONVERSATION_READERS)],
)  # fmt: skip
async def reply(
    request: Request, conversation_id: uuid.UUID, db: DbSession, staff: SignedIn
) -> Response:
    """Send the typed answer, or the template picked (its button's value)."""
    text = await _field(request, "text")
    template = await _field(request, "template", 40) or None
    back = f"{INBOX}/{conversation_id}?done=sent"
    return run_form(
        db,
        lambda: service.reply(db, conversation_id=conversation_id, actor=staff,
                              text=None if template else text, template=template),
        done=back,
        refused=lambda refusal: _screen(request, db, staff, conversation_id, refusal=refusal,
                                        typed=text),
    )  # fmt: skip


@router.post(
    INBOX + "/{conversation_id}/person", response_class=HTMLResponse,
    dependencies=[staff_page(CONVERSATION_LINKERS)],
)  # fmt: skip
async def link_person(
    request: Request, conversation_id: uuid.UUID, db: DbSession, staff: SignedIn
) -> Response:
    """Link the conversation to the person whose id the officer gives (audited)."""
    raw = await _field(request, "person_id", 64)
    return run_form(
        db,
        lambda: service.link_person(db, conversation_id=conversation_id,
                                    person_id=_uuid_or_problem(raw, "person_id"), actor=staff),
        done=f"{INBOX}/{conversation_id}?done=linked",
        refused=lambda refusal: _screen(request, db, staff, conversation_id, refusal=refusal,
                                        typed_link={"person_id": raw}),
    )  # fmt: skip


@router.post(
    INBOX + "/{conversation_id}/case", response_class=HTMLResponse,
    dependencies=[staff_page(CONVERSATION_LINKERS)],
)  # fmt: skip
async def link_case(
    request: Request, conversation_id: uuid.UUID, db: DbSession, staff: SignedIn
) -> Response:
    """Attach the conversation to a case of the post (by its id)."""
    raw = await _field(request, "case_id", 64)
    return run_form(
        db,
        lambda: service.link_case(db, conversation_id=conversation_id,
                                  case_id=_uuid_or_problem(raw, "case_id"), actor=staff),
        done=f"{INBOX}/{conversation_id}?done=linked",
        refused=lambda refusal: _screen(request, db, staff, conversation_id, refusal=refusal,
                                        typed_link={"case_id": raw}),
    )  # fmt: skip
