"""A person's passport status, border crossings and placements for the person screen (which
loads this with htmx: the registry knows nothing of agencies), as the worker last fetched them."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from peduli.agencies import travel_records
from peduli.api.deps import DbSession, staff_page
from peduli.auth.roles import TRAVEL_RECORD_READERS
from peduli.web import desk
from peduli.web.desk import SignedIn

router = APIRouter(include_in_schema=False, dependencies=[staff_page(TRAVEL_RECORD_READERS)])


@router.get("/officer/persons/{person_id}/travel", response_class=HTMLResponse)
def person_travel(
    request: Request, person_id: uuid.UUID, db: DbSession, staff: SignedIn
) -> Response:
    """Passport status, last crossings and placements: the panel alone for the person screen,
    a page of its own without htmx."""
    view = travel_records.travel_of(db, actor=staff, person_id=person_id)
    partial = request.headers.get("HX-Request") == "true"
    name = "agencies/_person_travel.html" if partial else "agencies/person_travel.html"
    return desk.page(request, name, staff, {"person_id": person_id, "travel": view})
