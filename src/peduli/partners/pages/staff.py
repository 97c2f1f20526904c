"""The officers' partner pages: the list of their representation's partners, and a case's
referrals and delegations (send a referral, record the agency's answer, delegate to a
partner, revoke). Server-rendered forms, no JS needed."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Annotated, Any

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response
from sqlalchemy.orm import Session

from peduli.api.deps import DbSession, staff_page
from peduli.auth import policy
from peduli.auth.actor import Actor
from peduli.auth.roles import CASE_WORKERS, PARTNER_MANAGERS
from peduli.cases.access import load_case
from peduli.core.errors import PeduliError
from peduli.core.i18n import _
from peduli.partners import agencies, delegations, referrals, repository, workflow
from peduli.partners.models import PartnerKind, ReferralStatus
from peduli.partners.pages.common import page, refused_context
from peduli.partners.schemas import DelegationCreate, ReferralCreate, ReferralUpdate, Revocation
from peduli.reference.profile import get_profile
from peduli.web.desk import SignedIn
from peduli.web.forms import all_but_not_found, run_form
from peduli.web.i18n import negotiate
from peduli.web.rendering import render

router = APIRouter(include_in_schema=False)
# A case's referrals and delegations are for the case's workers; the partner list is not.
case_sharing = APIRouter(include_in_schema=False, dependencies=[staff_page(CASE_WORKERS)])
Text = Annotated[str, Form(max_length=4000)]
DONE = {
    "referral": _("The referral is recorded and sent."),
    "referral_status": _("The agency's answer is recorded."),
    "delegation": _("The case is delegated; the partner sees it now."),
    "revoked": _("The delegation is revoked; the partner no longer sees the case."),
}


def _sharing_page(
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
    partners = repository.partners_of_post(db, actor=staff, post=case.representation_code)
    return render(
        request,
        "partners/sharing.html",
        {
            "staff": staff,
            "case": case,
            "referrals": referrals.list_referrals(db, case_id=case_id, actor=staff),
            "delegations": delegations.list_delegations(db, case_id=case_id, actor=staff),
            "partners": partners,
            "kinds": [(k.code, k.name(language)) for k in agencies.agency_kinds()],
            "open_delegation": {s.value for s in workflow.REVOCABLE},
            "referral_next": {
                status.value: sorted(s.value for s in targets)
                for status, targets in workflow.REFERRAL_TRANSITIONS.items()
            },
            "done": DONE.get(done),
            **refused_context(failure, form),
        },
        status_code=failure.status if failure else 200,
    )


@case_sharing.get("/officer/cases/{case_id}/sharing", response_class=HTMLResponse)
def sharing(
    request: Request,
    case_id: uuid.UUID,
    db: DbSession,
    staff: SignedIn,
    done: Annotated[str, Query(max_length=20)] = "",
) -> Response:
    """The case's referrals to agencies and delegations to partners, with their forms."""
    return _sharing_page(request, db, staff, case_id, done=done)


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
        refused=lambda refusal: _sharing_page(
            request, db, staff, case_id, failure=refusal.error, form=form
        ),
        refuses=all_but_not_found,
    )


@case_sharing.post("/officer/cases/{case_id}/sharing/referrals")
def send_referral(
    request: Request,
    case_id: uuid.UUID,
    db: DbSession,
    staff: SignedIn,
    agency_kind: Text = "",
    agency_name: Text = "",
    purpose: Text = "",
    basis: Text = "",
    basis_note: Text = "",
) -> Response:
    """Refer the case to an agency."""
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


@case_sharing.post("/officer/cases/{case_id}/sharing/referrals/{referral_id}")
def answer_referral(
    request: Request,
    case_id: uuid.UUID,
    referral_id: uuid.UUID,
    db: DbSession,
    staff: SignedIn,
    status: Text = "",
    note: Text = "",
) -> Response:
    """Record what the agency answered."""
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


@case_sharing.post("/officer/cases/{case_id}/sharing/delegations")
def delegate(
    request: Request,
    case_id: uuid.UUID,
    db: DbSession,
    staff: SignedIn,
    partner_id: Text = "",
    task: Text = "",
    share_contact: Text = "",
    share_address: Text = "",
    basis: Text = "",
    basis_note: Text = "",
) -> Response:
    """Delegate the case to a partner of the post."""
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


@case_sharing.post("/officer/cases/{case_id}/sharing/delegations/{delegation_id}/revocation")
def revoke(
    request: Request,
    case_id: uuid.UUID,
    delegation_id: uuid.UUID,
    db: DbSession,
    staff: SignedIn,
    reason: Text = "",
) -> Response:
    """Withdraw a delegation."""

    def act() -> None:
        delegations.revoke(
            db,
            case_id=case_id,
            delegation_id=delegation_id,
            data=Revocation(reason=reason),
            actor=staff,
        )

    return _run(request, db, staff, case_id, "revoked", {"reason": reason}, act)


@router.get(
    "/officer/partners", response_class=HTMLResponse, dependencies=[staff_page(PARTNER_MANAGERS)]
)
def officer_partner_list(
    request: Request,
    db: DbSession,
    staff: SignedIn,
    home_province: Annotated[str, Query(max_length=2)] = "",
    show: Annotated[str, Query(max_length=10)] = "active",
    representation: Annotated[str, Query(max_length=40)] = "",
) -> Response:
    """The community partners of my representation (HQ: of any, with a filter)."""
    hq = policy.post_scope(staff).every_post
    filters = repository.PartnerFilters(
        representation_code=(representation or None) if hq else None,
        active=None if show == "all" else True,
        home_province=home_province or None,
    )
    total, rows = repository.list_partners(
        db, actor=staff, filters=filters, limit=repository.MAX_PAGE
    )
    profile = get_profile()
    provinces = sorted(
        ((code, profile.home_province_name(code) or code) for code in _province_codes()),
        key=lambda pair: pair[1],
    )
    return page(
        request,
        "partners/officer_list.html",
        staff,
        {
            "rows": rows,
            "total": total,
            "hq": hq,
            "provinces": provinces,
            "params": {
                "home_province": home_province,
                "show": show,
                "representation": representation,
            },
            "kinds": {k.value for k in PartnerKind},
        },
    )


def _province_codes() -> list[str]:
    profile = get_profile()
    return [f"{n:02d}" for n in range(11, 100) if profile.home_province_name(f"{n:02d}")]


router.include_router(case_sharing)
