"""Registry use-cases: self-report (lapor diri), stays, the person screen and search.

One record per citizen: a report whose NIK or passport is known attaches to that person;
one that only looks like someone is stored and flagged for an officer (``matching``). A
citizen's report naming a record that is not theirs changes nothing: it becomes a pending
identity claim (``claims``) until it is proven.
Every staff read of a person and every change is audited in the same transaction.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import date, datetime

import h3
from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.auth import audit, codes, policy
from peduli.auth import citizens as citizen_accounts
from peduli.auth.actor import Actor
from peduli.auth.policy import Access
from peduli.auth.roles import PERSON_VERIFIERS, POST_BOUND_ROLES, SELF_REPORTERS, Role
from peduli.core.crypto import get_cipher
from peduli.core.db import insert_new, utcnow
from peduli.core.errors import NotFound, ValidationFailed
from peduli.core.i18n import _
from peduli.reference.profile import CountryProfile, get_profile
from peduli.reference.representations import Representation, load_directory
from peduli.registry import claims, matching, repository, validation
from peduli.registry.models import (
    NIK_PURPOSE,
    PASSPORT_PURPOSE,
    ContactKind,
    ContactPoint,
    ContactTrust,
    IdentityClaim,
    Passport,
    Person,
    Stay,
    StayStatus,
)
from peduli.registry.schemas import SelfReportCreate, StayFields, StayUpdate

H3_RESOLUTION = 8  # ~0.7 km² cells: fine enough for crisis areas, coarse parents derive
NAME_KEY_LENGTH = 400  # the column width; folding can lengthen a name (M. → muhammad)
CONSENT_VERSION = "2026-11"  # the privacy notice a citizen agreed to


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


def resolve_representation(stay: StayFields | Stay) -> Representation | None:
    """The post whose jurisdiction covers where the stay is."""
    directory = load_directory(get_profile().representations_resource)
    return directory.resolve(
        country=stay.country.upper(),
        subdivision=stay.subdivision.upper() if stay.subdivision else None,
        city=stay.city,
        latitude=stay.latitude,
        longitude=stay.longitude,
    )


def h3_cell(latitude: float | None, longitude: float | None) -> str | None:
    """The H3 cell a stay is indexed by (None without coordinates)."""
    if latitude is None or longitude is None:
        return None
    return str(h3.latlng_to_cell(latitude, longitude, H3_RESOLUTION))


def stored_identifier(value: str, *, purpose: str) -> tuple[str, str]:
    """How an identifier (NIK, passport number) is stored: ciphertext and blind index."""
    cipher = get_cipher()
    return cipher.encrypt(value, purpose=purpose), cipher.blind_index(value, purpose=purpose)


def stored_name_key(full_name: str, profile: CountryProfile) -> str:
    """The ``name_key`` column of a person: the profile's key, cut to the column width."""
    return profile.name_key(full_name)[:NAME_KEY_LENGTH]


def submit_self_report(
    session: Session, *, report: SelfReportCreate, actor: Actor, today: date | None = None
) -> SelfReportOutcome | PendingClaim:
    """Record a lapor diri for the signed-in citizen, or by staff for someone in their scope.

    A citizen whose NIK or passport names a record that is not theirs gets a pending claim.
    """
    policy.require_role(session, actor, roles=SELF_REPORTERS, action="self_report.create")
    profile = get_profile()
    identity = validation.validate_report(report, profile, today=today or _today())
    representation = resolve_representation(report)
    _authorize_reporter(session, actor, representation)
    probe = _probe_identity(session, identity, report)
    known = _known_person(session, probe, actor)
    if known is None:
        person, stay = _record_new_person(session, report, identity, profile, representation, actor)
        linked = _link_reporter(session, actor, person)
        duplicates = matching.flag_possible_duplicates(
            session, person, stay, born_same_day=probe.born_same_day
        )
    elif not _reporter_may_attach(session, actor, known):
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
    trusted: TrustOf,
) -> Stay:
    """Apply a report to a known person: preferences, identifiers, contacts and a new stay.

    ``trusted`` says which of the report's contacts are trusted and why; the others are
    kept but neither primary nor used. The replaced passport and contacts stay as history.
    """
    _update_profile_fields(person, report)
    _record_identifiers(session, person, identity, trusted)
    return _add_stay(session, person, report, representation, source=source)


TrustOf = Callable[[str], ContactTrust | None]


def _trust_for(session: Session, actor: Actor) -> TrustOf:
    """Which of a report's contacts are trusted: all of them when staff enter them (an
    officer in scope), else only the address the citizen proved by code to sign in."""
    if actor.role != Role.CITIZEN:
        return vouched_by_officer
    return signed_in_with(citizen_accounts.citizen_address(session, account_id=actor.account_id))


