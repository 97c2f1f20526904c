"""A person's cases and SOS calls, for the person screen (which loads this list with htmx:
the registry knows nothing of cases), with the way to open a new case for them."""

from __future__ import annotations

import uuid

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, Response

from peduli.api.deps import DbSession, staff_page
from peduli.auth.roles import CASE_WORKERS
from peduli.cases import repository, workflow
from peduli.cases.models import IntakeChannel
from peduli.cases.pages import common
from peduli.core.db import utcnow
from peduli.web import desk
from peduli.web.desk import SignedIn
from peduli.web.i18n import negotiate

router = APIRouter(include_in_schema=False, dependencies=[staff_page(CASE_WORKERS)])


@router.get("/officer/persons/{person_id}/cases", response_class=HTMLResponse)
def person_cases(
    request: Request, person_id: uuid.UUID, db: DbSession, staff: SignedIn
) -> Response:
    """Their SOS calls and other cases of my post(s): the list alone for the person screen,
    a page of its own without htmx."""
    cases = repository.cases_of_person(db, actor=staff, person_id=person_id)
    language = negotiate(request)
    now = utcnow()
    context = {
        "person_id": person_id,
        "sos": [c for c in cases if c.intake_channel == IntakeChannel.EMERGENCY],
        "cases": [c for c in cases if c.intake_channel != IntakeChannel.EMERGENCY],
        "category_name": lambda code: common.category_name(code, language),
        "sla_of": lambda case: workflow.sla_state(case, now),
        "new_case": f"{common.CASES}/new?person_id={person_id}",
    }
    partial = request.headers.get("HX-Request") == "true"
    name = "cases/pages/_person_cases.html" if partial else "cases/pages/person_cases.html"
    return desk.page(request, name, staff, context)
