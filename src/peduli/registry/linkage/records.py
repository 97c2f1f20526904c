"""Loading the records to compare: a few statements for any number of people."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import ColumnElement, Select, literal, or_, select, union_all
from sqlalchemy.orm import Session

from peduli.core.crypto import get_cipher
from peduli.registry.linkage.comparisons import LinkRecord, place_key
from peduli.registry.linkage.names import name_tokens
from peduli.registry.models import NIK_PURPOSE, ContactKind, ContactPoint, Passport, Person

CHUNK = 5000  # ids bound per statement (well under SQLite's limit of variables)


def load_records(session: Session, ids: Sequence[uuid.UUID]) -> dict[uuid.UUID, LinkRecord]:
    """The records of these people; NIKs are decrypted in memory only, for comparing."""
    records: dict[uuid.UUID, LinkRecord] = {}
    for start in range(0, len(ids), CHUNK):
        records |= _load_chunk(session, list(ids[start : start + CHUNK]))
    return records


def _load_chunk(session: Session, ids: list[uuid.UUID]) -> dict[uuid.UUID, LinkRecord]:
    return _records(session, Person.id.in_(ids), ids)


def load_with_candidates(
    session: Session, person_id: uuid.UUID, candidates: Select[uuid.UUID]
) -> dict[uuid.UUID, LinkRecord]:
    """The person and its candidates in two statements (the online path's round trips)."""
    wanted = or_(Person.id == person_id, Person.id.in_(candidates.scalar_subquery()))
    return _records(session, wanted, None)


def _records(
    session: Session, wanted: ColumnElement[bool], ids: list[uuid.UUID] | None
) -> dict[uuid.UUID, LinkRecord]:
    rows = session.execute(
        select(
            Person.id, Person.full_name, Person.sex, Person.date_of_birth,
            Person.place_of_birth, Person.nik_encrypted,
        ).where(wanted)
    ).all()  # fmt: skip
    if not rows:
        return {}
    ids = ids if ids is not None else [row[0] for row in rows]
    passports: dict[uuid.UUID, set[str]] = {}
    phones: dict[uuid.UUID, set[str]] = {}
    identifiers = union_all(
        select(Passport.person_id, literal("p"), Passport.number_index).where(
            Passport.person_id.in_(ids)
        ),
        select(ContactPoint.person_id, literal("c"), ContactPoint.value_index).where(
            ContactPoint.person_id.in_(ids), ContactPoint.kind == ContactKind.PHONE
        ),
    )
    for person_id, kind, index in session.execute(identifiers):
        (passports if kind == "p" else phones).setdefault(person_id, set()).add(index)
    cipher = get_cipher()
    return {
        person_id: LinkRecord(
            id=person_id,
            tokens=name_tokens(full_name),
            date_of_birth=born,
            sex=sex,
            nik=cipher.decrypt(nik, purpose=NIK_PURPOSE) if nik else None,
            place=place_key(place),
            passports=frozenset(passports.get(person_id, ())),
            phones=frozenset(phones.get(person_id, ())),
        )
        for person_id, full_name, sex, born, place, nik in rows
    }