def vouched_by_officer(_value: str) -> ContactTrust | None:
    """Every contact: an officer in scope entered or confirmed it."""
    return ContactTrust.OFFICER


def signed_in_with(address: str | None) -> TrustOf:
    """Trust only ``address``, the one a code came back from."""
    return lambda value: ContactTrust.CODE if address is not None and value == address else None


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


def _record_new_person(
    session: Session,
    report: SelfReportCreate,
    identity: validation.Identity,
    profile: CountryProfile,
    representation: Representation | None,
    actor: Actor,
) -> tuple[Person, Stay]:
    """A first report: the person, their passport, contacts and stay, as plain inserts.

    A report with the same NIK committing between the look-up and this insert trips the
    unique blind index; the request then answers 409 "try again" and the retry attaches.
    """
    person = _new_person(report, identity, profile)
    trusted = _trust_for(session, actor)
    now = utcnow()
    contacts = [
        _contact(person.id, kind, value, trusted(value), now)
        for kind, value in _contacts_of(identity)
        if value
    ]
    passports = [_passport(person, identity.passport)] if identity.passport else []
    stay = _new_stay(person, report, representation, source=_source(actor))
    insert_new(session, [person, *passports, *contacts, stay])
    return person, stay


def _contact(
    person_id: uuid.UUID,
    kind: ContactKind,
    value: str,
    trust: ContactTrust | None,
    now: datetime,
) -> ContactPoint:
    """A new contact: primary (used for messages) only when it is trusted."""
    return ContactPoint(
        person_id=person_id,
        kind=kind,
        value=value,
        is_primary=trust is not None,
        trusted_at=now if trust is not None else None,
        trust_source=trust.value if trust is not None else None,
    )


def _contacts_of(identity: validation.Identity) -> tuple[tuple[ContactKind, str | None], ...]:
    return (ContactKind.PHONE, identity.phone), (ContactKind.EMAIL, identity.email)


def _new_person(
    report: SelfReportCreate, identity: validation.Identity, profile: CountryProfile
) -> Person:
    nik_encrypted, nik_index = (
        stored_identifier(identity.nik, purpose=NIK_PURPOSE) if identity.nik else (None, None)
    )
    person = Person(
        id=uuid.uuid4(),
        full_name=report.full_name,
        name_key=stored_name_key(report.full_name, profile),
        sex=report.sex,
        date_of_birth=report.date_of_birth,
        home_province=identity.nik[:2] if identity.nik else None,
        nik_encrypted=nik_encrypted,
        nik_index=nik_index,
        emergency_contact_phone=identity.emergency_phone,
    )
    _update_profile_fields(person, report)
    return person


def _update_profile_fields(person: Person, report: SelfReportCreate) -> None:
    """The newest report's contact preferences win; identity fields are kept."""
    person.preferred_language = report.language
    person.place_of_birth = report.place_of_birth or person.place_of_birth
    if report.emergency_contact_name:
        person.emergency_contact_name = report.emergency_contact_name
        person.emergency_contact_relation = report.emergency_contact_relation
    if report.consent:
        person.consent_at = utcnow()
        person.consent_version = CONSENT_VERSION


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


def _record_identifiers(
    session: Session,
    person: Person,
    identity: validation.Identity,
    trusted: TrustOf,
) -> None:
    """Add the report's NIK, passport and contacts to a known person, where they are new."""
    if identity.nik and person.nik_index is None:
        person.nik_encrypted, person.nik_index = stored_identifier(
            identity.nik, purpose=NIK_PURPOSE
        )
    if identity.passport:
        _record_passport(session, person, identity.passport)
    for kind, value in _contacts_of(identity):
        if value:
            _record_contact(session, person, kind, value, trusted(value))
    if identity.emergency_phone and person.emergency_contact_phone != identity.emergency_phone:
        person.emergency_contact_phone = identity.emergency_phone


def _record_passport(session: Session, person: Person, number: str) -> None:
    index = get_cipher().blind_index(number, purpose=PASSPORT_PURPOSE)
    holder = session.scalar(select(Passport).where(Passport.number_index == index))
    if holder is not None:
        if holder.person_id != person.id:
            matching.flag_pair(
                session, person.id, holder.person_id, score=100.0, reason="same passport number"
            )
        return
    for older in repository.passports_of(session, person.id):
        older.is_current = False
    session.add(_passport(person, number))


def _passport(person: Person, number: str) -> Passport:
    encrypted, index = stored_identifier(number, purpose=PASSPORT_PURPOSE)
    return Passport(
        person_id=person.id,
        number_encrypted=encrypted,
        number_index=index,
        is_current=True,
        reported_at=utcnow(),
    )


