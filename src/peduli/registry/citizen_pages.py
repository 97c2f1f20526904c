"""Citizen pages of the registry: lapor diri in steps, my stays, my data, proof of report.

Everything works with plain form posts; htmx only adds inline checks. The draft of a
lapor diri travels in hidden fields of POST bodies (never in a URL), so the flow is
stateless and survives errors. Rules stay in the services: pages read forms, call them,
and show their problems next to the fields.
"""

from __future__ import annotations

import json
import uuid
from functools import partial
from typing import Annotated, Any

from fastapi import APIRouter, Depends, Form, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from peduli.api.deps import OWN, PUBLIC, CurrentActor, DbSession, OptionalActor
from peduli.auth.actor import Actor, Role
from peduli.auth.pages.citizen import sign_in_url
from peduli.core.config import get_settings
from peduli.core.db import utcnow
from peduli.core.downloads import download_headers
from peduli.core.errors import FieldProblem, NotFound, PeduliError, ValidationFailed
from peduli.core.i18n import _, translate
from peduli.reference.places import (
    country_choices,
    country_name,
    directory,
    hotline_of,
    representation_by_code,
)
from peduli.registry import citizen_forms, claims, contacts, corrections, proof, rights, service
from peduli.registry.citizen_forms import LAST_STEP, REPORT_FIELDS, STEPS, Checked
from peduli.registry.models import ClaimStatus, IdentityClaim, Stay
from peduli.web import i18n
from peduli.web.forms import Refusal, only, run_form
from peduli.web.rendering import render, templates_for

router = APIRouter(include_in_schema=False)

LAPOR = "/lapor-diri"
MINE = "/saya"
CLAIMS = "/saya/klaim"
MAX_VALUE = 600  # longer than any field the form has; cuts off junk posts
FORM_KEYS = frozenset({*REPORT_FIELDS, "step", "go", "departed_on"})


async def posted_draft(request: Request) -> dict[str, str]:
    """The form's text fields this flow knows (files and unknown names are ignored)."""
    form = await request.form()
    return {
        key: value[:MAX_VALUE]
        for key, value in form.items()
        if key in FORM_KEYS and isinstance(value, str)
    }


Draft = Annotated[dict[str, str], Depends(posted_draft)]
# A correction request's length (as the API's DataRequestCreate), and how many are listed.
CORRECTION_LENGTH = (5, 2000)
CORRECTIONS_SHOWN = 20


def _is_citizen(actor: Actor | None) -> bool:
    return actor is not None and actor.role == Role.CITIZEN


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
        },
        status_code=422 if problems or failure else 200,
    )


def _preview_code(draft: dict[str, str]) -> str | None:
    """Which post a draft's place goes to, shown before the citizen submits."""
    country = draft.get("country", "").upper()
    found = directory().resolve(country=country, city=draft.get("city") or None)
    return found.code if found else None


@router.get(LAPOR, response_class=HTMLResponse, dependencies=[PUBLIC])
def lapor_diri_start(request: Request, actor: OptionalActor) -> Response:
    """Step 1 of the self-report (citizens sign in first, then come back here)."""
    if not _is_citizen(actor):
        return RedirectResponse(sign_in_url(LAPOR), status_code=303)
    return _lapor_page(request, step=1, draft={}, problems={})


def _checked(request: Request, draft: dict[str, str]) -> Checked:
    return citizen_forms.check_report(
        draft, language=i18n.negotiate(request), today=utcnow().date()
    )


@router.post(LAPOR, response_class=HTMLResponse, dependencies=[PUBLIC])
def lapor_diri_step(
    request: Request, db: DbSession, actor: OptionalActor, draft: Draft
) -> Response:
    """Move between steps (checking the one being left) and submit from the review."""
    if actor is None or not _is_citizen(actor):
        return RedirectResponse(sign_in_url(LAPOR), status_code=303)
    step, go = _step(draft), draft.get("go", "next")
    if go == "back":
        return _lapor_page(request, step=max(1, step - 1), draft=draft, problems={})
    if go.startswith("edit-") and go[5:].isdigit() and int(go[5:]) in STEPS:
        return _lapor_page(request, step=int(go[5:]), draft=draft, problems={})
    checked = _checked(request, draft)
    if go != "submit" or step != LAST_STEP:
        problems = checked.for_step(step)
        next_step = step if problems else min(step + 1, LAST_STEP)
        return _lapor_page(request, step=next_step, draft=draft, problems=problems)
    return _submit(request, db, actor, draft, checked)


