"""Registry queries: every look-up goes through an index (blind index, phone, birth date)."""

from __future__ import annotations

import uuid
from collections.abc import Collection, Sequence
from dataclasses import dataclass
from datetime import date

from sqlalchemy import (
    CompoundSelect,
    Select,
    bindparam,
    case,
    distinct,
    exists,
    false,
    func,
    literal,
    or_,
    select,
    union_all,
)
from sqlalchemy.orm import Session

from peduli.auth.policy import Scope
from peduli.core.crypto import contact_index
from peduli.registry import access
from peduli.registry.models import (
    ContactKind,
    ContactPoint,
    DuplicateCandidate,
    Passport,
    Person,
    PersonStatus,
    Stay,
    StayStatus,
)


def person_by_nik_index(session: Session, nik_index: str) -> Person | None:
    return session.scalar(select(Person).where(Person.nik_index == nik_index))


def person_by_passport_index(session: Session, number_index: str) -> Person | None:
    return session.scalar(
        select(Person)
        .join(Passport, Passport.person_id == Person.id)
        .where(Passport.number_index == number_index)
    )


@dataclass(frozen=True)
class IdentityProbe:
    """What one look-up found for a new report: a record holding its NIK or passport, and
    the active people born the same day (the possible duplicates of a new record)."""

    known_id: uuid.UUID | None
    born_same_day: Sequence[tuple[uuid.UUID, str]]


def _identity_probe_statement() -> CompoundSelect:
    """Built once: the write path runs it for every report, and building costs more than
    running it. Absent identifiers are bound as NULL, which matches nothing."""
    by_nik = select(literal(0).label("rank"), Person.id, Person.name_key).where(
        Person.nik_index == bindparam("nik_index")
    )
    by_passport = (
        select(literal(1).label("rank"), Person.id, Person.name_key)
        .join(Passport, Passport.person_id == Person.id)
        .where(Passport.number_index == bindparam("passport_index"))
    )
    born_same_day = (
        select(literal(2).label("rank"), Person.id, Person.name_key)
        .where(
            Person.date_of_birth == bindparam("born"),
            Person.status == PersonStatus.ACTIVE,
        )
        .limit(bindparam("limit"))
        .subquery()
    )
    return union_all(by_nik, by_passport, select(born_same_day))


_IDENTITY_PROBE = _identity_probe_statement()


def probe_identity(
    session: Session,
    *,
    nik_index: str | None,
    passport_index: str | None,
    born: date,
    limit: int = 200,
) -> IdentityProbe:
    """NIK, passport and birth-date look-ups in one round trip (each through its index).

    The write path of a self-report is bound by round trips to the database, and a new
    citizen needs all three answers, so they travel as one ``UNION ALL``.
    """
    rows = (
        session.connection()
        .execute(
            _IDENTITY_PROBE,
            {
                "nik_index": nik_index,
                "passport_index": passport_index,
                "born": born,
                "limit": limit,
            },
        )
        .all()
    )
    known = min((row for row in rows if row[0] < 2), key=lambda row: row[0], default=None)
    return IdentityProbe(
        known_id=known[1] if known else None,
        born_same_day=[(row[1], row[2]) for row in rows if row[0] == 2],
    )


def person_ids_by_phone(session: Session, phone: str, limit: int) -> list[uuid.UUID]:
    """People with this phone (E.164), found through its blind index."""
    rows = session.scalars(
        select(ContactPoint.person_id)
        .where(
            ContactPoint.kind == ContactKind.PHONE, ContactPoint.value_index == contact_index(phone)
        )
        .limit(limit)
    )
    return list(rows)


def person_by_trusted_phone(session: Session, phone: str) -> uuid.UUID | None:
    """The one person whose trusted phone this is (a code came back from it, or an officer
    vouched for it); None when nobody's, or when several people share it."""
    rows = session.scalars(
        select(ContactPoint.person_id)
        .where(
            ContactPoint.kind == ContactKind.PHONE,
            ContactPoint.value_index == contact_index(phone),
            ContactPoint.trusted_at.is_not(None),
        )
        .distinct()
        .limit(2)
    ).all()
    return rows[0] if len(rows) == 1 else None


def current_representation(session: Session, person_id: uuid.UUID) -> str | None:
    """The post serving the person's current stay (the latest active one), if any."""
    return session.scalar(
        select(Stay.representation_code)
        .where(
            Stay.person_id == person_id,
            Stay.status == StayStatus.ACTIVE,
            Stay.representation_code.is_not(None),
        )
        .order_by(Stay.arrival_date.desc())
        .limit(1)
    )


def people_born_on(
    session: Session, born: date, *, exclude: uuid.UUID, limit: int = 200
) -> Sequence[tuple[uuid.UUID, str]]:
    """Active people with this birth date: the candidates a new record may duplicate."""
    rows = session.execute(
        select(Person.id, Person.name_key)
        .where(
            Person.date_of_birth == born,
            Person.status == PersonStatus.ACTIVE,
            Person.id != exclude,
        )
        .limit(limit)
    )
    return [(row[0], row[1]) for row in rows]


@dataclass(frozen=True)
class AbroadCount:
    """How many people had a stay abroad on a day, in one group of every published dimension."""

    country: str
    representation_code: str
    purpose: str
    sector: str
    sex: str
    age_band: str
    people: int


