"""Registry use-cases: self-report (lapor diri) and the person screen.

One record per citizen: a report whose NIK or passport is known attaches to that person;
one that only looks like someone is stored and flagged for an officer (``matching``). A
citizen's report naming a record that is not theirs changes nothing: it becomes a pending
identity claim (``claims``) until it is proven. The rows a report writes are built in
``report_records``; changes to a stay are in ``stays``.
Every staff read of a person and every change is audited in the same transaction.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.auth import audit, codes, policy
from peduli.auth import citizens as citizen_accounts
from peduli.auth.actor import Actor
from peduli.auth.policy import Access
from peduli.auth.roles import PERSON_VERIFIERS, POST_BOUND_ROLES, SELF_REPORTERS, Role
from peduli.core import events
from peduli.core.crypto import get_cipher
from peduli.core.db import utcnow
from peduli.core.errors import NotFound
from peduli.core.i18n import _
from peduli.reference.profile import get_profile
from peduli.reference.representations import Representation
from peduli.registry import claims, matching, report_records, repository, validation
from peduli.registry.models import (
    NIK_PURPOSE,
    PASSPORT_PURPOSE,
    ContactPoint,
    IdentityClaim,
    Passport,
    Person,
    Stay,
    Verification,
)
from peduli.registry.schemas import SelfReportCreate


@dataclass(frozen=True)
class SelfReportOutcome:
    person: Person
    stay: Stay
    representation: Representation | None
    attached_to_existing: bool
    possible_duplicates: int
    account_linked: bool


@dataclass(frozen=True)
class PendingClaim:
    """A citizen's report that names someone else's record: kept as a claim, nothing applied.

    It carries nothing of the existing record, only the claim and the post of the report."""

    claim: IdentityClaim
    representation: Representation | None


def _today() -> date:
    return utcnow().date()


def submit_self_report(
    session: Session, *, report: SelfReportCreate, actor: Actor, today: date | None = None
) -> SelfReportOutcome | PendingClaim:
    """Record a lapor diri for the signed-in citizen, or by staff for someone in their scope.

    A citizen whose NIK or passport names a record that is not theirs gets a pending claim.
    """
    policy.require_role(session, actor, roles=SELF_REPORTERS, action="self_report.create")
    profile = get_profile()
    identity = validation.validate_report(report, profile, today=today or _today())
    representation = report_records.resolve_representation(report)
    _authorize_reporter(session, actor, representation)
    probe = _probe_identity(session, identity, report)
    known = _known_person(session, probe, actor)
    attachable = known is not None and _reporter_may_attach(session, actor, known)
    if not _names_own_record(actor, probe, known):
        claims.count_report_beyond_own_record(session, actor=actor)
    if known is None:
        person, stay = report_records.record_new_person(
            session, report, identity, profile, representation,
            trusted=_trust_for(session, actor), source=_source(actor),
        )  # fmt: skip
        linked = _link_reporter(session, actor, person)
        duplicates = matching.flag_possible_duplicates(
            session, person, stay, born_same_day=probe.born_same_day
        )
    elif not attachable:
        claim = claims.open_claim(
            session, person_id=known.id, report=report, representation=representation, actor=actor
        )
        return PendingClaim(claim, representation)
    else:
        person, duplicates = known, 0
        linked = _link_reporter(session, actor, person)
        stay = attach_report(
            session, person=person, report=report, identity=identity, representation=representation,
            source=_source(actor), trusted=_trust_for(session, actor),
        )  # fmt: skip
    audit.record(
        session,
        actor=actor,
        action="self_report.create",
        entity_type="stay",
        entity_id=str(stay.id),
        subject_person_id=person.id,
        fields=sorted(report.model_fields_set),
    )
    return SelfReportOutcome(person, stay, representation, known is not None, duplicates, linked)


def attach_report(
    session: Session,
    *,
    person: Person,
    report: SelfReportCreate,
    identity: validation.Identity,
    representation: Representation | None,
    source: str,
    trusted: report_records.TrustOf,
) -> Stay:
    """Apply a report to a known person: preferences, identifiers, contacts and a new stay.

    ``trusted`` says which of the report's contacts are trusted and why; the others are
    kept but neither primary nor used. The replaced passport and contacts stay as history.
    """
    language_before = person.preferred_language
    report_records.update_profile_fields(person, report)
    if person.preferred_language != language_before:  # most reports keep it: no UPDATE
        report_records.follow_language(session, person.id, person.preferred_language)
    report_records.record_identifiers(session, person, identity, trusted)
    return report_records.add_stay(session, person, report, representation, source=source)


def _trust_for(session: Session, actor: Actor) -> report_records.TrustOf:
    """Which of a report's contacts are trusted: all of them when staff enter them (an
    officer in scope), else only the address the citizen proved by code to sign in."""
    if actor.role != Role.CITIZEN:
        return report_records.vouched_by_officer
    return report_records.signed_in_with(
        citizen_accounts.citizen_address(session, account_id=actor.account_id)
    )


def _source(actor: Actor) -> str:
    return "self_report" if actor.role == Role.CITIZEN else "officer"


def _authorize_reporter(
    session: Session, actor: Actor, representation: Representation | None
) -> None:
    """Staff may only report for people whose stay falls in their own jurisdiction."""
    if actor.role not in POST_BOUND_ROLES:
        return
    codes = {representation.code} if representation else set()
    policy.authorize(
        session,
        actor,
        access=Access.WRITE,
        action="self_report.create",
        person_id=None,
        representation_codes=codes,
    )


def _probe_identity(
    session: Session, identity: validation.Identity, report: SelfReportCreate
) -> repository.IdentityProbe:
    cipher = get_cipher()
    return repository.probe_identity(
        session,
        nik_index=cipher.blind_index(identity.nik, purpose=NIK_PURPOSE) if identity.nik else None,
        passport_index=(
            cipher.blind_index(identity.passport, purpose=PASSPORT_PURPOSE)
            if identity.passport
            else None
        ),
        born=report.date_of_birth,
    )


def _known_person(session: Session, probe: repository.IdentityProbe, actor: Actor) -> Person | None:
    """The record holding the report's NIK (else passport), or the citizen's own record."""
    if probe.known_id is not None:
        known = session.get(Person, probe.known_id)
        if known is not None:
            return follow_merges(session, known)
    if actor.role == Role.CITIZEN and actor.person_id is not None:
        return session.get(Person, actor.person_id)
    return None


def follow_merges(session: Session, person: Person) -> Person:
    """The surviving record of a person who was merged into another (or the person)."""
    while person.merged_into_id is not None:
        survivor = session.get(Person, person.merged_into_id)
        if survivor is None:
            break
        person = survivor
    return person


def _names_own_record(actor: Actor, probe: repository.IdentityProbe, known: Person | None) -> bool:
    """Whether a report's NIK or passport found the reporting citizen's own record (staff
    reports count as such: they are not limited per account)."""
    if actor.role != Role.CITIZEN:
        return True
    return probe.known_id is not None and known is not None and known.id == actor.person_id


def _reporter_may_attach(session: Session, actor: Actor, known: Person) -> bool:
    """Whether a report naming ``known`` may change it: staff (in scope, checked above), the
    citizen whose record it is, or one who signed in with a contact the record trusts
    (the code came back to it, which proves the claim)."""
    if actor.role != Role.CITIZEN or actor.person_id == known.id:
        return True
    return actor.person_id is None and _signed_in_with_trusted_contact(session, actor, known)


def _link_reporter(session: Session, actor: Actor, person: Person) -> bool:
    """Link a reporting citizen's account to their record (new, or proven theirs)."""
    if actor.role != Role.CITIZEN:
        return False
    if actor.person_id != person.id:
        codes.link_citizen_person(session, account_id=actor.account_id, person_id=person.id)
    return True


