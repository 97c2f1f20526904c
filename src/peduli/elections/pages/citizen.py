"""The citizen's voter registration (no JavaScript): for each election, whether they are on
their post's list, which committee, and how and where they vote."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from peduli.api.deps import OWN, DbSession, OptionalActor
from peduli.auth.actor import Role
from peduli.auth.pages.citizen import sign_in_url
from peduli.elections import service
from peduli.elections.pages.names import helpers
from peduli.web import i18n
from peduli.web.rendering import render

router = APIRouter(include_in_schema=False)
MINE = "/saya/pemilu"


@router.get(MINE, response_class=HTMLResponse, dependencies=[OWN])
def my_registration(request: Request, db: DbSession, actor: OptionalActor) -> Response:
    """Whether and where I am registered to vote abroad, and how I will vote."""
    if actor is None or actor.role != Role.CITIZEN:
        return RedirectResponse(sign_in_url(MINE), status_code=303)
    return render(
        request,
        "elections/my_registration.html",
        {
            "signed_in": True,
            "registrations": service.my_registration(db, actor=actor),
            **helpers(i18n.negotiate(request)),
        },
    )
