"""The correction of a person's identity by an officer of their post or HQ: one form,
typed input kept after an error, each problem next to its field in the reader's language;
the change and the fields it touched are audited by the registry."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Annotated

from fastapi import APIRouter, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from peduli.api.deps import DbSession, staff_page
from peduli.auth.actor import Actor
from peduli.auth.roles import IDENTITY_EDITORS
from peduli.core.errors import FieldProblem, PeduliError
from peduli.core.i18n import _
from peduli.registry import identity
from peduli.registry.models import Person
from peduli.registry.schemas import IdentityEdit
from peduli.web import desk
from peduli.web.desk import SignedIn
from peduli.web.forms import all_but_not_found, run_form

router = APIRouter(include_in_schema=False, dependencies=[staff_page(IDENTITY_EDITORS)])

Text = Annotated[str, Form(max_length=500)]
SEXES = ("M", "F")


def _path(person_id: uuid.UUID) -> str:
    return f"/officer/persons/{person_id}/identity"


def _form_page(
    request: Request,
    staff: Actor,
    person_id: uuid.UUID,
    form: dict[str, str],
    *,
    problems: dict[str, FieldProblem] | None = None,
    failure: PeduliError | None = None,
    status_code: int = 200,
) -> HTMLResponse:
    return desk.page(
        request,
        "officer/identity.html",
        staff,
        {
            "person_id": person_id,
            "form": form,
            "problems": problems or {},
            "failure": failure,
            "action": _path(person_id),
        },
        status_code=status_code,
    )


def _values(person: Person) -> dict[str, str]:
    return {
        "full_name": person.full_name,
        "date_of_birth": person.date_of_birth.isoformat(),
        "place_of_birth": person.place_of_birth or "",
        "sex": person.sex,
        "nik": identity.nik_of(person) or "",
    }


def checked(form: dict[str, str]) -> tuple[IdentityEdit | None, dict[str, FieldProblem]]:
    """The typed form as an edit, or a problem per field in the reader's language."""
    problems: dict[str, FieldProblem] = {}
    name = form["full_name"].strip()
    if not name:
        problems["full_name"] = FieldProblem(
            "full_name",
            "name_required",
            _("The full name cannot be empty."),
            _("Write the name as in the passport, e.g. Siti Aminah."),
        )
    elif len(name) > 200:
        problems["full_name"] = FieldProblem(
            "full_name",
            "name_too_long",
            _("The full name is longer than {count} characters.").format(count=200),
            _("Shorten it as the passport does."),
        )
    try:
        born = date.fromisoformat(form["date_of_birth"].strip())
    except ValueError:
        problems["date_of_birth"] = FieldProblem(
            "date_of_birth",
            "date_invalid",
            _("The date of birth is not a date."),
            _("Write it as YYYY-MM-DD, e.g. 1990-05-17."),
        )
    if form["sex"] not in SEXES:
        problems["sex"] = FieldProblem(
            "sex", "sex_required", _("Choose the sex."), _("As in the passport: male or female.")
        )
    if len(form["place_of_birth"].strip()) > 120:
        problems["place_of_birth"] = FieldProblem(
            "place_of_birth",
            "place_too_long",
            _("The place of birth is longer than {count} characters.").format(count=120),
            _("Write the town or regency only."),
        )
    if problems:
        return None, problems
    edit = IdentityEdit(
        full_name=name,
        date_of_birth=born,
        place_of_birth=form["place_of_birth"].strip() or None,
        sex=form["sex"],  # checked above
        nik=form["nik"].strip() or None,
    )
    return edit, {}


def _done(correction: identity.Correction) -> str:
    """What the person page tells the officer: corrected (and now like another record?)."""
    if not correction.changed:
        return "unchanged"
    return "identity_duplicates" if correction.possible_duplicates else "identity"


@router.get("/officer/persons/{person_id}/identity", response_class=HTMLResponse)
def identity_form(
    request: Request, person_id: uuid.UUID, db: DbSession, staff: SignedIn
) -> Response:
    """The person's identity fields, ready to correct (the read is audited)."""
    return run_form(
        db,
        lambda: identity.read_identity(db, person_id=person_id, actor=staff),
        done=lambda person: _form_page(request, staff, person_id, _values(person)),
        refused=lambda refusal: _refused(request, staff, person_id, refusal.error),
        refuses=all_but_not_found,
    )


def _refused(
    request: Request, staff: Actor, person_id: uuid.UUID, error: PeduliError
) -> HTMLResponse:
    """A caller who may not correct this record sees why, without the record's values."""
    return desk.page(
        request,
        "officer/identity.html",
        staff,
        {"person_id": person_id, "form": None, "problems": {}, "failure": error},
        status_code=error.status,
    )


@router.post("/officer/persons/{person_id}/identity", response_class=HTMLResponse)
def save_identity(
    request: Request,
    person_id: uuid.UUID,
    db: DbSession,
    staff: SignedIn,
    full_name: Text = "",
    date_of_birth: Annotated[str, Form(max_length=20)] = "",
    place_of_birth: Text = "",
    sex: Annotated[str, Form(max_length=2)] = "",
    nik: Annotated[str, Form(max_length=32)] = "",
) -> Response:
    """Save the correction and go back to the person; else the form again as typed."""
    form = {
        "full_name": full_name,
        "date_of_birth": date_of_birth,
        "place_of_birth": place_of_birth,
        "sex": sex,
        "nik": nik,
    }
    edit, problems = checked(form)
    if edit is None:
        return _form_page(request, staff, person_id, form, problems=problems, status_code=422)
    return run_form(
        db,
        lambda: identity.edit_identity(db, person_id=person_id, edit=edit, actor=staff),
        done=lambda correction: RedirectResponse(
            f"/officer/persons/{person_id}?done={_done(correction)}", status_code=303
        ),
        refused=lambda refusal: _form_page(
            request,
            staff,
            person_id,
            form,
            problems=refusal.problems,
            failure=refusal.failure,
            status_code=refusal.status,
        ),
        refuses=all_but_not_found,
    )