def _submit(
    request: Request, db: Session, actor: Actor, draft: dict[str, str], checked: Checked
) -> Response:
    if checked.report is None:
        step = checked.first_step_to_fix or 1
        return _lapor_page(request, step=step, draft=draft, problems=checked.for_step(step))
    report = checked.report
    return run_form(
        db,
        lambda: service.submit_self_report(db, report=report, actor=actor),
        done=_reported,
        refused=lambda refusal: _report_refused(request, draft, refusal),
    )


def _reported(outcome: service.SelfReportOutcome | service.PendingClaim) -> RedirectResponse:
    """On to the stay, or to the claim when the record is not (yet) the citizen's."""
    if isinstance(outcome, service.PendingClaim):
        # The record is not (yet) theirs: nothing of it is shown until the claim is proven.
        return RedirectResponse(f"{CLAIMS}/{outcome.claim.id}", status_code=303)
    return RedirectResponse(f"{LAPOR}/terkirim/{outcome.stay.id}", status_code=303)


def _report_refused(request: Request, draft: dict[str, str], refusal: Refusal) -> HTMLResponse:
    """The first step with a problem the service found, or the last step with the refusal."""
    if not isinstance(refusal.error, ValidationFailed):
        failure = refusal.error
        return _lapor_page(request, step=LAST_STEP, draft=draft, problems={}, failure=failure)
    problems = refusal.problems
    step = min(citizen_forms.step_of(name) for name in problems)
    shown = problems if step == LAST_STEP else Checked(None, problems).for_step(step)
    return _lapor_page(request, step=step, draft=draft, problems=shown)


@router.post(f"{LAPOR}/periksa", response_class=HTMLResponse, dependencies=[PUBLIC])
def lapor_diri_check(request: Request, draft: Draft) -> HTMLResponse:
    """Inline check of one field (htmx): the text of its problem, or nothing."""
    field = request.headers.get("HX-Trigger-Name", "")
    problem = _checked(request, draft).problems.get(field) if field in REPORT_FIELDS else None
    return render(request, "citizen/_error.html", {"problem": problem})


def _reported_page(request: Request, stay: Stay) -> HTMLResponse:
    representation = representation_by_code(stay.representation_code)
    return render(
        request,
        "citizen/reported.html",
        {
            "signed_in": True,
            "stay": stay,
            "country_label": country_name(stay.country, i18n.negotiate(request)),
            "representation": representation,
            "hotline": hotline_of(representation),
        },
    )


def _own_stay(db: Session, actor: Actor, stay_id: uuid.UUID) -> Stay:
    """One of the signed-in citizen's own stays; anyone else's does not exist for them."""
    view = service.own_person_view(db, actor=actor)
    stay = next((s for s in view.stays if s.id == stay_id), None)
    if stay is None:
        raise NotFound(_("No stay has this id; check the link or list your stays again."))
    return stay


@router.get(LAPOR + "/terkirim/{stay_id}", response_class=HTMLResponse, dependencies=[OWN])
def lapor_diri_done(
    request: Request, stay_id: uuid.UUID, db: DbSession, actor: OptionalActor
) -> Response:
    """The self-report is in: which representation serves the citizen, and its hotline."""
    if actor is None or not _is_citizen(actor):
        return RedirectResponse(sign_in_url(MINE), status_code=303)
    return _reported_page(request, _own_stay(db, actor, stay_id))


# --- my identity claims -------------------------------------------------------------------


def _claim_page(
    request: Request,
    claim: IdentityClaim,
    *,
    code: str = "",
    problem: FieldProblem | None = None,
    sent: bool = False,
) -> HTMLResponse:
    representation = representation_by_code(claim.representation_code)
    return render(
        request,
        "citizen/claim.html",
        {
            "signed_in": True,
            "claim": claim,
            "code": code,
            "problem": problem,
            "sent": sent,
            "representation": representation,
            "hotline": hotline_of(representation),
        },
        status_code=422 if problem else 200,
    )


