"""The partner's side: its queue of delegated cases, the least-data case view, notes,
questions to the citizen, accept / decline / done, escalation back to the representation,
and consultations passed on as cases in one step.

Access is decided on every call by one SQL query joining the caller's membership, the
partner (active) and the delegation (open): revoking a delegation, deactivating the partner
or unlinking the member takes effect on the next request. Nothing is cached.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import ColumnElement, func, or_, select
from sqlalchemy.orm import Session

from peduli.auth import audit
from peduli.auth.actor import Actor, Role
from peduli.auth.models import StaffAccount
from peduli.cases.models import Case, CaseEvent, CasePerson, Visibility
from peduli.cases.service import CONTACT_PURPOSE
from peduli.core.crypto import get_cipher
from peduli.core.db import is_postgres, utcnow
from peduli.core.errors import Conflict, Forbidden, NotFound
from peduli.core.i18n import _, in_language
from peduli.notify import service as notify_service
from peduli.notify.models import ChannelName
from peduli.partners import access, events, workflow
from peduli.partners.models import (
    ACTIVE_DELEGATION,
    Delegation,
    DelegationEvent,
    DelegationStatus,
    Partner,
    PartnerMember,
)
from peduli.reference import places
from peduli.registry.models import ContactPoint, Person, Stay, StayStatus

TIMELINE_LIMIT = 200
MAX_PAGE = 200


@dataclass(frozen=True)
class Delegated:
    """A case the caller's partner may work on now, with its delegation and partner."""

    case: Case
    delegation: Delegation
    partner: Partner


@dataclass(frozen=True)
class PersonShown:
    name: str | None
    home_province: str | None
    city: str | None
    country: str | None
    phone: str | None = None
    email: str | None = None
    address: str | None = None


@dataclass(frozen=True)
class CaseShown:
    """What the partner sees of a delegated case (the ``PartnerCaseView``)."""

    delegated: Delegated
    people: list[PersonShown]
    contact_phone: str | None
    contact_email: str | None
    timeline: list[CaseEvent]


def _require_partner(session: Session, actor: Actor, action: str) -> None:
    if actor.role != Role.PARTNER:
        audit.record_denial(session, actor=actor, action=action, entity_type="function")
        raise Forbidden(_("Only partner accounts use these pages."), code="role_not_allowed")


def _mine(actor: Actor) -> ColumnElement[bool]:
    """Delegations of the caller's active partner that are still open."""
    return (
        Delegation.partner_id.in_(
            select(PartnerMember.partner_id)
            .join(Partner, Partner.id == PartnerMember.partner_id)
            .where(PartnerMember.staff_account_id == actor.account_id, Partner.active.is_(True))
        )
    ) & Delegation.status.in_(ACTIVE_DELEGATION)


def load_delegated(
    session: Session, *, case_id: uuid.UUID, actor: Actor, action: str, for_update: bool = False
) -> Delegated:
    """The case if it is delegated (open) to the caller's partner; else audited 'not found'."""
    _require_partner(session, actor, action)
    query = (
        select(Case, Delegation, Partner)
        .join(Delegation, Delegation.case_id == Case.id)
        .join(Partner, Partner.id == Delegation.partner_id)
        .where(Case.id == case_id, _mine(actor))
    )
    if for_update and is_postgres(session):
        query = query.with_for_update(of=Delegation)
    row = session.execute(query).first()
    if row is None:
        audit.record_denial(
            session, actor=actor, action=action, entity_type="case", entity_id=str(case_id)
        )
        raise NotFound(_("No case with this id is delegated to your organisation."))
    return Delegated(case=row[0], delegation=row[1], partner=row[2])


@dataclass(frozen=True)
class QueueRow:
    case: Case
    delegation: Delegation


def queue(
    session: Session,
    *,
    actor: Actor,
    status: DelegationStatus | None = None,
    limit: int = 50,
    offset: int = 0,
) -> tuple[int, list[QueueRow]]:
    """The open delegations of the caller's partner, nearest deadline first."""
    access.partner_id_of(session, actor, action="partners.queue")
    condition = _mine(actor)
    if status is not None:
        condition = condition & (Delegation.status == status.value)
    total = session.scalar(select(func.count()).select_from(Delegation).where(condition)) or 0
    rows = session.execute(
        select(Case, Delegation)
        .join(Delegation, Delegation.case_id == Case.id)
        .where(condition)
        .order_by(Delegation.due_at, Delegation.id)
        .limit(max(1, min(limit, MAX_PAGE)))
        .offset(max(0, offset))
    )
    return total, [QueueRow(case=c, delegation=d) for c, d in rows.all()]


def _decrypt(value: str | None) -> str | None:
    return get_cipher().decrypt(value, purpose=CONTACT_PURPOSE) if value else None