def _signed_in_with_trusted_contact(session: Session, actor: Actor, person: Person) -> bool:
    """The address the citizen signed in with is a trusted contact of the record."""
    address = citizen_accounts.citizen_address(session, account_id=actor.account_id)
    return address is not None and repository.has_trusted_contact(session, person.id, address)


def authorize_person(
    session: Session,
    actor: Actor,
    *,
    person_id: uuid.UUID,
    access: Access,
    action: str,
    reason: str | None = None,
) -> policy.Decision:
    """Apply the policy to a person, who is served by the representations of their stays
    (a merged record, whose stays moved, by those of the record it was merged into)."""
    codes = repository.representation_codes(session, person_id)
    if not codes:
        survivor = session.scalar(select(Person.merged_into_id).where(Person.id == person_id))
        if survivor is not None:
            codes = repository.representation_codes(session, survivor)
    return policy.authorize(
        session,
        actor,
        access=access,
        action=action,
        person_id=person_id,
        representation_codes=codes,
        reason=reason,
    )


@dataclass(frozen=True)
class PersonView:
    """A person with their documents in clear, for an authorised reader."""

    person: Person
    nik: str | None
    passports: list[tuple[str, Passport]]
    contacts: list[ContactPoint]
    stays: list[Stay]


def read_person(
    session: Session, *, person_id: uuid.UUID, actor: Actor, reason: str | None = None
) -> PersonView:
    """The one screen per person; every staff read is audited, out-of-scope reads with reason."""
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound(_("No person has this id."))
    decision = authorize_person(
        session, actor, person_id=person.id, access=Access.READ, action="person.read", reason=reason
    )
    view = _person_view(session, person)
    audit.record(
        session,
        actor=actor,
        action="person.read" if not decision.out_of_scope else "person.read_out_of_scope",
        entity_type="person",
        entity_id=str(person.id),
        subject_person_id=person.id,
        fields=["identity", "nik", "passports", "contacts", "stays"],
        reason=reason,
    )
    return view


