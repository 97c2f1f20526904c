"""The partner's side of a delegated case: which cases a partner account may open, and the
least-data view of one (no NIK, passport or birth date; contact and exact address only
when the delegation shares them).

Access is decided on every call by one SQL query joining the caller's membership, the
partner (active) and the delegation (open): revoking a delegation, deactivating the partner
or unlinking the member takes effect on the next request. Nothing is cached.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass

from sqlalchemy import or_, select
from sqlalchemy.orm import Session

from peduli.auth import audit
from peduli.auth.actor import Actor, Role
from peduli.cases.models import Case, CaseEvent, CasePerson, Visibility
from peduli.cases.service import CONTACT_PURPOSE
from peduli.core.crypto import get_cipher
from peduli.core.db import is_postgres
from peduli.core.errors import Forbidden, NotFound
from peduli.core.i18n import _
from peduli.partners.models import Delegation, DelegationEvent, Partner
from peduli.partners.repository import open_delegations_of
from peduli.registry.models import ContactPoint, Person, Stay, StayStatus

TIMELINE_LIMIT = 200


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


def load_delegated(
    session: Session, *, case_id: uuid.UUID, actor: Actor, action: str, for_update: bool = False
) -> Delegated:
    """The case if it is delegated (open) to the caller's partner; else audited 'not found'."""
    _require_partner(session, actor, action)
    query = (
        select(Case, Delegation, Partner)
        .join(Delegation, Delegation.case_id == Case.id)
        .join(Partner, Partner.id == Delegation.partner_id)
        .where(Case.id == case_id, open_delegations_of(actor))
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


def decrypt_contact(value: str | None) -> str | None:
    """A stored phone or email in clear text (None stays None)."""
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
        phone = decrypt_contact(case_person.phone_encrypted) or known.get("phone")
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
        contact_phone=decrypt_contact(case.contact_phone_encrypted)
        if delegation.share_contact
        else None,
        contact_email=decrypt_contact(case.contact_email_encrypted)
        if delegation.share_contact
        else None,
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
