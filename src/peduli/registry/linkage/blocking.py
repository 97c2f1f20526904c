"""Candidate pairs, by SQL over indexes: only pairs sharing a blocking key are scored.

The keys (any one suffices, so a mistyped birth date or NIK digit still meets its pair):
the NIK's and passports' blind indexes, a phone's blind index, the birth date with a rare
name token, the birth date with the initials of the name (``link_initials``: a mistyped
letter), the birth year or the day and month with the two rarest tokens (``link_name_year``,
``link_name_day``, with the place of birth for a common name: ``keys``), and the NIK's home
regency with the birth year and a token, for a name that is not common (``link_region``).
The NIK and passport indexes are unique, so in a batch no two records share one (a report
naming a known NIK or passport attaches or opens a claim instead); online they still find
the holder.
"""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from typing import Any

from sqlalchemy import (
    Column,
    CompoundSelect,
    Date,
    MetaData,
    Select,
    SmallInteger,
    String,
    Table,
    Uuid,
    and_,
    bindparam,
    cast,
    insert,
    literal,
    or_,
    select,
    text,
    union,
    union_all,
)
from sqlalchemy.orm import Session

from peduli.core.db import is_postgres
from peduli.registry.models import ContactKind, ContactPoint, Passport, Person, PersonStatus

ONLINE_LIMIT = 500
BATCH_WORK_MEM = "256MB"


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


# The batch's blocking keys, one row per (person, key): every key is then one equality
# join, hash-joined on PostgreSQL and index-joined on SQLite, instead of self-joins of the
# person table with OR-ed token conditions, which each person probed by nested loop.
_BLOCK_KEYS = Table(
    "link_block_key",
    MetaData(),
    Column("kind", SmallInteger, nullable=False),
    Column("value", String(200), nullable=False),
    Column("person_id", Uuid, nullable=False),
    prefixes=["TEMPORARY"],
)


def _block_key_rows() -> CompoundSelect:
    """(kind, value, person) for every blocking key of every active person; a key shared
    by two people is a candidate pair (the same keys as ``CANDIDATE_IDS``)."""
    active = Person.status == PersonStatus.ACTIVE
    born = cast(Person.date_of_birth, String)
    keyed: list[tuple[int, Any]] = [
        (1, born + ":" + Person.link_token_a),
        (1, born + ":" + Person.link_token_b),
        (2, Person.link_region + ":" + Person.link_token_a),
        (2, Person.link_region + ":" + Person.link_token_b),
        (3, Person.link_name_year),
        (4, Person.link_name_day),
        (5, Person.link_initials),
    ]
    phones = (
        select(literal(6), ContactPoint.value_index, ContactPoint.person_id)
        .join(Person, Person.id == ContactPoint.person_id)
        .where(ContactPoint.kind == ContactKind.PHONE, active)
    )
    return union_all(
        *(select(literal(kind), value, Person.id).where(active, value.is_not(None))
          for kind, value in keyed),
        phones,
    )  # fmt: skip


def batch_pairs(session: Session) -> Iterator[tuple[uuid.UUID, uuid.UUID]]:
    """Every pair of active people sharing a blocking key, once each (smaller id first)."""
    connection = session.connection()
    _BLOCK_KEYS.drop(connection, checkfirst=True)
    _BLOCK_KEYS.create(connection)
    session.execute(
        insert(_BLOCK_KEYS).from_select(["kind", "value", "person_id"], _block_key_rows())
    )
    if is_postgres(session):  # hash-joined; autovacuum never analyses a temporary table
        session.execute(text(f"ANALYZE {_BLOCK_KEYS.name}"))
        # The keys' hash table in memory, not in 32 batches spilled to disk (the default
        # 4 MB); for this transaction only, which is the batch's own.
        session.execute(text(f"SET LOCAL work_mem = '{BATCH_WORK_MEM}'"))
    else:  # SQLite joins by index (built after the rows, which is faster)
        session.execute(
            text(f"CREATE INDEX ix_{_BLOCK_KEYS.name} ON {_BLOCK_KEYS.name} (kind, value)")
        )
    a, b = _BLOCK_KEYS.alias("a"), _BLOCK_KEYS.alias("b")
    pairs = (
        select(a.c.person_id, b.c.person_id)
        .join(b, and_(b.c.kind == a.c.kind, b.c.value == a.c.value))
        .where(a.c.person_id < b.c.person_id)
        .distinct()
    )
    rows = session.execute(pairs).all()
    _BLOCK_KEYS.drop(connection)
    for row in rows:
        yield row[0], row[1]