def _record_contact(
    session: Session, person: Person, kind: ContactKind, value: str, trust: ContactTrust | None
) -> None:
    """A reported contact: kept either way; it becomes primary only when trusted."""
    contacts = [c for c in repository.contacts_of(session, person.id) if c.kind == kind]
    same = next((c for c in contacts if c.value == value), None)
    if same is not None and (same.trusted_at is not None or trust is None):
        return
    if trust is not None:
        for contact in contacts:
            contact.is_primary = False
    if same is not None:
        same.trusted_at, same.trust_source, same.is_primary = utcnow(), trust, True
        return
    session.add(_contact(person.id, kind, value, trust, utcnow()))


def _add_stay(
    session: Session,
    person: Person,
    fields: StayFields,
    representation: Representation | None,
    *,
    source: str,
) -> Stay:
    stay = _new_stay(person, fields, representation, source=source)
    session.add(stay)
    return stay


def _new_stay(
    person: Person, fields: StayFields, representation: Representation | None, *, source: str
) -> Stay:
    return Stay(
        id=uuid.uuid4(),
        person_id=person.id,
        country=fields.country.upper(),
        subdivision=fields.subdivision.upper() if fields.subdivision else None,
        city=fields.city,
        address=fields.address,
        latitude=fields.latitude,
        longitude=fields.longitude,
        h3_cell=h3_cell(fields.latitude, fields.longitude),
        purpose=fields.purpose,
        sector=fields.sector,
        employer=fields.employer,
        placement_agency=fields.placement_agency,
        arrival_date=fields.arrival_date,
        planned_end_date=fields.planned_end_date,
        status=StayStatus.ACTIVE,
        representation_code=representation.code if representation else None,
        source=source,
    )


def authorize_person(
    session: Session,
    actor: Actor,
    *,
    person_id: uuid.UUID,
    access: Access,
    action: str,
    reason: str | None = None,
) -> policy.Decision:
    """Apply the policy to a person, who is served by the representations of their stays."""
    return policy.authorize(
        session,
        actor,
        access=access,
        action=action,
        person_id=person_id,
        representation_codes=repository.representation_codes(session, person_id),
        reason=reason,
    )


def _stay_for_change(session: Session, stay_id: uuid.UUID, actor: Actor, action: str) -> Stay:
    stay = session.get(Stay, stay_id)
    if stay is None:
        raise NotFound(_("No stay has this id; check the link or list your stays again."))
    policy.authorize(
        session,
        actor,
        access=Access.WRITE,
        action=action,
        person_id=stay.person_id,
        representation_codes={stay.representation_code} if stay.representation_code else set(),
    )
    return stay


def update_stay(session: Session, *, stay_id: uuid.UUID, changes: StayUpdate, actor: Actor) -> Stay:
    """Change a stay; a move to another country or city re-decides the representation."""
    stay = _stay_for_change(session, stay_id, actor, "stay.update")
    changed = changes.model_dump(exclude_unset=True)
    if changes.country:
        changed["country"] = changes.country.upper()
    merged = StayFields.model_validate(
        {field: getattr(stay, field) for field in StayFields.model_fields} | changed
    )
    require = validation.stay_problems(merged, today=_today())
    if require:
        raise ValidationFailed(require)
    for field, value in changed.items():
        setattr(stay, field, value)
    stay.h3_cell = h3_cell(stay.latitude, stay.longitude)
    representation = resolve_representation(merged)
    stay.representation_code = representation.code if representation else None
    audit.record(
        session,
        actor=actor,
        action="stay.update",
        entity_type="stay",
        entity_id=str(stay.id),
        subject_person_id=stay.person_id,
        fields=sorted(changed),
    )
    return stay


def report_departure(
    session: Session, *, stay_id: uuid.UUID, departed_on: date, actor: Actor
) -> Stay:
    """Close a stay: the citizen has left the country."""
    stay = _stay_for_change(session, stay_id, actor, "stay.depart")
    if departed_on < stay.arrival_date:
        raise ValidationFailed(
            [
                validation.FieldProblem(
                    "departed_on",
                    "before_arrival",
                    _("The departure date is before the arrival date ({arrival}).").format(
                        arrival=stay.arrival_date.isoformat()
                    ),
                    _("Give the day you left, on or after the arrival date."),
                )
            ]
        )
    stay.departed_on = departed_on
    stay.status = StayStatus.DEPARTED
    audit.record(
        session,
        actor=actor,
        action="stay.depart",
        entity_type="stay",
        entity_id=str(stay.id),
        subject_person_id=stay.person_id,
        fields=["departed_on", "status"],
    )
    return stay


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
