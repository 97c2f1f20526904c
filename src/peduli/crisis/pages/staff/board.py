"""The staff crisis pages: the crises they follow and the live crisis board.

The board refreshes itself with htmx polling, or with a meta refresh without JavaScript;
staff who work on people's records also see who asked for help, by name, on it.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from peduli.api.deps import DbSession, OptionalActor, staff_page
from peduli.auth.pages.staff import staff_or_none
from peduli.auth.roles import (
    CRISIS_DECLARERS,
    CRISIS_HELP_READERS,
    CRISIS_VIEWERS,
    EVACUATION_LIST_READERS,
)
from peduli.core.errors import PeduliError
from peduli.core.i18n import _, language_name
from peduli.crisis import help_requests, labels, repository, service
from peduli.crisis.pages.staff import unreached
from peduli.reference import places
from peduli.web.desk import SignedIn, page_number, paged
from peduli.web.i18n import negotiate
from peduli.web.rendering import render

router = APIRouter(include_in_schema=False)
BOARD_REFRESH_SECONDS = 10


@router.get(
    "/officer/crises", response_class=HTMLResponse, dependencies=[staff_page(CRISIS_VIEWERS)]
)
def crises_page(request: Request, db: DbSession, staff: SignedIn) -> Response:
    """The crises staff follow, newest first."""
    crises = service.list_crises(db, actor=staff)
    context = {"crises": crises, "labels": labels, "may_declare": staff.role in CRISIS_DECLARERS}
    return render(request, "crisis/crises.html", {"staff": staff, **context})


def _board_context(
    request: Request, db: DbSession, staff: Any, crisis_id: uuid.UUID
) -> dict[str, Any]:
    crisis = service.get(db, crisis_id=crisis_id, actor=staff)
    return {
        "staff": staff,
        "crisis": crisis,
        "board": repository.board(db, crisis_id=crisis_id, actor=staff),
        "refresh": BOARD_REFRESH_SECONDS,
        "may_export": staff.role in EVACUATION_LIST_READERS,
        "reach": unreached.board_figures(db, staff, crisis_id),
        "labels": labels,
        **_help_context(request, db, staff, crisis_id),
    }


def _help_context(
    request: Request, db: DbSession, staff: Any, crisis_id: uuid.UUID
) -> dict[str, Any]:
    """The list of who asked for help (staff who may see people by name), on its own page
    number, which the board's polling keeps."""
    board_url = f"/officer/crises/{crisis_id}/board"
    if staff.role not in CRISIS_HELP_READERS:
        return {"help_pages": None, "help_rows": [], "board_url": board_url}
    wanted = page_number(request.query_params.get("help_page"))
    pages, rows = paged(
        lambda limit, offset: help_requests.help_requests(
            db, crisis_id=crisis_id, actor=staff, limit=limit, offset=offset
        ),
        wanted,
        help_requests.PER_PAGE,
    )
    language = negotiate(request)
    return {
        "help_pages": pages,
        "help_rows": rows,
        "help_url": lambda number: f"/officer/crises/{crisis_id}?help_page={number}",
        "board_url": board_url + (f"?help_page={pages.page}" if pages.page > 1 else ""),
        "country_name": lambda code: places.country_name(code, language),
        "language_name": lambda code: language_name(code, language) or str(_("Not known")),
    }


@router.get(
    "/officer/crises/{crisis_id}",
    response_class=HTMLResponse,
    dependencies=[staff_page(CRISIS_VIEWERS)],
)
def board_page(request: Request, crisis_id: uuid.UUID, db: DbSession, staff: SignedIn) -> Response:
    """The live crisis board."""
    return render(request, "crisis/board.html", _board_context(request, db, staff, crisis_id))


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
    return render(request, template, _board_context(request, db, staff, crisis_id))
