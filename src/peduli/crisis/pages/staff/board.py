"""The staff crisis pages: the crises they follow and the live crisis board.

The board refreshes itself with htmx polling, or with a meta refresh without JavaScript.
"""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from peduli.api.deps import DbSession, OptionalActor, staff_page
from peduli.auth.pages.staff import staff_or_none, to_sign_in
from peduli.auth.roles import CRISIS_DECLARERS, CRISIS_VIEWERS, EVACUATION_LIST_READERS
from peduli.core.errors import PeduliError
from peduli.core.i18n import _
from peduli.crisis import labels, repository, service
from peduli.crisis.pages.staff import unreached
from peduli.web.rendering import render

router = APIRouter(include_in_schema=False)
BOARD_REFRESH_SECONDS = 10


@router.get(
    "/officer/crises", response_class=HTMLResponse, dependencies=[staff_page(CRISIS_VIEWERS)]
)
def crises_page(request: Request, db: DbSession, actor: OptionalActor) -> Response:
    """The crises staff follow, newest first."""
    staff = staff_or_none(actor)
    if staff is None:
        return to_sign_in(request)
    crises = service.list_crises(db, actor=staff)
    context = {"crises": crises, "labels": labels, "may_declare": staff.role in CRISIS_DECLARERS}
    return render(request, "crisis/crises.html", {"staff": staff, **context})


def _board_context(db: DbSession, staff: Any, crisis_id: uuid.UUID) -> dict[str, Any]:
    crisis = service.get(db, crisis_id=crisis_id, actor=staff)
    return {
        "staff": staff,
        "crisis": crisis,
        "board": repository.board(db, crisis_id=crisis_id, actor=staff),
        "refresh": BOARD_REFRESH_SECONDS,
        "may_export": staff.role in EVACUATION_LIST_READERS,
        "reach": unreached.board_figures(db, staff, crisis_id),
        "labels": labels,
    }


@router.get(
    "/officer/crises/{crisis_id}",
    response_class=HTMLResponse,
    dependencies=[staff_page(CRISIS_VIEWERS)],
)
def board_page(
    request: Request, crisis_id: uuid.UUID, db: DbSession, actor: OptionalActor
) -> Response:
    """The live crisis board."""
    staff = staff_or_none(actor)
    if staff is None:
        return to_sign_in(request)
    return render(request, "crisis/board.html", _board_context(db, staff, crisis_id))


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
    return render(request, template, _board_context(db, staff, crisis_id))
