"""Officers' pages: a person's checks at the agencies (loaded into the person screen with
htmx; a page of its own without JavaScript), the form that queues one, and the checks of
the post's people that need an officer (a tab of the work queue)."""

from __future__ import annotations

import uuid
from typing import Any

from fastapi import APIRouter, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from peduli.agencies import repository, service
from peduli.agencies.envelope import Purpose
from peduli.agencies.models import Source
from peduli.agencies.pages import labels
from peduli.agencies.schemas import VerificationRead
from peduli.api.deps import DbSession, staff_page
from peduli.auth.roles import VERIFICATION_REQUESTERS
from peduli.core.errors import FieldProblem, ValidationFailed
from peduli.core.i18n import _, in_language
from peduli.web import desk, i18n
from peduli.web.desk import SignedIn
from peduli.web.forms import Refusal, all_but_not_found, run_form

router = APIRouter(include_in_schema=False, dependencies=[staff_page(VERIFICATION_REQUESTERS)])

CHECKS = "/officer/agency-checks"
PER_PAGE = 25


def _helpers(request: Request) -> dict[str, Any]:
    language = i18n.negotiate(request)

    def word(table: dict[str, Any], key: str) -> str:
        return in_language(table[key], language) if key in table else key

    return {
        "source_name": lambda key: word(labels.SOURCES, key),
        "state_name": lambda key: word(labels.STATES, key),
        "fields_text": lambda keys: ", ".join(word(labels.FIELDS, key) for key in keys),
        "purpose_name": lambda key: word(labels.PURPOSES, key),
        "purposes": [p.value for p in Purpose],
        "sources": [Source.CIVIL_REGISTRY.value],
    }


def _person_checks(
    request: Request,
    db: DbSession,
    staff: SignedIn,
    person_id: uuid.UUID,
    *,
    form: dict[str, str] | None = None,
    refusal: Refusal | None = None,
) -> Response:
    checks = service.checks_of_person(db, person_id=person_id, actor=staff)
    partial = request.headers.get("HX-Request") == "true" and refusal is None
    name = "agencies/_person_checks.html" if partial else "agencies/person_checks.html"
    context = {
        "person_id": person_id,
        "checks": [VerificationRead.of(c) for c in checks],
        "form": form or {},
        "problems": refusal.problems if refusal else {},
        "failure": refusal.failure if refusal else None,
        "queued": request.query_params.get("queued") == "1",
        **_helpers(request),
    }
    return desk.page(request, name, staff, context, status_code=refusal.status if refusal else 200)


@router.get("/officer/persons/{person_id}/verifications", response_class=HTMLResponse)
def person_checks(
    request: Request, person_id: uuid.UUID, db: DbSession, staff: SignedIn
) -> Response:
    """The person's state at each agency, and the form to check again."""
    return _person_checks(request, db, staff, person_id)


@router.post("/officer/persons/{person_id}/verifications")
async def request_check(
    request: Request, person_id: uuid.UUID, db: DbSession, staff: SignedIn
) -> Response:
    """Queue a check with its purpose and cause; the worker runs it within seconds."""
    form = {k: v for k, v in (await request.form()).items() if isinstance(v, str)}

    def queue() -> object:
        purpose = form.get("purpose", "")
        if purpose not in {p.value for p in Purpose}:
            raise ValidationFailed(
                [FieldProblem("purpose", "purpose_required", _("Choose why you ask."))]
            )
        cause = form.get("cause", "").strip()
        if not 1 <= len(cause) <= 200:
            raise ValidationFailed(
                [
                    FieldProblem(
                        "cause",
                        "cause_required",
                        _("Name the case or request that causes the check (1 to 200 characters)."),
                    )
                ]
            )
        return service.request_check(
            db,
            person_id=person_id,
            source=Source.CIVIL_REGISTRY,
            purpose=Purpose(purpose),
            cause=cause,
            actor=staff,
        )

    return run_form(
        db,
        queue,
        done=lambda _check: RedirectResponse(
            f"/officer/persons/{person_id}/verifications?queued=1", status_code=303
        ),
        refused=lambda refusal: _person_checks(
            request, db, staff, person_id, form=form, refusal=refusal
        ),
        refuses=all_but_not_found,
    )


@router.get(CHECKS, response_class=HTMLResponse)
def checks_needing_officer(request: Request, db: DbSession, staff: SignedIn) -> Response:
    """My post's people whose check found a mismatch, no such NIK, or the agency down."""
    pages, rows = desk.paged(
        lambda limit, offset: repository.needing_officer(db, staff, limit=limit, offset=offset),
        desk.page_number(request.query_params.get("page")),
        PER_PAGE,
    )
    context = {
        "rows": [(VerificationRead.of(check), person) for check, person in rows],
        "pages": pages,
        "url": desk.url_with(CHECKS, {}),
        **_helpers(request),
    }
    return desk.page(request, "agencies/checks.html", staff, context)
