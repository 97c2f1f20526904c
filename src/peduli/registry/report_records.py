"""The rows a self-report writes: a new person, their identifiers and contacts, a stay.

Identifiers are stored sealed (ciphertext and blind index); a contact is primary only when
trusted. The demo seed builds its rows with the same functions, so both store alike.
"""

from __future__ import annotations

import uuid
from collections.abc import Callable
from dataclasses import dataclass
from datetime import datetime

import h3
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from peduli.core.crypto import get_cipher
from peduli.core.db import utcnow
from peduli.core.insert_new import insert_new
from peduli.reference import gazetteer
from peduli.reference.profile import CountryProfile, get_profile
from peduli.reference.representations import Representation, load_directory
from peduli.registry import matching, repository, validation
from peduli.registry.linkage import keys as link_keys
from peduli.registry.models import (
    NIK_PURPOSE,
    PASSPORT_PURPOSE,
    ContactKind,
    ContactPoint,
    ContactTrust,
    Passport,
    Person,
    Stay,
    StayStatus,
)
from peduli.registry.schemas import SelfReportCreate, StayFields

H3_RESOLUTION = 8  # ~0.7 km² cells: fine enough for crisis areas, coarse parents derive
NAME_KEY_LENGTH = 400  # the column width; folding can lengthen a name (M. → muhammad)
CONSENT_VERSION = "2026-11"  # the privacy notice a citizen agreed to

# Which of a report's contacts are trusted, and why (None: kept, but neither primary nor used).
TrustOf = Callable[[str], ContactTrust | None]


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


@dataclass(frozen=True)
class Placement:
    """Where a stay is put on the map, and whether only by its city's centre."""

    latitude: float | None
    longitude: float | None
    h3_cell: str | None
    approximate: bool


def placement(
    country: str, city: str | None, latitude: float | None, longitude: float | None
) -> Placement:
    """GPS (or coordinates given) as they are; without them, the city's centre, approximate.

    A dict look-up in the shipped gazetteer, so the hot self-report path stays cheap; a city
    it does not know leaves the stay without a position, as before.
    """
    if latitude is not None and longitude is not None:
        return Placement(latitude, longitude, h3_cell(latitude, longitude), approximate=False)
    country = country.upper()
    found = gazetteer.city_position(country, city)
    if found is None and city:
        directory = load_directory(get_profile().representations_resource)
        found = gazetteer.city_position(country, directory.canonical_city(country, city))
    if found is None:
        return Placement(None, None, None, approximate=False)
    cell = h3_cell(found.latitude, found.longitude)
    return Placement(found.latitude, found.longitude, cell, approximate=True)


def _subdivision(fields: StayFields) -> str | None:
    """The state or province given, or the one typed as the city ("Sabah"), for targeting."""
    if fields.subdivision:
        return fields.subdivision.upper()
    return subdivision_of(fields.country, fields.city)


def subdivision_of(country: str, city: str) -> str | None:
    """The ISO 3166-2 code of a state or province typed as the city, or None."""
    directory = load_directory(get_profile().representations_resource)
    return directory.subdivision_named(country.upper(), city)


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


def vouched_by_officer(_value: str) -> ContactTrust | None:
    """Every contact: an officer in scope entered or confirmed it."""
    return ContactTrust.OFFICER


def signed_in_with(address: str | None) -> TrustOf:
    """Trust only ``address``, the one a code came back from."""
    return lambda value: ContactTrust.CODE if address is not None and value == address else None


def record_new_person(
    session: Session,
    report: SelfReportCreate,
    identity: validation.Identity,
    profile: CountryProfile,
    representation: Representation | None,
    *,
    trusted: TrustOf,
    source: str,
) -> tuple[Person, Stay]:
    """A first report: the person, their passport, contacts and stay, as plain inserts.

    A report with the same NIK committing between the look-up and this insert trips the
    unique blind index; the request then answers 409 "try again" and the retry attaches.
    """
    person = _new_person(report, identity, profile)
    now = utcnow()
    contacts = [
        _contact(person.id, kind, value, trusted(value), now)
        for kind, value in _contacts_of(identity)
        if value
    ]
    passports = [_passport(person, identity.passport)] if identity.passport else []
    stay = _new_stay(person, report, representation, source=source)
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
    link_keys.apply(
        person,
        link_keys.link_keys(
            report.full_name, report.date_of_birth, identity.nik, report.sex, report.place_of_birth
        ),
    )
    update_profile_fields(person, report)
    return person


def update_profile_fields(person: Person, report: SelfReportCreate) -> None:
    """The newest report's contact preferences win; identity fields are kept."""
    person.preferred_language = report.language
    place = report.place_of_birth or person.place_of_birth
    if place != person.place_of_birth:
        person.place_of_birth = place
        link_keys.refresh(person)
    if report.emergency_contact_name:
        person.emergency_contact_name = report.emergency_contact_name
        person.emergency_contact_relation = report.emergency_contact_relation
    if report.consent:
        person.consent_at = utcnow()
        person.consent_version = CONSENT_VERSION


def record_identifiers(
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
        keys = link_keys.link_keys(
            person.full_name, person.date_of_birth, identity.nik, person.sex, person.place_of_birth
        )
        link_keys.apply(person, keys)
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


def add_stay(
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
    place = placement(fields.country, fields.city, fields.latitude, fields.longitude)
    return Stay(
        id=uuid.uuid4(),
        person_id=person.id,
        country=fields.country.upper(),
        subdivision=_subdivision(fields),
        city=fields.city,
        address=fields.address,
        latitude=place.latitude,
        longitude=place.longitude,
        h3_cell=place.h3_cell,
        position_approximate=place.approximate,
        purpose=fields.purpose,
        sector=fields.sector,
        employer=fields.employer,
        placement_agency=fields.placement_agency,
        arrival_date=fields.arrival_date,
        planned_end_date=fields.planned_end_date,
        status=StayStatus.ACTIVE,
        representation_code=representation.code if representation else None,
        source=source,
        language=person.preferred_language,
    )


def follow_language(session: Session, person_id: uuid.UUID, language: str) -> None:
    """Give the person's stays their language (``Stay.language``): after a report changes it,
    and after a merge or an unmerge moves stays from one person to another."""
    session.execute(
        update(Stay)
        .where(Stay.person_id == person_id, Stay.language != language)
        .values(language=language)
    )
