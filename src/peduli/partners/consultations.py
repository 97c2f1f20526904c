"""A partner's own consultation becomes a case in one step, delegated back to the partner."""

from __future__ import annotations

from dataclasses import dataclass

from email_validator import EmailNotValidError, validate_email
from sqlalchemy.orm import Session

from peduli.auth import audit
from peduli.auth.actor import Actor
from peduli.cases import service as cases_service
from peduli.cases.models import Case, IntakeChannel
from peduli.core.db import utcnow
from peduli.core.errors import FieldProblem, require_valid
from peduli.core.i18n import _
from peduli.partners import access, delegations, events, workflow
from peduli.partners.models import Delegation, DelegationStatus, Partner
from peduli.partners.schemas import ConsultationCreate
from peduli.partners.sharing import share_basis


@dataclass(frozen=True)
class Consultation:
    case: Case
    delegation: Delegation


def pass_on(session: Session, *, data: ConsultationCreate, actor: Actor) -> Consultation:
    """Open a case (intake channel ``partner``) at the partner's representation and delegate
    it back to the partner, accepted, with the contact shared (the partner has it anyway)."""
    partner_id = access.partner_id_of(session, actor, action="partners.consultation")
    partner = session.get(Partner, partner_id)
    assert partner is not None
    category, problems = cases_service.category_problems(data.category, data.subcategory)
    phone, phone_problems = cases_service.normalize_phone(
        data.phone, field="phone", region=partner.country
    )
    problems += phone_problems
    email = None
    if data.email:
        try:
            email = validate_email(data.email, check_deliverability=False).normalized.lower()
        except EmailNotValidError:
            problems.append(
                FieldProblem(
                    "email",
                    "email_invalid",
                    _("The email is not a valid address."),
                    _("Write it as name@example.org."),
                )
            )
    if not (data.name or phone or email):
        problems.append(
            FieldProblem(
                "name",
                "person_required",
                _("Give at least the citizen's name, phone or email."),
                _("The representation must be able to reach the citizen."),
            )
        )
    require_valid(problems)
    basis = share_basis(data)
    assert category is not None
    people = (
        (cases_service.NewPerson(person_id=None, name=data.name, phone=phone),) if data.name else ()
    )
    case = cases_service.intake_case(
        session,
        intake=cases_service.Intake(
            category=category,
            subcategory=data.subcategory,
            summary=data.summary,
            representation_code=partner.representation_code,
            channel=IntakeChannel.PARTNER,
            death_penalty=data.death_penalty,
            danger_to_life=data.danger_to_life,
            people=people,
            contact_phone=phone,
            contact_email=email,
            contact_country=partner.country,
            contact_city=data.city,
        ),
        actor=actor,
    )
    now = utcnow()
    delegation = Delegation(
        case_id=case.id,
        partner_id=partner.id,
        task=_("Follow up the consultation the partner passed on."),
        status=DelegationStatus.ACCEPTED.value,
        basis=basis.basis.value,
        basis_note=basis.note,
        share_contact=True,
        share_address=False,
        due_at=workflow.deadline(case, None, delegations.DEFAULT_DEADLINE),
        created_by_account_id=actor.account_id,
        status_changed_at=now,
    )
    session.add(delegation)
    session.flush()
    events.add(
        session,
        case,
        kind=events.DELEGATION,
        actor=actor,
        text=_("Consultation passed on by {partner}.").format(partner=partner.name),
        data={
            "delegation_id": delegation.id,
            "partner_id": partner.id,
            "partner_name": partner.name,
            "status": delegation.status,
            "basis": delegation.basis,
            "consultation": True,
        },
        delegation_id=delegation.id,
    )
    audit.record(
        session,
        actor=actor,
        action="partners.consultation",
        entity_type="case",
        entity_id=str(case.id),
        fields=["category", "summary", "contact"],
        reason=basis.note if basis.basis != "consent" else None,
        ip=actor.ip,
    )
    return Consultation(case=case, delegation=delegation)
