"""The demo mailbox: what the sandboxes received, per channel (e-mail, SMS, WhatsApp), and
the in-app notices written.

Only in development, demo and test environments; production answers 404.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from peduli.api.deps import PUBLIC, DbSession
from peduli.core.config import get_settings
from peduli.core.errors import NotFound
from peduli.core.i18n import _
from peduli.core.paging import page_count
from peduli.notify import notices
from peduli.notify.models import ChannelName
from peduli.notify.sandbox import store
from peduli.notify.schemas import MailboxPage, SandboxMessageRead
from peduli.web.rendering import render

PER_PAGE = 25
DEMO_ENVIRONMENTS = frozenset({"development", "demo", "test"})


def require_demo_environment() -> None:
    """Hide the sandbox pages outside development, demo and test."""
    if get_settings().environment not in DEMO_ENVIRONMENTS:
        raise NotFound(
            _(
                "The demo mailbox exists only in development and demo installations; "
                "real messages are in the recipients' own mailboxes and phones."
            )
        )


# Public, but only in development, demo and test installations (never in production).
router = APIRouter(tags=["demo"], dependencies=[PUBLIC, Depends(require_demo_environment)])

ChannelParam = Annotated[ChannelName, Query(description="Which sandbox to show.")]
PageParam = Annotated[int, Query(ge=1, le=100_000, description="Page number, from 1.")]
_NO_STORE = {"Cache-Control": "no-store"}


def _mailbox_page(db: DbSession, channel: ChannelName, page: int) -> MailboxPage:
    if channel is ChannelName.IN_APP:
        notes, total = notices.newest(db, page=page, per_page=PER_PAGE)
        messages = [
            SandboxMessageRead(
                id=note.id,
                channel=channel.value,
                recipient=note.recipient,
                subject=note.subject,
                body=note.body,
                idempotency_key=note.idempotency_key,
                deliveries=1,
                received_at=note.created_at,
            )
            for note in notes
        ]
    else:
        rows, total = store.list_received(db, channel=channel.value, page=page, per_page=PER_PAGE)
        messages = [SandboxMessageRead.model_validate(row) for row in rows]
    counts = store.counts_by_channel(db)
    in_app = notices.newest(db, page=1, per_page=0)[1]
    if in_app:
        counts[ChannelName.IN_APP.value] = in_app
    return MailboxPage(
        channel=channel.value,
        page=page,
        per_page=PER_PAGE,
        total=total,
        pages=page_count(total, PER_PAGE),
        counts=counts,
        messages=messages,
    )


def _tabs(view: MailboxPage) -> list[str]:
    """Every channel, in a fixed order, each with its count."""
    return [c.value for c in ChannelName]


@router.get("/demo/mailbox", response_class=HTMLResponse, include_in_schema=False)
def mailbox(
    request: Request,
    db: DbSession,
    channel: ChannelParam = ChannelName.EMAIL,
    page: PageParam = 1,
) -> HTMLResponse:
    """Show what the sandboxes received, newest first, so a demo user can read their code."""
    view = _mailbox_page(db, channel, page)
    return render(request, "notify/mailbox.html", {"view": view, "channels": _tabs(view)})


@router.get("/demo/mailbox.json", response_model=MailboxPage)
def mailbox_json(
    db: DbSession,
    channel: ChannelParam = ChannelName.EMAIL,
    page: PageParam = 1,
) -> MailboxPage:
    """The same mailbox as JSON, for scripts and tests."""
    return _mailbox_page(db, channel, page)
