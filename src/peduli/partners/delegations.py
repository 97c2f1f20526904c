"""Delegations of a case to community partners, as the representation sees them: delegate,
list, write to the partner, revoke. Revoking cuts the partner's access at once, because
every partner request decides access from the delegation rows (``delegated_cases``)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.auth import audit
from peduli.auth.actor import Actor
from peduli.cases.access import load_case
from peduli.cases.models import Case, CaseEvent
from peduli.core.db import is_postgres, utcnow
from peduli.core.errors import Conflict, FieldProblem, NotFound, ValidationFailed
from peduli.core.i18n import _, in_language
from peduli.notify import service as notify_service
from peduli.partners import events, workflow
from peduli.partners.models import (
    ACTIVE_DELEGATION,
    Delegation,
    DelegationStatus,
    Partner,
)
from peduli.partners.schemas import DelegationCreate, NoteCreate, Revocation
from peduli.partners.sharing import share_basis

DEFAULT_DEADLINE = timedelta(days=3)


@dataclass(frozen=True)
class DelegationView:
    delegation: Delegation
    partner_name: str


def _partner_for(session: Session, case: Case, partner_id: uuid.UUID) -> Partner:
    partner = session.scalar(
        select(Partner).where(
            Partner.id == partner_id,
            Partner.representation_code == case.representation_code,
            Partner.active.is_(True),
        )
    )
    if partner is None:
        raise ValidationFailed(
            [
                FieldProblem(
                    "partner_id",
                    "unknown_partner",
                    _("No active partner of the case's representation has this id."),
                    _("List them with GET /api/v1/partners?active=true."),
                )
            ]
        )
    return partner


def delegate(
    session: Session, *, case_id: uuid.UUID, data: DelegationCreate, actor: Actor
) -> DelegationView:
    """Hand a case to a partner of the same representation for a task."""
    case = load_case(session, case_id=case_id, actor=actor, action="partners.delegation_create")
    partner = _partner_for(session, case, data.partner_id)
    basis = share_basis(data)
    open_already = session.scalar(
        select(Delegation.id).where(
            Delegation.case_id == case.id,
            Delegation.partner_id == partner.id,
            Delegation.status.in_(ACTIVE_DELEGATION),
        )
    )
    if open_already is not None:
        raise Conflict(
            _("This partner already has an open delegation of this case."),
            code="delegation_open",
        )
    now = utcnow()
    delegation = Delegation(
        case_id=case.id,
        partner_id=partner.id,
        task=data.task,
        status=DelegationStatus.SENT.value,
        basis=basis.basis.value,
        basis_note=basis.note,
        share_contact=data.share_contact,
        share_address=data.share_address,
        due_at=workflow.deadline(case, data.due_at, DEFAULT_DEADLINE),
        created_by_account_id=actor.account_id,
        status_changed_at=now,
    )
    session.add(delegation)
    # A concurrent delegation to the same partner fails on the unique index (a 409).
    session.flush()
    events.add(
        session,
        case,
        kind=events.DELEGATION,
        actor=actor,
        text=data.task,
        data={
            "delegation_id": delegation.id,
            "partner_id": partner.id,
            "partner_name": partner.name,
            "status": delegation.status,
            "basis": delegation.basis,
        },
        delegation_id=delegation.id,
    )
    if partner.contact_email:
        names = {"reference": case.reference, "partner": partner.name}
        language = partner.reader_language()
        notify_service.enqueue(
            session,
            channel="email",
            recipient=partner.contact_email,
            subject=in_language(_("Peduli: a case was delegated to you"), language),
            body=in_language(
                _(
                    "Case {reference} was delegated to {partner}. Open Peduli to accept or "
                    "decline it."
                ).format(**names),
                language,
            ),
            idempotency_key=f"partners.delegation-sent:{delegation.id}",
        )
    audit.record(
        session,
        actor=actor,
        action="partners.delegation_create",
        entity_type="case_delegation",
        entity_id=str(delegation.id),
        fields=["partner_id", "task", "basis", "share_contact", "share_address"],
        reason=basis.note if basis.basis != "consent" else None,
        ip=actor.ip,
    )
    return DelegationView(delegation=delegation, partner_name=partner.name)


def list_delegations(session: Session, *, case_id: uuid.UUID, actor: Actor) -> list[DelegationView]:
    """A case's delegations, oldest first."""
    case = load_case(session, case_id=case_id, actor=actor, action="partners.delegation_list")
    rows = session.execute(
        select(Delegation, Partner.name)
        .join(Partner, Partner.id == Delegation.partner_id)
        .where(Delegation.case_id == case.id)
        .order_by(Delegation.created_at, Delegation.id)
    )
    return [DelegationView(delegation=d, partner_name=name) for d, name in rows.all()]


def _delegation(
    session: Session, case: Case, delegation_id: uuid.UUID, *, for_update: bool = False
) -> DelegationView:
    query = (
        select(Delegation, Partner.name)
        .join(Partner, Partner.id == Delegation.partner_id)
        .where(Delegation.id == delegation_id, Delegation.case_id == case.id)
    )
    if for_update and is_postgres(session):
        query = query.with_for_update(of=Delegation)
    row = session.execute(query).first()
    if row is None:
        raise NotFound(_("This case has no delegation with this id."))
    return DelegationView(delegation=row[0], partner_name=row[1])


def get_delegation(
    session: Session, *, case_id: uuid.UUID, delegation_id: uuid.UUID, actor: Actor
) -> DelegationView:
    case = load_case(session, case_id=case_id, actor=actor, action="partners.delegation_read")
    return _delegation(session, case, delegation_id)


def revoke(
    session: Session,
    *,
    case_id: uuid.UUID,
    delegation_id: uuid.UUID,
    data: Revocation,
    actor: Actor,
) -> DelegationView:
    """Withdraw a delegation; from the next request on the partner no longer sees the case."""
    case = load_case(session, case_id=case_id, actor=actor, action="partners.delegation_revoke")
    view = _delegation(session, case, delegation_id, for_update=True)
    workflow.change_status(
        session,
        case,
        view.delegation,
        transitions=workflow.REVOCATIONS,
        target=DelegationStatus.REVOKED,
        note=data.reason,
        actor=actor,
        action="partners.delegation_revoke",
        reason=data.reason,
        event_data={"partner_name": view.partner_name},
    )
    return view


def note_to_partner(
    session: Session,
    *,
    case_id: uuid.UUID,
    delegation_id: uuid.UUID,
    data: NoteCreate,
    actor: Actor,
) -> CaseEvent:
    """A note from the representation that the delegated partner sees (e.g. an answer to
    its escalation)."""
    case = load_case(session, case_id=case_id, actor=actor, action="partners.delegation_note")
    view = _delegation(session, case, delegation_id)
    if DelegationStatus(view.delegation.status) not in ACTIVE_DELEGATION:
        raise Conflict(
            _("This delegation is closed; the partner can no longer read notes."),
            code="delegation_closed",
        )
    event = events.add(
        session,
        case,
        kind=events.PARTNER_NOTE,
        actor=actor,
        text=data.text,
        data={"delegation_id": view.delegation.id, "to_partner": view.partner_name},
        delegation_id=view.delegation.id,
    )
    audit.record(
        session,
        actor=actor,
        action="partners.delegation_note",
        entity_type="case_delegation",
        entity_id=str(view.delegation.id),
        fields=["note"],
        ip=actor.ip,
    )
    return event
