"""``insert_new``: new rows without the unit of work, one statement on PostgreSQL."""

from __future__ import annotations

import uuid
from datetime import date, datetime, timedelta, timezone

import pytest
from sqlalchemy.exc import IntegrityError, StatementError
from sqlalchemy.orm import Session

from peduli.core.db import utcnow
from peduli.core.insert_new import insert_new
from peduli.registry.models import ContactPoint, Person, PersonStatus, Stay, StayStatus


def _person(**fields: object) -> Person:
    return Person(
        id=uuid.uuid4(), full_name="Siti Aminah", name_key="siti aminah", sex="F",
        date_of_birth=date(1990, 5, 17), **fields,
    )  # fmt: skip


def test_rows_of_several_tables_read_back_as_written_with_defaults_applied(db: Session) -> None:
    consent = datetime(2026, 11, 25, 9, 30, tzinfo=timezone(timedelta(hours=7)))
    person = _person(consent_at=consent, emergency_contact_name="Budi — adik")
    contacts = [
        ContactPoint(person_id=person.id, kind="phone", value="+6281234567890"),
        ContactPoint(person_id=person.id, kind="email", value="siti@example.id"),
    ]
    stay = Stay(
        id=uuid.uuid4(), person_id=person.id, country="MY", city="Kuala Lumpur",
        latitude=3.139, longitude=101.6869, purpose="work", arrival_date=date(2025, 1, 2),
        language="id",
    )  # fmt: skip
    insert_new(db, [person, *contacts, stay])
    # The objects carry what the database filled in, as after a flush.
    assert person.status == PersonStatus.ACTIVE and person.created_at is not None
    assert stay.status == StayStatus.ACTIVE and all(c.id is not None for c in contacts)
    db.commit()
    db.expunge_all()
    stored = db.get(Person, person.id)
    assert stored is not None
    assert stored.consent_at == consent and stored.emergency_contact_name == "Budi — adik"
    assert stored.created_at == person.created_at
    assert {c.value for c in db.query(ContactPoint).filter_by(person_id=person.id)} == {
        "+6281234567890",
        "siti@example.id",
    }
    assert db.get(Stay, stay.id).latitude == 3.139  # type: ignore[union-attr]


def test_a_child_without_its_parent_is_refused(db: Session) -> None:
    orphan = ContactPoint(person_id=uuid.uuid4(), kind="phone", value="+6281234567890")
    with pytest.raises(IntegrityError):
        insert_new(db, [orphan])


def test_a_naive_timestamp_is_refused(db: Session) -> None:
    # PostgreSQL's path refuses it itself; SQLite's through the column type (wrapped).
    with pytest.raises((ValueError, StatementError), match="naive datetime"):
        insert_new(db, [_person(consent_at=utcnow().replace(tzinfo=None))])