def _person_view(session: Session, person: Person) -> PersonView:
    cipher = get_cipher()
    nik = (
        cipher.decrypt(person.nik_encrypted, purpose=NIK_PURPOSE) if person.nik_encrypted else None
    )
    passports = [
        (cipher.decrypt(p.number_encrypted, purpose=PASSPORT_PURPOSE), p)
        for p in repository.passports_of(session, person.id)
    ]
    return PersonView(
        person=person,
        nik=nik,
        passports=passports,
        contacts=repository.contacts_of(session, person.id),
        stays=repository.stays_of(session, person.id),
    )


def own_person_view(session: Session, *, actor: Actor) -> PersonView:
    """The signed-in citizen's own record (not audited as a staff read)."""
    if actor.role != Role.CITIZEN or actor.person_id is None:
        raise NotFound(_("You have no record yet; make a self-report (lapor diri) first."))
    person = session.get(Person, actor.person_id)
    if person is None:
        raise NotFound(_("You have no record yet; make a self-report (lapor diri) first."))
    return _person_view(session, person)


def verify_person(
    session: Session, *, person_id: uuid.UUID, actor: Actor, verified: bool
) -> Person:
    """An officer confirms (or rejects) a record after checking it against documents."""
    policy.require_role(session, actor, roles=PERSON_VERIFIERS, action="person.verify")
    person = session.get(Person, person_id)
    if person is None:
        raise NotFound(_("No person has this id."))
    authorize_person(
        session, actor, person_id=person.id, access=Access.WRITE, action="person.verify"
    )
    if verified and person.verification != Verification.VERIFIED:
        events.record(
            session,
            event_type=events.EventType.PERSON_VERIFIED,
            subject_id=person.id,
            data={"person_id": str(person.id), "source": "officer"},
        )
    person.verification = "verified" if verified else "rejected"
    person.verified_by = actor.account_id
    person.verified_at = utcnow()
    audit.record(
        session,
        actor=actor,
        action="person.verify",
        entity_type="person",
        entity_id=str(person.id),
        subject_person_id=person.id,
        fields=["verification"],
    )
    return person
