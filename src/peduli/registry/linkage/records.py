"""Loading the records to compare: a few statements for any number of people."""

from __future__ import annotations

import uuid
from collections.abc import Sequence

from sqlalchemy import select
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
    cipher = get_cipher()
    passports: dict[uuid.UUID, set[str]] = {}
    for person_id, index in session.execute(
        select(Passport.person_id, Passport.number_index).where(Passport.person_id.in_(ids))
    ):
        passports.setdefault(person_id, set()).add(index)
    phones: dict[uuid.UUID, set[str]] = {}
    for person_id, index in session.execute(
        select(ContactPoint.person_id, ContactPoint.value_index).where(
            ContactPoint.person_id.in_(ids), ContactPoint.kind == ContactKind.PHONE
        )
    ):
        phones.setdefault(person_id, set()).add(index)
    rows = session.execute(
        select(
            Person.id, Person.full_name, Person.sex, Person.date_of_birth,
            Person.place_of_birth, Person.nik_encrypted,
        ).where(Person.id.in_(ids))
    )  # fmt: skip
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
