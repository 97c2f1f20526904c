"""The partner's casework on a delegated case: notes on the timeline, questions to the
citizen through the platform, accept / decline / done, and escalation back to the
representation. Every action first checks the delegation (``delegated_cases``)."""

from __future__ import annotations

import uuid

from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.auth import audit, codes
from peduli.auth.actor import Actor
from peduli.auth.models import StaffAccount
from peduli.cases.models import Case, CaseEvent, CasePerson
from peduli.core.errors import Conflict
from peduli.core.i18n import _, in_language
from peduli.notify import service as notify_service
from peduli.notify.models import ChannelName
from peduli.partners import events, workflow
from peduli.partners.delegated_cases import Delegated, decrypt_contact, load_delegated
from peduli.partners.models import DelegationStatus
from peduli.reference import places
from peduli.registry.models import ContactPoint


def add_note(session: Session, *, case_id: uuid.UUID, actor: Actor, text: str) -> CaseEvent:
    """A partner's note on the timeline (the representation sees it too)."""
    delegated = load_delegated(session, case_id=case_id, actor=actor, action="partners.note")
    event = events.add(
        session,
        delegated.case,
        kind=events.PARTNER_NOTE,
        actor=actor,
        text=text,
        data={"delegation_id": delegated.delegation.id, "partner_name": delegated.partner.name},
        delegation_id=delegated.delegation.id,
    )
    audit.record(
        session,
        actor=actor,
        action="partners.note",
        entity_type="case",
        entity_id=str(delegated.case.id),
        fields=["note"],
        ip=actor.ip,
    )
    return event


def _citizen_address(session: Session, case: Case) -> tuple[str, str] | None:
    """Where to reach the citizen: (channel, address); the partner never sees it."""
    email = decrypt_contact(case.contact_email_encrypted)
    if email:
        return ChannelName.EMAIL.value, email
    phone = decrypt_contact(case.contact_phone_encrypted)
    if phone:
        return ChannelName.SMS.value, phone
    people = session.execute(
        select(CasePerson.phone_encrypted, CasePerson.person_id)
        .where(CasePerson.case_id == case.id)
        .order_by(CasePerson.added_at, CasePerson.id)
    ).all()
    for phone_encrypted, _person_id in people:
        if phone_encrypted:
            return ChannelName.SMS.value, decrypt_contact(phone_encrypted) or ""
    person_ids = [person_id for _phone, person_id in people if person_id]
    if person_ids:
        point = session.execute(
            select(ContactPoint.kind, ContactPoint.value)
            .where(ContactPoint.person_id.in_(person_ids))
            .order_by(ContactPoint.is_primary.desc(), ContactPoint.kind)
            .limit(1)
        ).first()
        if point is not None:
            return codes.Address(point[0], point[1]).channel, point[1]
    return None


def ask_citizen(session: Session, *, case_id: uuid.UUID, actor: Actor, message: str) -> CaseEvent:
    """Send the citizen a question through the platform's outbox, on the timeline."""
    delegated = load_delegated(session, case_id=case_id, actor=actor, action="partners.ask_citizen")
    case, partner = delegated.case, delegated.partner
    target = _citizen_address(session, case)
    if target is None:
        raise Conflict(
            _("The case has no phone or email of the citizen; ask the representation."),
            code="no_contact",
        )
    event = events.add(
        session,
        case,
        kind=events.INFO_REQUEST,
        actor=actor,
        text=message,
        data={"delegation_id": delegated.delegation.id, "channel": target[0]},
        delegation_id=delegated.delegation.id,
    )
    post = places.representation_by_code(case.representation_code)
    reply_to = partner.contact_phone or partner.contact_email or ""
    notify_service.enqueue(
        session,
        channel=target[0],
        recipient=target[1],
        subject=_("Peduli: a question about your case {reference}").format(
            reference=case.reference
        ),
        body=_(
            "{partner}, mitra {post}, membantu kasus Anda {reference} dan bertanya:\n"
            "{message}\nBalas ke {reply_to} atau hubungi perwakilan.\n\n"
            "{partner}, a partner of {post} helping with your case {reference}, asks:\n"
            "{message}\nReply to {reply_to} or contact the representation."
        ).format(
            partner=partner.name,
            post=post.name if post else case.representation_code,
            reference=case.reference,
            message=message,
            reply_to=reply_to,
        ),
        idempotency_key=f"partners.info-request:{event.seq}",
    )
    audit.record(
        session,
        actor=actor,
        action="partners.ask_citizen",
        entity_type="case",
        entity_id=str(case.id),
        fields=["message"],
        ip=actor.ip,
    )
    return event


def change_status(
    session: Session,
    *,
    case_id: uuid.UUID,
    actor: Actor,
    status: DelegationStatus,
    note: str | None,
) -> Delegated:
    """Accept, decline, report done or escalate back to the representation."""
    delegated = load_delegated(
        session, case_id=case_id, actor=actor, action="partners.delegation_status", for_update=True
    )
    workflow.change_status(
        session,
        delegated.case,
        delegated.delegation,
        transitions=workflow.PARTNER_TRANSITIONS,
        target=status,
        note=note,
        actor=actor,
        action="partners.delegation_status",
        reason=note if status == DelegationStatus.ESCALATED else None,
        event_data={"partner_name": delegated.partner.name},
    )
    if status == DelegationStatus.ESCALATED:
        _tell_officer(session, delegated, note or "")
    return delegated


def _tell_officer(session: Session, delegated: Delegated, reason: str) -> None:
    """Email the case's officer (else the one who delegated) that the partner escalated,
    in the officer's own language."""
    case, delegation = delegated.case, delegated.delegation
    officer_id = case.assigned_officer_id or delegation.created_by_account_id
    officer = session.execute(
        select(StaffAccount.email, StaffAccount.preferred_language).where(
            StaffAccount.id == officer_id, StaffAccount.disabled_at.is_(None)
        )
    ).first()
    if officer is None:
        return
    email, language = officer
    names = {"partner": delegated.partner.name, "reference": case.reference}
    notify_service.enqueue(
        session,
        channel=ChannelName.EMAIL.value,
        recipient=email,
        subject=in_language(
            _("Peduli: {partner} escalated case {reference}").format(**names), language
        ),
        body=in_language(
            _("{partner} escalated case {reference} back to the representation: {reason}").format(
                **names, reason=reason
            ),
            language,
        ),
        idempotency_key=f"partners.escalated:{delegation.id}:{delegation.status_changed_at.isoformat()}",
    )


def escalate(session: Session, *, case_id: uuid.UUID, actor: Actor, reason: str) -> Delegated:
    """Hand the case back to the representation, saying why (e.g. danger to life)."""
    return change_status(
        session, case_id=case_id, actor=actor, status=DelegationStatus.ESCALATED, note=reason
    )
