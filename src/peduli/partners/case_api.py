"""Referrals and delegations as sub-resources of a case: ``/cases/{id}/referrals`` and
``/cases/{id}/delegations`` (officers and supervisors of the case's post, HQ admins).

They are part of the case record, so a token needs the case scopes: ``cases:read`` to see
them, ``cases:write`` to refer, delegate, revoke or write to the partner."""

from __future__ import annotations

import uuid
from typing import Annotated

from fastapi import APIRouter, Depends, Response, status

from peduli.api.deps import DbSession, require_scope
from peduli.auth.actor import Actor
from peduli.auth.tokens import CASES_READ, CASES_WRITE
from peduli.partners import delegations, referrals
from peduli.partners.schemas import (
    DelegationCreate,
    DelegationRead,
    NoteCreate,
    ReferralCreate,
    ReferralRead,
    ReferralUpdate,
    Revocation,
)

router = APIRouter(tags=["referrals and delegations"])
Reader = Annotated[Actor, Depends(require_scope(CASES_READ))]
Writer = Annotated[Actor, Depends(require_scope(CASES_WRITE))]
NO_STORE = {"Cache-Control": "no-store"}


def _delegation_read(view: delegations.DelegationView) -> DelegationRead:
    d = view.delegation
    return DelegationRead(
        id=d.id,
        case_id=d.case_id,
        partner_id=d.partner_id,
        partner_name=view.partner_name,
        task=d.task,
        status=d.status,
        basis=d.basis,
        basis_note=d.basis_note,
        share_contact=d.share_contact,
        share_address=d.share_address,
        due_at=d.due_at,
        reminded_at=d.reminded_at,
        status_changed_at=d.status_changed_at,
        status_note=d.status_note,
        created_at=d.created_at,
    )


@router.post(
    "/cases/{case_id}/referrals", status_code=status.HTTP_201_CREATED, response_model=ReferralRead
)
def create_referral(
    case_id: uuid.UUID,
    body: ReferralCreate,
    db: DbSession,
    actor: Writer,
    response: Response,
) -> ReferralRead:
    """Refer the case to an agency; needs the citizen's consent or a stated legal ground."""
    response.headers.update(NO_STORE)
    return ReferralRead.model_validate(
        referrals.create_referral(db, case_id=case_id, data=body, actor=actor)
    )


@router.get("/cases/{case_id}/referrals", response_model=list[ReferralRead])
def list_referrals(
    case_id: uuid.UUID, db: DbSession, actor: Reader, response: Response
) -> list[ReferralRead]:
    """The case's referrals, oldest first."""
    response.headers.update(NO_STORE)
    return [
        ReferralRead.model_validate(r)
        for r in referrals.list_referrals(db, case_id=case_id, actor=actor)
    ]


@router.get("/cases/{case_id}/referrals/{referral_id}", response_model=ReferralRead)
def read_referral(
    case_id: uuid.UUID,
    referral_id: uuid.UUID,
    db: DbSession,
    actor: Reader,
    response: Response,
) -> ReferralRead:
    """One referral of the case."""
    response.headers.update(NO_STORE)
    return ReferralRead.model_validate(
        referrals.get_referral(db, case_id=case_id, referral_id=referral_id, actor=actor)
    )


@router.patch("/cases/{case_id}/referrals/{referral_id}", response_model=ReferralRead)
def update_referral(
    case_id: uuid.UUID,
    referral_id: uuid.UUID,
    body: ReferralUpdate,
    db: DbSession,
    actor: Writer,
    response: Response,
) -> ReferralRead:
    """Record the agency's answer: sent → accepted | declined | done, accepted → done."""
    response.headers.update(NO_STORE)
    return ReferralRead.model_validate(
        referrals.update_referral(
            db, case_id=case_id, referral_id=referral_id, data=body, actor=actor
        )
    )


@router.post(
    "/cases/{case_id}/delegations",
    status_code=status.HTTP_201_CREATED,
    response_model=DelegationRead,
)
def create_delegation(
    case_id: uuid.UUID,
    body: DelegationCreate,
    db: DbSession,
    actor: Writer,
    response: Response,
) -> DelegationRead:
    """Delegate the case to a community partner of the same representation."""
    response.headers.update(NO_STORE)
    return _delegation_read(delegations.delegate(db, case_id=case_id, data=body, actor=actor))


@router.get("/cases/{case_id}/delegations", response_model=list[DelegationRead])
def list_delegations(
    case_id: uuid.UUID, db: DbSession, actor: Reader, response: Response
) -> list[DelegationRead]:
    """The case's delegations, oldest first."""
    response.headers.update(NO_STORE)
    return [
        _delegation_read(v) for v in delegations.list_delegations(db, case_id=case_id, actor=actor)
    ]


@router.get("/cases/{case_id}/delegations/{delegation_id}", response_model=DelegationRead)
def read_delegation(
    case_id: uuid.UUID,
    delegation_id: uuid.UUID,
    db: DbSession,
    actor: Reader,
    response: Response,
) -> DelegationRead:
    """One delegation of the case."""
    response.headers.update(NO_STORE)
    return _delegation_read(
        delegations.get_delegation(db, case_id=case_id, delegation_id=delegation_id, actor=actor)
    )


@router.post(
    "/cases/{case_id}/delegations/{delegation_id}/revocation", response_model=DelegationRead
)
def revoke_delegation(
    case_id: uuid.UUID,
    delegation_id: uuid.UUID,
    body: Revocation,
    db: DbSession,
    actor: Writer,
    response: Response,
) -> DelegationRead:
    """Withdraw the delegation: the partner loses access to the case at once."""
    response.headers.update(NO_STORE)
    return _delegation_read(
        delegations.revoke(db, case_id=case_id, delegation_id=delegation_id, data=body, actor=actor)
    )


@router.post(
    "/cases/{case_id}/delegations/{delegation_id}/notes", status_code=status.HTTP_201_CREATED
)
def note_to_partner(
    case_id: uuid.UUID,
    delegation_id: uuid.UUID,
    body: NoteCreate,
    db: DbSession,
    actor: Writer,
) -> Response:
    """A note the delegated partner sees on its case page (e.g. an answer to an escalation)."""
    event = delegations.note_to_partner(
        db, case_id=case_id, delegation_id=delegation_id, data=body, actor=actor
    )
    return Response(
        content=f'{{"seq": {event.seq}}}',
        media_type="application/json",
        status_code=status.HTTP_201_CREATED,
        headers=NO_STORE,
    )
