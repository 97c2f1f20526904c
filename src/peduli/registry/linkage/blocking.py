"""Candidate pairs, by SQL over indexes: only pairs sharing a blocking key are scored.

The keys (any one suffices, so a mistyped birth date or NIK digit still meets its pair):
the NIK's and passports' blind indexes, a phone's blind index, the birth date with a rare
name token, the birth date with the initials of the name (``link_initials``: a mistyped
letter), the birth year or the day and month with the two rarest tokens (``link_name_year``,
``link_name_day``), and the NIK's home
regency with the birth year and a rare token (``link_region``). The NIK and passport
indexes are unique, so in a batch no two records share one (a report naming a known NIK
or passport attaches or opens a claim instead); online they still find the holder.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator

from sqlalchemy import ColumnElement, Select, and_, or_, select, union
from sqlalchemy.orm import Session, aliased

from peduli.registry.models import ContactKind, ContactPoint, Passport, Person, PersonStatus

ONLINE_LIMIT = 500


def _shares_token(a: type[Person], b: type[Person]) -> ColumnElement[bool]:
    """One of the two rarest tokens of ``a`` is one of ``b``'s."""
    return or_(
        b.link_token_a == a.link_token_a,
        b.link_token_a == a.link_token_b,
        b.link_token_b == a.link_token_a,
        b.link_token_b == a.link_token_b,
    )


def candidates_of(session: Session, person: Person) -> list[uuid.UUID]:
    """Active people sharing a blocking key with ``person`` (itself excluded)."""
    return list(session.scalars(candidate_ids(person)))


def candidate_ids(person: Person) -> Select[uuid.UUID]:
    """The statement of ``candidates_of``, to embed in another."""
    tokens = [t for t in (person.link_token_a, person.link_token_b) if t]
    shares_token = or_(Person.link_token_a.in_(tokens), Person.link_token_b.in_(tokens))
    blocks: list[Select[uuid.UUID]] = [
        select(Passport.person_id).where(
            Passport.number_index.in_(
                select(Passport.number_index).where(Passport.person_id == person.id)
            )
        ),
        select(ContactPoint.person_id).where(
            ContactPoint.kind == ContactKind.PHONE,
            ContactPoint.value_index.in_(
                select(ContactPoint.value_index).where(
                    ContactPoint.person_id == person.id, ContactPoint.kind == ContactKind.PHONE
                )
            ),
        ),
    ]
    if person.nik_index:
        blocks.append(select(Person.id).where(Person.nik_index == person.nik_index))
    if tokens:
        blocks.append(
            select(Person.id).where(Person.date_of_birth == person.date_of_birth, shares_token)
        )
    if tokens and person.link_region:
        blocks.append(
            select(Person.id).where(Person.link_region == person.link_region, shares_token)
        )
    if person.link_initials:
        blocks.append(select(Person.id).where(Person.link_initials == person.link_initials))
    if person.link_name_day:
        blocks.append(select(Person.id).where(Person.link_name_day == person.link_name_day))
    if person.link_name_year:
        blocks.append(select(Person.id).where(Person.link_name_year == person.link_name_year))
    found = union(*blocks).subquery()
    return (
        select(Person.id)
        .where(
            Person.id.in_(select(found.c[0])),
            Person.id != person.id,
            Person.status == PersonStatus.ACTIVE,
        )
        .limit(ONLINE_LIMIT)
    )


def batch_pairs(session: Session) -> Iterator[tuple[uuid.UUID, uuid.UUID]]:
    """Every pair of active people sharing a blocking key, once each (smaller id first)."""
    a, b = aliased(Person, name="a"), aliased(Person, name="b")
    active = and_(a.status == PersonStatus.ACTIVE, b.status == PersonStatus.ACTIVE, a.id < b.id)
    shares = _shares_token(a, b)
    people = [
        select(a.id, b.id).join(b, and_(b.date_of_birth == a.date_of_birth, active, shares)),
        select(a.id, b.id).join(b, and_(b.link_region == a.link_region, active, shares)),
        select(a.id, b.id).join(b, and_(b.link_name_year == a.link_name_year, active)),
        select(a.id, b.id).join(b, and_(b.link_name_day == a.link_name_day, active)),
        select(a.id, b.id).join(b, and_(b.link_initials == a.link_initials, active)),
    ]
    c, d = aliased(ContactPoint, name="c"), aliased(ContactPoint, name="d")
    phones = (
        select(a.id, b.id)
        .select_from(c)
        .join(d, and_(d.value_index == c.value_index, d.kind == c.kind))
        .join(a, a.id == c.person_id)
        .join(b, b.id == d.person_id)
        .where(c.kind == ContactKind.PHONE, active)
    )
    result = session.execute(union(*people, phones))
    for row in result:
        yield row[0], row[1]
