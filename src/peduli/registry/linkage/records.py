"""Loading the records to compare: a few statements for any number of people."""

from __future__ import annotations

import uuid
from collections.abc import Callable, Collection, Iterable, Sequence
from typing import Any

import numpy as np
import numpy.typing as npt
from sqlalchemy import (
    Column,
    CompoundSelect,
    MetaData,
    Select,
    Table,
    Uuid,
    any_,
    bindparam,
    func,
    insert,
    literal,
    literal_column,
    select,
    text,
    union_all,
)
from sqlalchemy.dialects import postgresql
from sqlalchemy.orm import Session

from peduli.core.crypto import get_cipher
from peduli.core.db import is_postgres
from peduli.registry.linkage import blocking
from peduli.registry.linkage.comparisons import LinkRecord, place_key
from peduli.registry.linkage.grouping import collector_paused
from peduli.registry.linkage.names import key_tokens
from peduli.registry.linkage.scoring import Columns
from peduli.registry.models import (
    NIK_PURPOSE,
    ContactKind,
    ContactPoint,
    Passport,
    Person,
    PersonStatus,
)

_COLUMNS = (
    Person.id, Person.name_key, Person.sex, Person.date_of_birth, Person.place_of_birth,
    Person.nik_encrypted,
)  # fmt: skip


# The people whose records the batch wants: a part of the registry too large for ``IN``,
# small enough that reading the whole registry to keep it cost more than writing it here.
_WANTED = Table(
    "link_wanted_person",
    MetaData(),
    Column("person_id", Uuid, primary_key=True),
    prefixes=["TEMPORARY"],
)


def load_records(session: Session, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, LinkRecord]:
    """The records of these active people, in a few statements whatever their number. NIKs
    are decrypted in memory only, for comparing."""
    if not ids:
        return {}
    if len(ids) * 2 > _registry_size(session):
        return _scanned(session, set(ids))
    return _joined(session, ids)


def _registry_size(session: Session) -> float:
    """About how many people the registry holds, without counting them (``count(*)``
    reads the whole table): PostgreSQL's planner estimate (0 before the table is first
    analysed), SQLite's largest row number. Enough to choose between a scan and a join."""
    if is_postgres(session):
        estimate = session.scalar(_POSTGRES_ESTIMATE)
    else:
        estimate = session.scalar(select(func.max(literal_column("rowid"))).select_from(Person))
    return max(estimate or 0.0, 0.0)


_POSTGRES_ESTIMATE = text(
    "SELECT reltuples FROM pg_class WHERE oid = to_regclass(:table)"
).bindparams(table=Person.__tablename__)


def _scanned(session: Session, wanted: set[uuid.UUID]) -> dict[uuid.UUID, LinkRecord]:
    """Most of the registry: read whole, the rest dropped (cheaper than writing the ids)."""
    passports: dict[uuid.UUID, set[str]] = {}
    phones: dict[uuid.UUID, set[str]] = {}
    for person_id, kind, index in session.execute(_ALL_IDENTIFIERS):
        if person_id in wanted:
            (passports if kind == "p" else phones).setdefault(person_id, set()).add(index)
    rows = session.execute(select(*_COLUMNS).where(Person.status == PersonStatus.ACTIVE))
    return _built((row for row in rows if row[0] in wanted), passports, phones)


def _joined(session: Session, ids: Collection[uuid.UUID]) -> dict[uuid.UUID, LinkRecord]:
    """Less than half the registry: the ids go to a temporary table, joined to the person,
    passport and phone tables."""
    connection = session.connection()
    _WANTED.drop(connection, checkfirst=True)
    _WANTED.create(connection)
    session.execute(insert(_WANTED), [{"person_id": person_id} for person_id in ids])
    if is_postgres(session):  # autovacuum never analyses a temporary table
        session.execute(text(f"ANALYZE {_WANTED.name}"))
    passports: dict[uuid.UUID, set[str]] = {}
    phones: dict[uuid.UUID, set[str]] = {}
    for person_id, kind, index in session.execute(_WANTED_IDENTIFIERS):
        (passports if kind == "p" else phones).setdefault(person_id, set()).add(index)
    rows = session.execute(_WANTED_PEOPLE).all()
    _WANTED.drop(connection)
    return _built(rows, passports, phones)


def load_with_candidates(session: Session, person: Person) -> dict[uuid.UUID, LinkRecord]:
    """The person and its candidates (``blocking``) in two statements built once."""
    rows = session.execute(_WITH_CANDIDATES, blocking.key_values(person)).all()
    return _records(session, rows)


def _with_candidates() -> CompoundSelect:
    found = blocking.CANDIDATE_IDS.subquery()
    return union_all(
        select(*_COLUMNS).where(Person.id == bindparam("person_id", type_=Person.id.type)),
        select(*_COLUMNS).select_from(found).join(Person, Person.id == found.c[0]),
    )


def _identifiers() -> CompoundSelect:
    ids = bindparam("ids", expanding=True, type_=Person.id.type)
    return union_all(
        select(Passport.person_id, literal("p"), Passport.number_index).where(
            Passport.person_id.in_(ids)
        ),
        select(ContactPoint.person_id, literal("c"), ContactPoint.value_index).where(
            ContactPoint.person_id.in_(ids), ContactPoint.kind == ContactKind.PHONE
        ),
    )


