"""The officer's page of a case's referrals and delegations: send a referral, record the
agency's answer, delegate to a partner, revoke. Server-rendered forms, no JS needed."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from peduli.api.deps import DbSession, staff_page
from peduli.auth.actor import Actor
from peduli.auth.pages.staff import to_sign_in
from peduli.auth.roles import CASE_WORKERS
from peduli.cases.access import load_case
from peduli.core.errors import PeduliError
from peduli.core.i18n import _
from peduli.partners import agencies, delegations, referrals, service, workflow
from peduli.partners.models import ACTIVE_DELEGATION, ReferralStatus
from peduli.partners.pages import refused_context
from peduli.partners.schemas import DelegationCreate, ReferralCreate, ReferralUpdate, Revocation
from peduli.web.desk import Staff
from peduli.web.forms import all_but_not_found, run_form
from peduli.web.i18n import negotiate
from peduli.web.rendering import render

router = APIRouter(include_in_schema=False, dependencies=[staff_page(CASE_WORKERS)])
Text = Annotated[str, Form(max_length=4000)]
DONE = {
    "referral": _("The referral is recorded and sent."),
    "referral_status": _("The agency's answer is recorded."),
    "delegation": _("The case is delegated; the partner sees it now."),
    "revoked": _("The delegation is revoked; the partner no longer sees the case."),
}


def _page(
    request: Request,
    db: Session,
    staff: Actor,
    case_id: uuid.UUID,
    *,
    done: str = "",
    failure: PeduliError | None = None,
    form: dict[str, str] | None = None,
) -> HTMLResponse:
    case = load_case(db, case_id=case_id, actor=staff, action="partners.sharing_page")
    language = negotiate(request)
    _total, partners = service.list_partners(
        db,
        actor=staff,
        filters=service.PartnerFilters(representation_code=case.representation_code, active=True),
        limit=service.MAX_PAGE,
    )
    return render(
        request,
        "partners/sharing.html",
        {
            "staff": staff,
            "case": case,
            "referrals": referrals.list_referrals(db, case_id=case_id, actor=staff),
            "delegations": delegations.list_delegations(db, case_id=case_id, actor=staff),
            "partners": [
                v.partner
                for v in partners
                if v.partner.representation_code == case.representation_code
            ],
            "kinds": [(k.code, k.name(language)) for k in agencies.agency_kinds()],
            "open_delegation": {s.value for s in ACTIVE_DELEGATION},
            "referral_next": {
                status.value: sorted(s.value for s in targets)
                for status, targets in workflow.REFERRAL_TRANSITIONS.items()
            },
            "done": DONE.get(done),
            **refused_context(failure, form),
        },
        status_code=failure.status if failure else 200,
    )


@router.get("/officer/cases/{case_id}/sharing", response_class=HTMLResponse)
def sharing(
    request: Request,
    case_id: uuid.UUID,
    db: DbSession,
    staff: Staff,
    done: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    """The case's referrals to agencies and delegations to partners, with their forms."""
    if staff is None:
        return to_sign_in(request)
    return _page(request, db, staff, case_id, done=done)


def _basis(form: dict[str, str]) -> dict[str, Any]:
    if form.get("basis") == "consent":
        return {"consent": True, "consent_note": form.get("basis_note") or None}
    if form.get("basis") in ("vital_interest", "legal_obligation", "public_task"):
        return {"legal_ground": form["basis"], "legal_ground_note": form.get("basis_note")}
    return {"consent": False}


def _run(
    request: Request,
    db: Session,
    staff: Actor,
    case_id: uuid.UUID,
    done: str,
    form: dict[str, str],
    action: Callable[[], object],
) -> Response:
    """Run a sharing form's action; back to the sharing page, with the problem if refused."""
    return run_form(
        db,
        action,
        done=f"/officer/cases/{case_id}/sharing?done={done}",
        refused=lambda refusal: _page(
            request, db, staff, case_id, failure=refusal.error, form=form
        ),
        refuses=all_but_not_found,
    )


@router.post("/officer/cases/{case_id}/sharing/referrals")
def send_referral(
    request: Request,
    case_id: uuid.UUID,
    db: DbSession,
    staff: Staff,
    agency_kind: Text = "",
    agency_name: Text = "",
    purpose: Text = "",
    basis: Text = "",
    basis_note: Text = "",
) -> Response:
    """Refer the case to an agency."""
    if staff is None:
        return to_sign_in(request)
    form = {"agency_kind": agency_kind, "agency_name": agency_name, "purpose": purpose,
            "basis": basis, "basis_note": basis_note}  # fmt: skip

    def act() -> None:
        body = ReferralCreate.model_validate(
            {
                "agency_kind": agency_kind,
                "agency_name": agency_name,
                "purpose": purpose,
                **_basis(form),
            }
        )
        referrals.create_referral(db, case_id=case_id, data=body, actor=staff)

    return _run(request, db, staff, case_id, "referral", form, act)


@router.post("/officer/cases/{case_id}/sharing/referrals/{referral_id}")
def answer_referral(
    request: Request,
    case_id: uuid.UUID,
    referral_id: uuid.UUID,
    db: DbSession,
    staff: Staff,
    status: Text = "",
    note: Text = "",
) -> Response:
    """Record what the agency answered."""
    if staff is None:
        return to_sign_in(request)
    if status not in {s.value for s in ReferralStatus}:
        return RedirectResponse(f"/officer/cases/{case_id}/sharing", status_code=303)

    def act() -> None:
        referrals.update_referral(
            db,
            case_id=case_id,
            referral_id=referral_id,
            data=ReferralUpdate(status=ReferralStatus(status), note=note.strip() or None),
            actor=staff,
        )

    return _run(request, db, staff, case_id, "referral_status", {}, act)


@router.post("/officer/cases/{case_id}/sharing/delegations")
def delegate(
    request: Request,
    case_id: uuid.UUID,
    db: DbSession,
    staff: Staff,
    partner_id: Text = "",
    task: Text = "",
    share_contact: Text = "",
    share_address: Text = "",
    basis: Text = "",
    basis_note: Text = "",
) -> Response:
    """Delegate the case to a partner of the post."""
    if staff is None:
        return to_sign_in(request)
    form = {"partner_id": partner_id, "task": task, "basis": basis, "basis_note": basis_note}

    def act() -> None:
        body = DelegationCreate.model_validate(
            {
                "partner_id": partner_id,
                "task": task,
                "share_contact": share_contact == "yes",
                "share_address": share_address == "yes",
                **_basis(form),
            }
        )
        delegations.delegate(db, case_id=case_id, data=body, actor=staff)

    return _run(request, db, staff, case_id, "delegation", form, act)


@router.post("/officer/cases/{case_id}/sharing/delegations/{delegation_id}/revocation")
def revoke(
    request: Request,
    case_id: uuid.UUID,
    delegation_id: uuid.UUID,
    db: DbSession,
    staff: Staff,
    reason: Text = "",
) -> Response:
    """Withdraw a delegation."""
    if staff is None:
        return to_sign_in(request)

    def act() -> None:
        delegations.revoke(
            db,
            case_id=case_id,
            delegation_id=delegation_id,
            data=Revocation(reason=reason),
            actor=staff,
        )

    return _run(request, db, staff, case_id, "revoked", {"reason": reason}, act)
