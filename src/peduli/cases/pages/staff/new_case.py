"""A new case entered at the desk: a walk-in or a phone call.

One plain form: the officer may look the person up in the registry (the name travels in
the POST body, never in a URL), pick them, or write the name and phone of someone not
registered yet. The case service validates and triages.
"""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from peduli.api.deps import DbSession, staff_page
from peduli.auth.actor import Actor
from peduli.auth.roles import CASE_WORKERS
from peduli.cases import service
from peduli.cases.models import IntakeChannel
from peduli.cases.pages import common
from peduli.cases.schemas import CaseCreate
from peduli.core.errors import FieldProblem, PeduliError
from peduli.registry import search
from peduli.registry.schemas import PersonSearch
from peduli.web import desk
from peduli.web.desk import SignedIn
from peduli.web.forms import run_form
from peduli.web.i18n import negotiate

router = APIRouter(include_in_schema=False, dependencies=[staff_page(CASE_WORKERS)])

NEW = common.CASES + "/new"
CHANNELS = (IntakeChannel.WALK_IN, IntakeChannel.PHONE, IntakeChannel.EMERGENCY)
Short = Annotated[str, Form(max_length=200)]
FIELDS = ("category", "summary", "intake_channel", "person_id", "name", "phone", "contact_phone")


def _form_page(
    request: Request,
    staff: Actor,
    form: dict[str, str],
    *,
    problems: dict[str, FieldProblem] | None = None,
    failure: PeduliError | None = None,
    hits: list[search.Hit] | None = None,
    searched: bool = False,
    status_code: int = 200,
) -> HTMLResponse:
    return desk.page(
        request,
        "cases/pages/new.html",
        staff,
        {
            "form": form,
            "problems": problems or {},
            "failure": failure,
            "hits": hits or [],
            "searched": searched,
            "categories": common.category_choices(negotiate(request)),
            "channels": [c.value for c in CHANNELS],
            "order": FIELDS,
        },
        status_code=status_code,
    )


@router.get(NEW, response_class=HTMLResponse)
def new_case_form(
    request: Request,
    db: DbSession,
    staff: SignedIn,
    person_id: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    """The empty form for a walk-in or a phone call; opened from a person's screen, with that
    person already chosen (when I reach them)."""
    form = {"intake_channel": IntakeChannel.WALK_IN.value}
    wanted = common.parse_uuid(person_id)
    person = search.person_in_scope(db, person_id=wanted, actor=staff) if wanted else None
    if person is None:
        return _form_page(request, staff, form)
    chosen = search.Hit(person=person, score=100.0, representation_codes=[])
    return _form_page(
        request, staff, form | {"person_id": str(person.id)}, hits=[chosen], searched=True
    )


def _find(
    db: Session, staff: Actor, form: dict[str, str]
) -> tuple[list[search.Hit], dict[str, FieldProblem]]:
    query, problems = common.checked(PersonSearch, {"name": form.get("find", "").strip() or None})
    if query is None or not query.name:
        return [], {"find": FieldProblem("find", "form.string_too_short", "")}
    outcome = search.search_people(db, query=query, actor=staff)
    return outcome.hits[:10], problems


@router.post(NEW, response_class=HTMLResponse)
def open_case(
    request: Request,
    db: DbSession,
    staff: SignedIn,
    category: Short = "",
    summary: Annotated[str, Form(max_length=5000)] = "",
    intake_channel: Short = IntakeChannel.WALK_IN.value,
    find: Short = "",
    person_id: Short = "",
    name: Short = "",
    phone: Short = "",
    contact_phone: Short = "",
    death_penalty: Short = "",
    danger_to_life: Short = "",
    go: Short = "open",
) -> Response:
    """Look a person up (``go=find``) or open the case and go to its page."""
    form = {
        "category": category,
        "summary": summary,
        "intake_channel": intake_channel,
        "find": find,
        "person_id": person_id,
        "name": name,
        "phone": phone,
        "contact_phone": contact_phone,
        "death_penalty": death_penalty,
        "danger_to_life": danger_to_life,
    }
    if go == "find":
        return run_form(
            db,
            lambda: _find(db, staff, form),
            done=lambda found: _form_page(
                request, staff, form, hits=found[0], problems=found[1], searched=True
            ),
            refused=lambda refusal: _form_page(
                request, staff, form, failure=refusal.error, status_code=refusal.status
            ),
        )
    chosen = common.parse_uuid(person_id) if person_id not in ("", "new") else None
    people = []
    if chosen is None and name.strip():
        people.append({"name": name.strip(), "phone": phone.strip() or None})
    body, problems = common.checked(
        CaseCreate,
        {
            "category": category.strip(),
            "summary": summary.strip(),
            "intake_channel": intake_channel
            if intake_channel in {c.value for c in CHANNELS}
            else None,
            "person_id": chosen,
            "people": people,
            "contact_phone": contact_phone.strip() or None,
            "death_penalty": death_penalty == "yes",
            "danger_to_life": danger_to_life == "yes",
        },
    )
    if not category.strip():
        problems = {"category": FieldProblem("category", "form.choice", ""), **problems}
    if body is None or problems:
        return _form_page(request, staff, form, problems=_flat(problems), status_code=422)
    return run_form(
        db,
        lambda: service.open_case(db, data=body, actor=staff),
        done=lambda case: RedirectResponse(
            f"{common.CASES}/{case.id}?done=created", status_code=303
        ),
        refused=lambda refusal: _form_page(
            request,
            staff,
            form,
            problems=_flat(refusal.problems),
            failure=refusal.failure,
            status_code=refusal.status,
        ),
    )


def _flat(problems: dict[str, Any]) -> dict[str, FieldProblem]:
    """``people[0].phone`` is the form's ``phone``; ``people[0]`` its ``name``."""
    flat: dict[str, FieldProblem] = {}
    for field, problem in problems.items():
        key = field
        if field.startswith("people"):
            key = "phone" if field.endswith("phone") else "name"
        flat.setdefault(key, problem)
    return flat
