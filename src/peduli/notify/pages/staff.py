"""HQ's page of dead letters: the messages the outbox gave up on, with the masked recipient,
the attempts and the last error, and a button that puts one (or a channel's) back in line.

The same rules as the API (``notify/api.py``): HQ admins and analysts read, HQ admins
retry, through the API's own ``put_dead_letters_back`` (role check and audit). Post-bound staff are
refused: a dead letter belongs to no post, so its list is national.
"""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Path, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from peduli.api.deps import DbSession, staff_page
from peduli.auth.policy import require_role
from peduli.auth.roles import DEAD_LETTER_READERS, DEAD_LETTER_RETRIERS
from peduli.core.paging import page_count
from peduli.notify import dead_letters
from peduli.notify.api import PER_PAGE, put_dead_letters_back
from peduli.notify.models import ChannelName
from peduli.web.desk import SignedIn
from peduli.web.rendering import render

router = APIRouter(include_in_schema=False)

DEAD_LETTERS = "/hq/dead-letters"
ChannelChoice = Annotated[str, Query(max_length=20)]
ChannelField = Annotated[str, Form(max_length=20)]


def _channel(raw: str) -> str | None:
    """A known channel from a link or form; anything else means every channel."""
    return raw if raw in {c.value for c in ChannelName} else None


def _back(channel: str | None, count: int) -> RedirectResponse:
    """Back to the list (the same channel), saying how many went back in line."""
    query = f"?done=retried&count={count}" + (f"&channel={channel}" if channel else "")
    return RedirectResponse(DEAD_LETTERS + query, status_code=303)


@router.get(
    DEAD_LETTERS, response_class=HTMLResponse, dependencies=[staff_page(DEAD_LETTER_READERS)]
)
def dead_letter_list(
    request: Request,
    db: DbSession,
    staff: SignedIn,
    channel: ChannelChoice = "",
    page: Annotated[int, Query(ge=1, le=100_000)] = 1,
    done: Annotated[str, Query(max_length=20)] = "",
    count: Annotated[int, Query(ge=0, le=10_000_000)] = 0,
) -> Response:
    """Dead letters, newest failure first, one channel or all, fifty a page."""
    require_role(db, staff, roles=DEAD_LETTER_READERS, action="notify.dead_letters.list")
    chosen = _channel(channel)
    rows, total = dead_letters.list_dead(db, channel=chosen, page=page, per_page=PER_PAGE)
    return render(
        request,
        "notify/dead_letters.html",
        {
            "staff": staff,
            "rows": [
                {
                    "id": row.id,
                    "channel": row.channel,
                    "recipient": dead_letters.masked_recipient(row),
                    "attempts": row.attempts,
                    "last_error": row.last_error or "",
                    "failed_at": row.next_attempt_at,
                }
                for row in rows
            ],
            "total": total,
            "page": page,
            "pages": page_count(total, PER_PAGE),
            "channel": chosen or "",
            "channels": [c.value for c in ChannelName],
            "can_retry": staff.role in DEAD_LETTER_RETRIERS,
            "done": done,
            "count": count,
        },
    )


@router.post(DEAD_LETTERS + "/{message_id}/retry", dependencies=[staff_page(DEAD_LETTER_RETRIERS)])
def retry_one(
    request: Request,
    message_id: Annotated[int, Path(ge=1, le=2**62)],
    db: DbSession,
    staff: SignedIn,
    channel: ChannelField = "",
) -> Response:
    """Put one dead letter back in line."""
    return _back(
        _channel(channel), put_dead_letters_back(db, staff, message_id=message_id, channel=None)
    )


@router.post(DEAD_LETTERS + "/retry", dependencies=[staff_page(DEAD_LETTER_RETRIERS)])
def retry_all(
    request: Request, db: DbSession, staff: SignedIn, channel: ChannelField = ""
) -> Response:
    """Put every dead letter of the chosen channel (or all) back in line, e.g. after an
    outage of a provider has been fixed."""
    chosen = _channel(channel)
    return _back(chosen, put_dead_letters_back(db, staff, message_id=None, channel=chosen))