def _all_identifiers() -> CompoundSelect:
    return union_all(
        select(Passport.person_id, literal("p"), Passport.number_index),
        select(ContactPoint.person_id, literal("c"), ContactPoint.value_index).where(
            ContactPoint.kind == ContactKind.PHONE
        ),
    )


def _wanted_identifiers() -> CompoundSelect:
    wanted = _WANTED.c.person_id
    return union_all(
        select(Passport.person_id, literal("p"), Passport.number_index).join(
            _WANTED, wanted == Passport.person_id
        ),
        select(ContactPoint.person_id, literal("c"), ContactPoint.value_index)
        .join(_WANTED, wanted == ContactPoint.person_id)
        .where(ContactPoint.kind == ContactKind.PHONE),
    )


_WITH_CANDIDATES = _with_candidates()
_IDENTIFIERS = _identifiers()
_ALL_IDENTIFIERS = _all_identifiers()
_WANTED_IDENTIFIERS = _wanted_identifiers()
_WANTED_PEOPLE = (
    select(*_COLUMNS)
    .join(_WANTED, _WANTED.c.person_id == Person.id)
    .where(Person.status == PersonStatus.ACTIVE)
)


def _records(session: Session, rows: Sequence[Any]) -> dict[uuid.UUID, LinkRecord]:
    if not rows:
        return {}
    passports: dict[uuid.UUID, set[str]] = {}
    phones: dict[uuid.UUID, set[str]] = {}
    for person_id, kind, index in session.execute(_IDENTIFIERS, {"ids": [r[0] for r in rows]}):
        (passports if kind == "p" else phones).setdefault(person_id, set()).add(index)
    return _built(rows, passports, phones)


# The ids of a part, bound as one array on PostgreSQL, as a list of values on SQLite (which
# takes at most 32,766 in a statement; the list is bound three times).
_IDS_ARRAY = bindparam("ids", type_=postgresql.ARRAY(Uuid()))
_IDS_LIST = bindparam("ids", expanding=True, type_=Person.id.type)
IDS_PER_STATEMENT = {True: 50_000, False: 5_000}


def held(column: Any, *where: Any) -> Any:
    """Each person's blind indexes of one kind, comma-separated (hex digests have none)."""
    return (
        select(column.table.c.person_id, func.aggregate_strings(column, ",").label("held"))
        .where(*where)
        .group_by(column.table.c.person_id)
        .subquery()
    )


def _part_rows(among: Callable[[Any], Any]) -> Select[Any]:
    """The active people whose ids are bound, with their passports' and phones' blind
    indexes on the same row (two grouped joins, each restricted to the same ids)."""
    passports = held(Passport.number_index, among(Passport.person_id))
    phones = held(
        ContactPoint.value_index,
        ContactPoint.kind == ContactKind.PHONE,
        among(ContactPoint.person_id),
    )
    return (
        select(*_COLUMNS, passports.c.held, phones.c.held)
        .outerjoin(passports, passports.c.person_id == Person.id)
        .outerjoin(phones, phones.c.person_id == Person.id)
        .where(among(Person.id), Person.status == PersonStatus.ACTIVE)
    )


_PART_ROWS = {
    True: _part_rows(lambda column: column == any_(_IDS_ARRAY)),
    False: _part_rows(lambda column: column.in_(_IDS_LIST)),
}


@collector_paused()
def part_columns(
    session: Session, ids: Sequence[uuid.UUID]
) -> tuple[Columns, npt.NDArray[np.bool_]]:
    """The batch's scoring columns of these people, in the order given, and which of them
    were found: a person merged or erased since the part's pairs were found is left out.
    Read through the connection (the ORM's row handling would double the time); a
    ``LinkRecord`` is made only for the pairs scored one by one."""
    postgres = is_postgres(session)
    statement, size = _PART_ROWS[postgres], IDS_PER_STATEMENT[postgres]
    connection = session.connection()
    found: dict[uuid.UUID, Any] = {}
    for start in range(0, len(ids), size):
        wanted = {"ids": list(ids[start : start + size])}
        found |= {row[0]: row for row in connection.execute(statement, wanted)}
    loaded = np.array([person_id in found for person_id in ids], dtype=np.bool_)
    people = [found[person_id] for person_id in ids if person_id in found]
    return Columns.build(
        [p[0] for p in people], [key_tokens(p[1]) for p in people], [p[3] for p in people],
        [p[2] for p in people], [_nik(p[5]) for p in people], [place_key(p[4]) for p in people],
        [_split(p[6]) for p in people], [_split(p[7]) for p in people],
    ), loaded  # fmt: skip


def _split(held: str | None) -> list[str]:
    return held.split(",") if held else []


def _nik(encrypted: str | None) -> str | None:
    """The NIK in the clear, in memory only, for comparing."""
    return get_cipher().decrypt(encrypted, purpose=NIK_PURPOSE) if encrypted else None


def _built(
    rows: Iterable[Any], passports: dict[uuid.UUID, set[str]], phones: dict[uuid.UUID, set[str]]
) -> dict[uuid.UUID, LinkRecord]:
    return {
        person_id: LinkRecord(
            id=person_id,
            tokens=key_tokens(name_key),
            date_of_birth=born,
            sex=sex,
            nik=_nik(nik),
            place=place_key(place),
            passports=frozenset(passports.get(person_id, ())),
            phones=frozenset(phones.get(person_id, ())),
        )
        for person_id, name_key, sex, born, place, nik in rows
    }