@router.get(CLAIMS + "/{claim_id}", response_class=HTMLResponse, dependencies=[OWN])
def claim_status(
    request: Request, claim_id: uuid.UUID, db: DbSession, actor: OptionalActor
) -> Response:
    """We will confirm your identity: how (a code to the record's contact, or an officer)."""
    if actor is None or not _is_citizen(actor):
        return RedirectResponse(sign_in_url(MINE), status_code=303)
    return _claim_page(request, claims.own_claim(db, claim_id=claim_id, actor=actor))


@router.post(CLAIMS + "/{claim_id}/kode", response_class=HTMLResponse, dependencies=[OWN])
def claim_send_code(
    request: Request, claim_id: uuid.UUID, db: DbSession, actor: CurrentActor
) -> Response:
    """Send a code to the contact the record already holds (the citizen never sees it)."""
    claims.send_code(db, claim_id=claim_id, actor=actor)
    return _claim_page(request, claims.own_claim(db, claim_id=claim_id, actor=actor), sent=True)


@router.post(CLAIMS + "/{claim_id}", response_class=HTMLResponse, dependencies=[OWN])
def claim_prove(
    request: Request,
    claim_id: uuid.UUID,
    db: DbSession,
    actor: CurrentActor,
    code: Annotated[str, Form(max_length=12)] = "",
) -> Response:
    """The code came back: the record is the citizen's; their stays are shown."""
    return run_form(
        db,
        lambda: claims.prove_by_code(db, claim_id=claim_id, code=code, actor=actor),
        done=f"{MINE}?done=claim_proven",
        refused=lambda refusal: _claim_page(
            request,
            claims.own_claim(db, claim_id=claim_id, actor=actor),
            code=code,
            problem=refusal.error.problems[0],
        ),
        refuses=only(ValidationFailed),
    )


# --- my stays -----------------------------------------------------------------------------


def _stay_rows(stays: list[Stay], language: str) -> list[dict[str, Any]]:
    rows = []
    for stay in stays:
        representation = representation_by_code(stay.representation_code)
        rows.append(
            {
                "stay": stay,
                "country_label": country_name(stay.country, language),
                "representation": representation,
                "hotline": hotline_of(representation),
            }
        )
    return rows


def _my_stays_page(
    request: Request,
    db: Session,
    actor: Actor,
    *,
    problem_stay: uuid.UUID | None = None,
    problems: dict[str, FieldProblem] | None = None,
    departed_on: str = "",
    correction: str = "",
    contact_value: str = "",
    contact_code: str = "",
    contact_problem: FieldProblem | None = None,
) -> HTMLResponse:
    view = service.own_person_view(db, actor=actor) if actor.person_id else None
    return render(
        request,
        "citizen/my_stays.html",
        {
            "signed_in": True,
            "person": view.person if view else None,
            "rows": _stay_rows(view.stays, i18n.negotiate(request)) if view else [],
            "done": request.query_params.get("done", ""),
            "pending_claims": [
                c for c in claims.own_claims(db, actor=actor) if c.status == ClaimStatus.PENDING
            ],
            "problem_stay": problem_stay,
            "problems": problems or {},
            "departed_on": departed_on,
            "correction": correction,
            "requests": corrections.own_requests(db, person_id=view.person.id)[:CORRECTIONS_SHOWN]
            if view
            else [],
            "untrusted": contacts.untrusted_of(db, actor=actor),
            "contact_value": contact_value,
            "contact_code": contact_code,
            "contact_problem": contact_problem,
        },
        status_code=422 if problems or contact_problem else 200,
    )


@router.get(MINE, response_class=HTMLResponse, dependencies=[OWN])
def my_stays(request: Request, db: DbSession, actor: OptionalActor) -> Response:
    """The citizen's stays, who serves each, and what they can do with them."""
    if actor is None or not _is_citizen(actor):
        return RedirectResponse(sign_in_url(MINE), status_code=303)
    return _my_stays_page(request, db, actor)