def people_abroad_on(
    session: Session, day: date, *, born_after: Sequence[tuple[date, str]], oldest: str
) -> list[AbroadCount]:
    """People abroad on ``day`` (arrived by then, not departed before it), counted by country,
    post, purpose, sector, sex and age band in one GROUP BY: ``born_after`` gives each band
    as (the earliest birth date in it, its name), youngest first; older people are ``oldest``.
    A person with two stays on that day in different groups counts in each."""
    band = case(*((Person.date_of_birth >= cut, name) for cut, name in born_after), else_=oldest)
    here = (
        Stay.arrival_date <= day,
        or_(
            Stay.departed_on > day,
            (Stay.departed_on.is_(None)) & (Stay.status == StayStatus.ACTIVE),
        ),
        Person.status == PersonStatus.ACTIVE,
    )
    keys = (
        Stay.country,
        func.coalesce(Stay.representation_code, ""),
        Stay.purpose,
        func.coalesce(Stay.sector, ""),
        Person.sex,
        band,
    )
    rows = session.execute(
        select(*keys, func.count(distinct(Person.id)))
        .join(Person, Person.id == Stay.person_id)
        .where(*here)
        .group_by(*keys)
    )
    return [AbroadCount(*row) for row in rows]


def representation_codes(session: Session, person_id: uuid.UUID) -> set[str]:
    """The posts serving this person (through any of their stays: ``access.served_by``)."""
    rows = session.scalars(
        select(Stay.representation_code)
        .where(Stay.person_id == person_id, Stay.representation_code.is_not(None))
        .distinct()
    )
    return {code for code in rows if code}


def representation_codes_of(
    session: Session, person_ids: Collection[uuid.UUID]
) -> dict[uuid.UUID, list[str]]:
    """Representations per person for a page of results, in one query."""
    result: dict[uuid.UUID, list[str]] = {pid: [] for pid in person_ids}
    if not person_ids:
        return result
    rows = session.execute(
        select(Stay.person_id, Stay.representation_code)
        .where(Stay.person_id.in_(person_ids), Stay.representation_code.is_not(None))
        .distinct()
    )
    for person_id, code in rows:
        if code:
            result[person_id].append(code)
    return result


def scoped(query: Select[Person], scope: Scope) -> Select[Person]:
    """Restrict a person query to the caller's scope (no-op for everyone)."""
    if scope.everyone:
        return query
    if scope.person_id is not None:
        return query.where(Person.id == scope.person_id)
    if scope.representation_codes:
        return query.where(access.served_by(Person.id, scope.representation_codes))
    return query.where(false())


def stays_of(session: Session, person_id: uuid.UUID) -> list[Stay]:
    return list(
        session.scalars(
            select(Stay).where(Stay.person_id == person_id).order_by(Stay.arrival_date.desc())
        )
    )


def passports_of(session: Session, person_id: uuid.UUID) -> list[Passport]:
    return list(
        session.scalars(
            select(Passport)
            .where(Passport.person_id == person_id)
            .order_by(Passport.reported_at.desc())
        )
    )


def has_trusted_contact(session: Session, person_id: uuid.UUID, value: str) -> bool:
    """Whether ``value`` is a trusted contact of the person (a code came back from it, or an
    officer vouched for it)."""
    return bool(
        session.scalar(
            select(
                exists().where(
                    ContactPoint.person_id == person_id,
                    ContactPoint.value_index == contact_index(value),
                    ContactPoint.trusted_at.is_not(None),
                )
            )
        )
    )


def trusted_contacts_of(session: Session, person_id: uuid.UUID) -> list[ContactPoint]:
    """The contacts a code proving a claim may go to: trusted ones only, never a claim's."""
    return list(
        session.scalars(
            select(ContactPoint)
            .where(ContactPoint.person_id == person_id, ContactPoint.trusted_at.is_not(None))
            .order_by(ContactPoint.kind, ContactPoint.id)
        )
    )


def contacts_of(session: Session, person_id: uuid.UUID) -> list[ContactPoint]:
    return list(session.scalars(select(ContactPoint).where(ContactPoint.person_id == person_id)))


def open_duplicates(
    session: Session, *, representation_codes: Collection[str] | None, limit: int, offset: int
) -> tuple[int, list[DuplicateCandidate]]:
    """Open duplicate pairs, newest first, for a set of representations or for all."""
    condition = DuplicateCandidate.status == "open"
    if representation_codes is not None:
        condition = condition & DuplicateCandidate.representation_code.in_(representation_codes)
    total = session.scalar(select(func.count()).select_from(DuplicateCandidate).where(condition))
    items = session.scalars(
        select(DuplicateCandidate)
        .where(condition)
        .order_by(DuplicateCandidate.created_at.desc())
        .limit(limit)
        .offset(offset)
    )
    return total or 0, list(items)


@dataclass(frozen=True)
class PhoneHolder:
    """Whose verified phone a number is, and where their latest active stay is."""

    person_id: uuid.UUID
    country: str | None
    representation_code: str | None


def verified_phone_holder(session: Session, phone: str) -> PhoneHolder | None:
    """The one person holding ``phone`` as a trusted contact (a code came back from it, or an
    officer vouched for it), with their latest active stay; None when nobody or several do
    (an incoming call shows a person only on such a match, never on an unverified claim)."""
    person_id = person_by_trusted_phone(session, phone)
    if person_id is None:
        return None
    stay = session.execute(
        select(Stay.country, Stay.representation_code)
        .where(Stay.person_id == person_id, Stay.status == StayStatus.ACTIVE)
        .order_by(Stay.created_at.desc())
        .limit(1)
    ).first()
    return PhoneHolder(person_id, stay[0] if stay else None, stay[1] if stay else None)
