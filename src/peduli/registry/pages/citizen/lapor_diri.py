"""Lapor diri in steps: the citizen's self-report, checked step by step and sent.

Everything works with plain form posts; htmx only adds inline checks. Each post is saved as
the citizen's draft on the server (``registry.drafts``, sealed) and answered with a redirect
to the step's page (``?langkah=N``, never an identifier in a URL): the browser's Back, a
reload and the language picker show every step as typed. The form also carries the other
steps in hidden fields, so a post is whole on its own. Rules stay in the services: pages read
forms, call them, and show their problems next to the fields.
"""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from peduli.api.deps import OWN, PUBLIC, DbSession, OptionalActor
from peduli.auth.actor import Actor
from peduli.auth.pages.citizen import sign_in_url
from peduli.core.db import utcnow
from peduli.core.errors import FieldProblem, NotFound, PeduliError, ValidationFailed
from peduli.reference.places import (
    country_choices,
    country_name,
    directory,
    hotline_of,
    representation_by_code,
)
from peduli.registry import claims, drafts, service
from peduli.registry.pages.citizen import forms
from peduli.registry.pages.citizen.common import LAPOR, MINE, Draft, is_citizen, own_stay
from peduli.registry.pages.citizen.forms import LAST_STEP, REPORT_FIELDS, STEPS, Checked
from peduli.web import i18n
from peduli.web.forms import Refusal, run_form
from peduli.web.rendering import render

router = APIRouter(include_in_schema=False)


def _step(draft: dict[str, str]) -> int:
    text = draft.get("step", "1")
    return int(text) if text.isdigit() and int(text) in STEPS else 1


def _lapor_page(
    request: Request,
    *,
    step: int,
    draft: dict[str, str],
    problems: dict[str, FieldProblem],
    failure: PeduliError | None = None,
) -> HTMLResponse:
    language = i18n.negotiate(request)
    preview = None
    if step == LAST_STEP and draft.get("country"):
        preview = representation_by_code(_preview_code(draft))
    return render(
        request,
        "citizen/lapor_diri.html",
        {
            "signed_in": True,
            "step": step,
            "steps": STEPS,
            "last_step": LAST_STEP,
            "all_fields": REPORT_FIELDS,
            "draft": draft,
            "problems": problems,
            "order": STEPS[step] or REPORT_FIELDS,
            "choices": country_choices(language),
            "country_label": country_name(draft.get("country"), language),
            "representation": preview,
            "hotline": hotline_of(preview),
            "failure": failure,
            "picker_form": "lapor-form",
        },
        status_code=422 if problems or failure else 200,
    )


def _preview_code(draft: dict[str, str]) -> str | None:
    """Which post a draft's place goes to, shown before the citizen submits."""
    country = draft.get("country", "").upper()
    found = directory().resolve(country=country, city=draft.get("city") or None)
    return found.code if found else None


@router.get(LAPOR, response_class=HTMLResponse, dependencies=[PUBLIC])
def lapor_diri_start(
    request: Request,
    db: DbSession,
    actor: OptionalActor,
    langkah: Annotated[str, Query(max_length=10)] = "1",
    periksa: Annotated[str, Query(max_length=10)] = "",
) -> Response:
    """A step of the self-report (the first by default) with what the citizen typed so far;
    with ``periksa``, the step's problems (citizens sign in first)."""
    if actor is None or not is_citizen(actor):
        return RedirectResponse(sign_in_url(LAPOR), status_code=303)
    draft = drafts.draft_of(db, account_id=actor.account_id) or {}
    step = _step({"step": langkah})  # an unknown step shows the first
    problems = _checked(request, draft).for_step(step) if periksa == "1" and draft else {}
    return _lapor_page(request, step=step, draft=draft, problems=problems)


def _checked(request: Request, draft: dict[str, str]) -> Checked:
    return forms.check_report(draft, language=i18n.negotiate(request), today=utcnow().date())


def _to_step(step: int, *, check: bool = False) -> RedirectResponse:
    query = f"?langkah={step}" + ("&periksa=1" if check else "")
    return RedirectResponse(LAPOR + query, status_code=303)