def _people(session: Session, case: Case, delegation: Delegation) -> list[PersonShown]:
    rows = session.execute(
        select(CasePerson, Person)
        .outerjoin(Person, Person.id == CasePerson.person_id)
        .where(CasePerson.case_id == case.id)
        .order_by(CasePerson.added_at, CasePerson.id)
    ).all()
    person_ids = [p.id for _cp, p in rows if p is not None]
    stays: dict[uuid.UUID, Stay] = {}
    contacts: dict[uuid.UUID, dict[str, str]] = {}
    if person_ids:
        for stay in session.scalars(
            select(Stay)
            .where(Stay.person_id.in_(person_ids), Stay.status == StayStatus.ACTIVE.value)
            .order_by(Stay.created_at.desc())
        ):
            stays.setdefault(stay.person_id, stay)
        if delegation.share_contact:
            for point in session.scalars(
                select(ContactPoint)
                .where(ContactPoint.person_id.in_(person_ids))
                .order_by(ContactPoint.is_primary.desc())
            ):
                contacts.setdefault(point.person_id, {}).setdefault(point.kind, point.value)
    shown = []
    for case_person, person in rows:
        home = stays.get(person.id) if person is not None else None
        known = contacts.get(person.id, {}) if person is not None else {}
        phone = _decrypt(case_person.phone_encrypted) or known.get("phone")
        shown.append(
            PersonShown(
                name=case_person.name or (person.full_name if person is not None else None),
                home_province=person.home_province if person is not None else None,
                city=home.city if home else case.contact_city,
                country=home.country if home else case.contact_country,
                phone=phone if delegation.share_contact else None,
                email=known.get("email") if delegation.share_contact else None,
                address=home.address if home and delegation.share_address else None,
            )
        )
    return shown


def partner_timeline(session: Session, delegation: Delegation) -> list[CaseEvent]:
    """The events the partner may see: its delegation's and those shared with the citizen."""
    linked = select(DelegationEvent.event_seq).where(DelegationEvent.delegation_id == delegation.id)
    return list(
        session.scalars(
            select(CaseEvent)
            .where(
                CaseEvent.case_id == delegation.case_id,
                or_(CaseEvent.seq.in_(linked), CaseEvent.visibility == Visibility.SHARED.value),
            )
            .order_by(CaseEvent.seq)
            .limit(TIMELINE_LIMIT)
        )
    )


def read_case(session: Session, *, case_id: uuid.UUID, actor: Actor) -> CaseShown:
    """The delegated case with the least data the task needs; the read is audited."""
    delegated = load_delegated(session, case_id=case_id, actor=actor, action="partners.case_read")
    case, delegation = delegated.case, delegated.delegation
    people = _people(session, case, delegation)
    shown = CaseShown(
        delegated=delegated,
        people=people,
        contact_phone=_decrypt(case.contact_phone_encrypted) if delegation.share_contact else None,
        contact_email=_decrypt(case.contact_email_encrypted) if delegation.share_contact else None,
        timeline=partner_timeline(session, delegation),
    )
    subject = session.scalar(
        select(CasePerson.person_id)
        .where(CasePerson.case_id == case.id, CasePerson.person_id.is_not(None))
        .limit(1)
    )
    fields = ["summary", "people.name", "people.city", "timeline"]
    if delegation.share_contact:
        fields.append("people.contact")
    if delegation.share_address:
        fields.append("people.address")
    audit.record(
        session,
        actor=actor,
        action="partners.case_read",
        entity_type="case",
        entity_id=str(case.id),
        subject_person_id=subject,
        fields=fields,
        ip=actor.ip,
    )
    return shown


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
    email = _decrypt(case.contact_email_encrypted)
    if email:
        return ChannelName.EMAIL.value, email
    phone = _decrypt(case.contact_phone_encrypted)
    if phone:
        return ChannelName.SMS.value, phone
    people = session.execute(
        select(CasePerson.phone_encrypted, CasePerson.person_id)
        .where(CasePerson.case_id == case.id)
        .order_by(CasePerson.added_at, CasePerson.id)
    ).all()
    for phone_encrypted, _person_id in people:
        if phone_encrypted:
            return ChannelName.SMS.value, _decrypt(phone_encrypted) or ""
    person_ids = [person_id for _phone, person_id in people if person_id]
    if person_ids:
        point = session.execute(
            select(ContactPoint.kind, ContactPoint.value)
            .where(ContactPoint.person_id.in_(person_ids))
            .order_by(ContactPoint.is_primary.desc(), ContactPoint.kind)
            .limit(1)
        ).first()
        if point is not None:
            channel = ChannelName.EMAIL if point[0] == "email" else ChannelName.SMS
            return channel.value, point[1]
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


def is_overdue(delegation: Delegation, now: datetime | None = None) -> bool:
    return delegation.due_at <= (now or utcnow())


def due_soon(delegation: Delegation, now: datetime | None = None) -> bool:
    moment = now or utcnow()
    return moment < delegation.due_at <= moment + timedelta(hours=24)