def _update_page(
    request: Request,
    stay: Stay,
    values: dict[str, str],
    problems: dict[str, FieldProblem],
) -> HTMLResponse:
    language = i18n.negotiate(request)
    return render(
        request,
        "citizen/stay_update.html",
        {
            "signed_in": True,
            "stay": stay,
            "values": values,
            "problems": problems,
            "order": citizen_forms.STAY_FIELDS,
            "choices": country_choices(language),
        },
        status_code=422 if problems else 200,
    )


def _stay_values(stay: Stay) -> dict[str, str]:
    """A stay as the update form shows it."""
    return {
        name: "" if getattr(stay, name) is None else str(getattr(stay, name))
        for name in citizen_forms.STAY_FIELDS
    }


@router.get(MINE + "/tinggal/{stay_id}/ubah", response_class=HTMLResponse, dependencies=[OWN])
def stay_update_form(
    request: Request, stay_id: uuid.UUID, db: DbSession, actor: CurrentActor
) -> HTMLResponse:
    """The form to change where and why the citizen stays."""
    stay = _own_stay(db, actor, stay_id)
    return _update_page(request, stay, _stay_values(stay), {})


@router.post(MINE + "/tinggal/{stay_id}/ubah", response_class=HTMLResponse, dependencies=[OWN])
def stay_update(
    request: Request, stay_id: uuid.UUID, db: DbSession, actor: CurrentActor, draft: Draft
) -> Response:
    """Save the change; a move to another city or country re-decides the representation."""
    stay = _own_stay(db, actor, stay_id)
    before = _stay_values(stay)
    if (draft.get("country"), draft.get("city")) != (before["country"], before["city"]):
        # Coordinates left from the old place would contradict the new one.
        for name in ("latitude", "longitude"):
            if draft.get(name) == before[name]:
                draft[name] = ""
    changes, problems = citizen_forms.check_stay_update(draft)
    if changes is None:
        return _update_page(request, stay, draft, problems)
    return run_form(
        db,
        lambda: service.update_stay(db, stay_id=stay_id, changes=changes, actor=actor),
        done=f"{MINE}?done=updated",
        refused=lambda refusal: _update_page(request, stay, draft, refusal.problems),
        refuses=only(ValidationFailed),
    )


@router.post(MINE + "/tinggal/{stay_id}/pulang", response_class=HTMLResponse, dependencies=[OWN])
def stay_departure(
    request: Request, stay_id: uuid.UUID, db: DbSession, actor: CurrentActor, draft: Draft
) -> Response:
    """Record that the citizen has left the country of this stay."""
    _own_stay(db, actor, stay_id)
    text = draft.get("departed_on", "")
    departed_on, problem = citizen_forms.check_departure(text)

    def refused(problem: FieldProblem) -> HTMLResponse:
        return _my_stays_page(
            request,
            db,
            actor,
            problem_stay=stay_id,
            problems={"departed_on": problem},
            departed_on=text,
        )

    if problem is not None:
        return refused(problem)
    assert departed_on is not None  # check_departure gives a day or a problem
    return run_form(
        db,
        lambda: service.report_departure(db, stay_id=stay_id, departed_on=departed_on, actor=actor),
        done=f"{MINE}?done=departed",
        refused=lambda refusal: refused(refusal.error.problems[0]),
        refuses=only(ValidationFailed),
    )


@router.post(MINE + "/koreksi", response_class=HTMLResponse, dependencies=[OWN])
def ask_correction(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    correction: Annotated[str, Form(max_length=8000)] = "",
) -> Response:
    """Ask the representation to correct the record; a refused request keeps its text."""
    text = correction.strip()
    if not CORRECTION_LENGTH[0] <= len(text) <= CORRECTION_LENGTH[1]:
        problem = FieldProblem(
            "correction",
            "correction_length",
            _("Say what is wrong and what is right, in {low} to {high} characters.").format(
                low=CORRECTION_LENGTH[0], high=CORRECTION_LENGTH[1]
            ),
        )
        return _my_stays_page(
            request,
            db,
            actor,
            problems={"correction": problem},
            correction=correction,
        )
    rights.request_correction(db, actor=actor, message=text)
    return RedirectResponse(f"{MINE}?done=correction", status_code=303)