@router.post(LAPOR, response_class=HTMLResponse, dependencies=[PUBLIC])
def lapor_diri_step(
    request: Request, db: DbSession, actor: OptionalActor, posted: Draft
) -> Response:
    """Keep what was typed, then move between steps (checking the one being left), switch
    language, or submit from the review."""
    if actor is None or not is_citizen(actor):
        return RedirectResponse(sign_in_url(LAPOR), status_code=303)
    step, go = _step(posted), posted.get("go", "next")
    draft = {k: v for k, v in posted.items() if k in REPORT_FIELDS}
    drafts.keep_draft(db, account_id=actor.account_id, fields=draft)
    if go == "language":
        # The language picker sent the form: the same step, as typed, in the chosen language.
        answer = _to_step(step)
        if posted.get("lang") in i18n.LANGUAGES:
            i18n.remember(answer, posted["lang"])
        return answer
    if go == "back":
        return _to_step(max(1, step - 1))
    if go.startswith("edit-") and go[5:].isdigit() and int(go[5:]) in STEPS:
        return _to_step(int(go[5:]))
    checked = _checked(request, draft)
    if go != "submit" or step != LAST_STEP:
        if checked.for_step(step):
            return _to_step(step, check=True)
        return _to_step(min(step + 1, LAST_STEP))
    return _submit(request, db, actor, draft, checked)


def _submit(
    request: Request, db: Session, actor: Actor, draft: dict[str, str], checked: Checked
) -> Response:
    if checked.report is None:
        return _to_step(checked.first_step_to_fix or 1, check=True)
    report = checked.report

    def send() -> service.SelfReportOutcome | service.PendingClaim:
        outcome = service.submit_self_report(db, report=report, actor=actor)
        drafts.drop_draft(db, account_id=actor.account_id)
        return outcome

    return run_form(
        db,
        send,
        done=_reported,
        refused=lambda refusal: _report_refused(request, draft, refusal),
    )


def _reported(outcome: service.SelfReportOutcome | service.PendingClaim) -> RedirectResponse:
    """On to the same answer whether the report made or joined the citizen's record or
    became a claim on a record that is not theirs (the id is the stay's or the claim's),
    so the answer does not tell whether the NIK or passport is on record. What differs
    happens elsewhere: the claim waits in the post's queue and on the citizen's page."""
    received = outcome.claim.id if isinstance(outcome, service.PendingClaim) else outcome.stay.id
    return RedirectResponse(f"{LAPOR}/terkirim/{received}", status_code=303)


def _report_refused(request: Request, draft: dict[str, str], refusal: Refusal) -> HTMLResponse:
    """The first step with a problem the service found, or the last step with the refusal."""
    if not isinstance(refusal.error, ValidationFailed):
        failure = refusal.error
        return _lapor_page(request, step=LAST_STEP, draft=draft, problems={}, failure=failure)
    problems = refusal.problems
    step = min(forms.step_of(name) for name in problems)
    shown = problems if step == LAST_STEP else Checked(None, problems).for_step(step)
    return _lapor_page(request, step=step, draft=draft, problems=shown)


@router.post(f"{LAPOR}/periksa", response_class=HTMLResponse, dependencies=[PUBLIC])
def lapor_diri_check(request: Request, draft: Draft) -> HTMLResponse:
    """Inline check of one field (htmx): the text of its problem, or nothing."""
    field = request.headers.get("HX-Trigger-Name", "")
    problem = _checked(request, draft).problems.get(field) if field in REPORT_FIELDS else None
    return render(request, "citizen/_error.html", {"problem": problem})


def _received(db: Session, actor: Actor, received_id: uuid.UUID) -> tuple[str, str, str | None]:
    """The city, country and serving post of a report the citizen sent: their stay, or
    what their claim's report names."""
    try:
        stay = own_stay(db, actor, received_id)
    except NotFound:
        claim = claims.own_claim(db, claim_id=received_id, actor=actor)
        city, country, representation = claims.reported_place(claim)
        return city, country, representation.code if representation else None
    return stay.city, stay.country, stay.representation_code


@router.get(LAPOR + "/terkirim/{received_id}", response_class=HTMLResponse, dependencies=[OWN])
def lapor_diri_done(
    request: Request, received_id: uuid.UUID, db: DbSession, actor: OptionalActor
) -> Response:
    """The self-report is in: which representation serves the citizen, and its hotline;
    the same page whether or not the NIK or passport was on record."""
    if actor is None or not is_citizen(actor):
        return RedirectResponse(sign_in_url(MINE), status_code=303)
    city, country, representation_code = _received(db, actor, received_id)
    representation = representation_by_code(representation_code)
    return render(
        request,
        "citizen/reported.html",
        {
            "signed_in": True,
            "city": city,
            "country_label": country_name(country, i18n.negotiate(request)),
            "representation": representation,
            "hotline": hotline_of(representation),
        },
    )
