"""The citizen's agency trail on /saya: which agency was asked about them, when and why
(loaded into the "my data" page with htmx; a page of its own without JavaScript)."""

from __future__ import annotations

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from peduli.agencies import service
from peduli.agencies.pages import labels
from peduli.api.deps import OWN, DbSession, OptionalActor
from peduli.auth.actor import Role
from peduli.auth.pages.citizen import sign_in_url
from peduli.core.i18n import in_language
from peduli.web import i18n
from peduli.web.rendering import render

router = APIRouter(include_in_schema=False)
TRAIL = "/saya/agency-trail"


@router.get(TRAIL, response_class=HTMLResponse, dependencies=[OWN])
def agency_trail(request: Request, db: DbSession, actor: OptionalActor) -> Response:
    """The agencies asked about me, newest first."""
    if actor is None or actor.role != Role.CITIZEN:
        return RedirectResponse(sign_in_url(TRAIL), status_code=303)
    language = i18n.negotiate(request)
    total, messages = service.own_agency_trail(db, actor=actor, limit=100, offset=0)
    partial = request.headers.get("HX-Request") == "true"
    name = "agencies/_agency_trail.html" if partial else "agencies/agency_trail.html"
    response = render(request, name, {
        "signed_in": True,
        "total": total,
        "messages": messages,
        "agency_name": lambda key: in_language(labels.AGENCIES[key], language)
        if key in labels.AGENCIES else key,
        "purpose_name": lambda key: in_language(labels.PURPOSES[key], language)
        if key in labels.PURPOSES else key,
    })  # fmt: skip
    response.headers["Cache-Control"] = "no-store"
    return response
