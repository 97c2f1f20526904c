"""Candidate pairs, by SQL over indexes: only pairs sharing a blocking key are scored.

The keys (any one suffices, so a mistyped birth date or NIK digit still meets its pair):
the NIK's and passports' blind indexes, a phone's blind index, the birth date with a rare
name token, the birth date with the initials of the name (``link_initials``: a mistyped
letter), the birth year or the day and month with the two rarest tokens (``link_name_year``,
``link_name_day``, with the place of birth for a common name: ``keys``), and the NIK's home
regency with the birth year and a token, for a name that is not common (``link_region``).
The NIK and passport indexes are unique, so in a batch no two records share one (a report
naming a known NIK or passport attaches or opens a claim instead); online they still find
the holder. The batch finds the pairs sharing these keys in memory (``batch_blocking``).
"""

from __future__ import annotations

import uuid
from typing import Any

from sqlalchemy import (
    Date,
    Select,
    String,
    bindparam,
    or_,
    select,
    union,
)
from sqlalchemy.orm import Session

from peduli.registry.models import ContactKind, ContactPoint, Passport, Person, PersonStatus

ONLINE_LIMIT = 500


def candidates_of(session: Session, person: Person) -> list[uuid.UUID]:
    """Active people sharing a blocking key with ``person`` (itself excluded)."""
    return list(session.scalars(CANDIDATE_IDS, key_values(person)))


def key_values(person: Person) -> dict[str, Any]:
    """The bound values of ``CANDIDATE_IDS`` for ``person`` (an absent key is NULL, which
    matches nothing)."""
    return {
        "person_id": person.id,
        "nik_index": person.nik_index,
        "born": person.date_of_birth,
        "token_a": person.link_token_a,
        "token_b": person.link_token_b,
        "region": person.link_region,
        "initials": person.link_initials,
        "name_day": person.link_name_day,
        "name_year": person.link_name_year,
    }


def _candidate_ids() -> Select[uuid.UUID]:
    """Built once with bound parameters: building a statement costs more than running it."""
    me = bindparam("person_id", type_=Person.id.type)
    tokens = (bindparam("token_a", type_=String), bindparam("token_b", type_=String))
    shares_token = or_(Person.link_token_a.in_(tokens), Person.link_token_b.in_(tokens))
    blocks = [
        select(Passport.person_id).where(
            Passport.number_index.in_(select(Passport.number_index).where(Passport.person_id == me))
        ),
        select(ContactPoint.person_id).where(
            ContactPoint.kind == ContactKind.PHONE,
            ContactPoint.value_index.in_(
                select(ContactPoint.value_index).where(
                    ContactPoint.person_id == me, ContactPoint.kind == ContactKind.PHONE
                )
            ),
        ),
        select(Person.id).where(Person.nik_index == bindparam("nik_index", type_=String)),
        select(Person.id).where(
            Person.date_of_birth == bindparam("born", type_=Date), shares_token
        ),
        select(Person.id).where(
            Person.link_region == bindparam("region", type_=String), shares_token
        ),
        select(Person.id).where(Person.link_initials == bindparam("initials", type_=String)),
        select(Person.id).where(Person.link_name_day == bindparam("name_day", type_=String)),
        select(Person.id).where(Person.link_name_year == bindparam("name_year", type_=String)),
    ]
    found = union(*blocks).subquery()
    # Driven from the blocks (a join, not ``IN``), so that the database probes the person
    # table by primary key for the few candidates instead of scanning it.
    return (
        select(Person.id)
        .select_from(found)
        .join(Person, Person.id == found.c[0])
        .where(Person.id != me, Person.status == PersonStatus.ACTIVE)
        .limit(ONLINE_LIMIT)
    )


CANDIDATE_IDS = _candidate_ids()
