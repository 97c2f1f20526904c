"""Referrals of a case to agencies: police, immigration, the manpower ministry, BP2MI,
host-country authorities, NGOs. The officer records what the agency answered."""

from __future__ import annotations

import uuid
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.auth import audit
from peduli.auth.actor import Actor
from peduli.cases.access import load_case
from peduli.cases.models import Case
from peduli.core.db import is_postgres, utcnow
from peduli.core.errors import FieldProblem, NotFound, ValidationFailed
from peduli.core.i18n import _
from peduli.partners import agencies, events, workflow
from peduli.partners.models import Referral, ReferralStatus
from peduli.partners.schemas import ReferralCreate, ReferralUpdate
from peduli.partners.sharing import share_basis

DEFAULT_DEADLINE = timedelta(days=7)


def create_referral(
    session: Session, *, case_id: uuid.UUID, data: ReferralCreate, actor: Actor
) -> Referral:
    """Refer a case to an agency, with the citizen's consent or a stated legal ground."""
    case = load_case(session, case_id=case_id, actor=actor, action="partners.referral_create")
    if agencies.get(data.agency_kind) is None:
        raise ValidationFailed(
            [
                FieldProblem(
                    "agency_kind",
                    "unknown_agency_kind",
                    _("There is no agency kind with this code."),
                    _("Use one of: {codes}.").format(codes=", ".join(agencies.codes())),
                )
            ]
        )
    basis = share_basis(data)
    now = utcnow()
    referral = Referral(
        case_id=case.id,
        agency_kind=data.agency_kind,
        agency_name=data.agency_name,
        agency_contact=data.agency_contact or None,
        purpose=data.purpose,
        status=ReferralStatus.SENT.value,
        basis=basis.basis.value,
        basis_note=basis.note,
        due_at=workflow.deadline(case, data.due_at, DEFAULT_DEADLINE),
        created_by_account_id=actor.account_id,
        status_changed_at=now,
    )
    session.add(referral)
    session.flush()
    events.add(
        session,
        case,
        kind=events.REFERRAL,
        actor=actor,
        text=data.purpose,
        data={
            "referral_id": referral.id,
            "status": referral.status,
            "agency_kind": referral.agency_kind,
            "agency_name": referral.agency_name,
            "basis": referral.basis,
        },
    )
    audit.record(
        session,
        actor=actor,
        action="partners.referral_create",
        entity_type="case_referral",
        entity_id=str(referral.id),
        fields=["agency_kind", "agency_name", "purpose", "basis"],
        reason=basis.note if basis.basis != "consent" else None,
        ip=actor.ip,
    )
    return referral


def list_referrals(session: Session, *, case_id: uuid.UUID, actor: Actor) -> list[Referral]:
    """A case's referrals, oldest first."""
    case = load_case(session, case_id=case_id, actor=actor, action="partners.referral_list")
    return list(
        session.scalars(
            select(Referral)
            .where(Referral.case_id == case.id)
            .order_by(Referral.created_at, Referral.id)
        )
    )


def _referral(
    session: Session, case: Case, referral_id: uuid.UUID, *, for_update: bool = False
) -> Referral:
    query = select(Referral).where(Referral.id == referral_id, Referral.case_id == case.id)
    if for_update and is_postgres(session):
        query = query.with_for_update()
    referral = session.scalar(query)
    if referral is None:
        raise NotFound(_("This case has no referral with this id."))
    return referral


def get_referral(
    session: Session, *, case_id: uuid.UUID, referral_id: uuid.UUID, actor: Actor
) -> Referral:
    case = load_case(session, case_id=case_id, actor=actor, action="partners.referral_read")
    return _referral(session, case, referral_id)


def update_referral(
    session: Session,
    *,
    case_id: uuid.UUID,
    referral_id: uuid.UUID,
    data: ReferralUpdate,
    actor: Actor,
) -> Referral:
    """Record the agency's answer: accepted, declined or done."""
    case = load_case(session, case_id=case_id, actor=actor, action="partners.referral_update")
    referral = _referral(session, case, referral_id, for_update=True)
    workflow.change_status(
        session,
        case,
        referral,
        transitions=workflow.REFERRAL_TRANSITIONS,
        target=data.status,
        note=data.note,
        actor=actor,
        action="partners.referral_update",
    )
    return referral
