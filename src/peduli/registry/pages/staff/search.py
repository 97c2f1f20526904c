"""Officer search by name (tolerant of spelling variants), NIK, passport, phone or birth date.

Identifiers travel only in the POST body; the results link to the person screen.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, Response
from pydantic import ValidationError

from peduli.api.deps import DbSession, staff_page
from peduli.auth.policy import MIN_REASON_LENGTH
from peduli.auth.roles import REGISTRY_SEARCHERS
from peduli.core.errors import FieldProblem, ValidationFailed
from peduli.registry import search
from peduli.registry.schemas import PersonSearch
from peduli.web import desk
from peduli.web.desk import SignedIn
from peduli.web.forms import only, run_form

router = APIRouter(include_in_schema=False, dependencies=[staff_page(REGISTRY_SEARCHERS)])

FIELDS = ("name", "nik", "passport_number", "phone", "date_of_birth", "reason")
RESULTS = 50
Field = Annotated[str, Form(max_length=500)]


def _problems_of(error: ValidationError) -> dict[str, FieldProblem]:
    """Pydantic's complaints as one problem per field (the page words them itself)."""
    problems: dict[str, FieldProblem] = {}
    for item in error.errors():
        field = str(item["loc"][0]) if item.get("loc") else "name"
        problems.setdefault(field, FieldProblem(field, str(item.get("type", "invalid")), ""))
    return problems


@router.get("/officer/search", response_class=HTMLResponse)
def search_form(request: Request, staff: SignedIn) -> Response:
    """An empty search form."""
    context: dict[str, Any] = {
        "values": {},
        "problems": {},
        "outcome": None,
        "min_length": MIN_REASON_LENGTH,
    }
    return desk.page(request, "officer/search.html", staff, context)


@router.post("/officer/search", response_class=HTMLResponse)
def run_search(
    request: Request,
    db: DbSession,
    staff: SignedIn,
    name: Field = "",
    nik: Field = "",
    passport_number: Field = "",
    phone: Field = "",
    date_of_birth: Field = "",
    reason: Field = "",
) -> Response:
    """Search; identifiers match exactly, names fuzzily, within my jurisdiction unless I
    state a reason."""
    typed = {
        "name": name,
        "nik": nik,
        "passport_number": passport_number,
        "phone": phone,
        "date_of_birth": date_of_birth,
        "reason": reason,
    }
    values = {key: value.strip() for key, value in typed.items()}

    def shown(
        outcome: search.SearchOutcome | None, problems: dict[str, FieldProblem]
    ) -> HTMLResponse:
        context = {
            "values": values,
            "problems": problems,
            "outcome": outcome,
            "min_length": MIN_REASON_LENGTH,
        }
        status = 422 if problems else 200
        return desk.page(request, "officer/search.html", staff, context, status_code=status)

    try:
        query = PersonSearch.model_validate(
            {key: value for key, value in values.items() if value} | {"limit": RESULTS}
        )
    except ValidationError as invalid:
        return shown(None, _problems_of(invalid))
    return run_form(
        db,
        lambda: search.search_people(db, query=query, actor=staff),
        done=lambda outcome: shown(outcome, {}),
        refused=lambda refusal: shown(None, refusal.problems),
        refuses=only(ValidationFailed),
    )