@router.post(MINE + "/kontak/kode", response_class=HTMLResponse, dependencies=[OWN])
def contact_send_code(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    value: Annotated[str, Form(max_length=254)] = "",
) -> Response:
    """Send a code to one of the citizen's unconfirmed phones or emails."""
    contacts.send_code(db, actor=actor, value=value)
    return _my_stays_page(request, db, actor, contact_value=value)


@router.post(MINE + "/kontak", response_class=HTMLResponse, dependencies=[OWN])
def contact_confirm(
    request: Request,
    db: DbSession,
    actor: CurrentActor,
    value: Annotated[str, Form(max_length=254)] = "",
    code: Annotated[str, Form(max_length=12)] = "",
) -> Response:
    """The code came back: the contact is trusted and receives messages."""
    return run_form(
        db,
        lambda: contacts.confirm(db, actor=actor, value=value, code=code),
        done=f"{MINE}?done=contact_confirmed",
        refused=lambda refusal: _my_stays_page(
            request,
            db,
            actor,
            contact_value=value,
            contact_code=code,
            contact_problem=refusal.error.problems[0],
        ),
        refuses=only(ValidationFailed),
    )


@router.post(MINE + "/data", dependencies=[OWN])
def my_data(db: DbSession, actor: CurrentActor) -> Response:
    """Download everything the registry holds on the citizen, as JSON (UU PDP)."""
    document = rights.export_own_data(db, actor=actor)
    return Response(
        json.dumps(document, ensure_ascii=False, indent=2),
        media_type="application/json",
        headers=download_headers("peduli-my-data.json"),
    )


# --- proof of self-report -----------------------------------------------------------------


def proof_url(token: str) -> str:
    """The public address that checks a proof (printed and in the QR code).

    From PEDULI_PUBLIC_URL, never the request's ``Host`` header, which the caller writes."""
    return f"{get_settings().public_url.rstrip('/')}/verify/{token}"


@router.get(MINE + "/tinggal/{stay_id}/bukti.pdf", dependencies=[OWN])
def proof_of_report(
    request: Request, stay_id: uuid.UUID, db: DbSession, actor: CurrentActor
) -> Response:
    """A PDF in the citizen's language with a QR code anyone can scan to check it."""
    stay = _own_stay(db, actor, stay_id)
    person = service.own_person_view(db, actor=actor).person
    today = utcnow().date()
    url = proof_url(proof.issue_token(stay_id=stay.id, issued_on=today))
    language = i18n.negotiate(request)
    representation = representation_by_code(stay.representation_code)
    text = _render_text(
        language,
        "citizen/_proof_lines.html",
        {
            "person": person,
            "stay": stay,
            "today": today,
            "country_label": country_name(stay.country, language),
            "representation": representation,
            "hotline": hotline_of(representation),
            "url": url,
        },
    )
    title, *lines = [line.strip() for line in text.strip().splitlines() if line.strip()]
    document = proof.proof_pdf(title=title, lines=lines, url=url, language=language)
    return Response(
        document,
        media_type="application/pdf",
        headers=download_headers(f"lapor-diri-{str(stay.id)[:8]}.pdf", inline=True),
    )


def _render_text(language: str, name: str, context: dict[str, Any]) -> str:
    """Render a plain-text template in ``language`` (for the PDF's lines)."""
    catalogue = i18n.translations(language)
    template = templates_for(language).env.get_template(name)
    return template.render(
        t=partial(translate, gettext=catalogue.gettext),
        format_date=partial(i18n.format_date, language=language),
        **context,
    )


@router.get("/verify/{token}", response_class=HTMLResponse, dependencies=[PUBLIC])
def verify_proof(request: Request, token: str, db: DbSession) -> HTMLResponse:
    """Check a proof of self-report: the post and dates, never the person's data."""
    check = proof.check_token(db, token=token[:100])
    representation = representation_by_code(check.representation_code) if check else None
    return render(
        request,
        "citizen/verify.html",
        {
            "signed_in": False,
            "check": check,
            "representation": representation,
            "country_label": country_name(check.country, i18n.negotiate(request)) if check else "",
        },
        status_code=200 if check else 404,
        personal=False,
    )
