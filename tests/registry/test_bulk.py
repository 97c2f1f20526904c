"""Bulk writes: a NIK or passport on record told from any other failed write."""

from __future__ import annotations

from sqlalchemy import Update, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from peduli.registry import bulk, service
from peduli.registry.models import ContactKind, ContactPoint, Passport, Person
from tests.factories import nik, report, staff


def _refused(db: Session, statement: Update) -> IntegrityError:
    try:
        with db.begin_nested():
            db.execute(statement)
    except IntegrityError as error:
        return error
    raise AssertionError("the write was not refused")


def test_a_nik_or_passport_on_record_is_told_from_another_unique_key(db: Session) -> None:
    officer = staff()
    first = service.submit_self_report(db, report=report(), actor=officer).person
    second = service.submit_self_report(
        db, report=report(nik=nik(serial=2), passport_number="C7654321", phone="+821099999999"),
        actor=officer,
    ).person  # fmt: skip
    first_passport = select(Passport.number_index).where(Passport.person_id == first.id)
    first_phone = select(ContactPoint.value_index).where(
        ContactPoint.person_id == first.id, ContactPoint.kind == ContactKind.PHONE.value
    )
    second_phone = (ContactPoint.person_id == second.id) & (
        ContactPoint.kind == ContactKind.PHONE.value
    )

    nik_taken = _refused(
        db, update(Person).where(Person.id == second.id).values(nik_index=first.nik_index)
    )
    passport_taken = _refused(
        db,
        update(Passport)
        .where(Passport.person_id == second.id)
        .values(number_index=db.scalar(first_passport)),
    )
    phone_twice = _refused(
        db,
        update(ContactPoint)
        .where(second_phone)
        .values(person_id=first.id, value_index=db.scalar(first_phone)),
    )

    assert bulk.met_identifier_on_record(nik_taken)
    assert bulk.met_identifier_on_record(passport_taken)
    assert not bulk.met_identifier_on_record(phone_twice)  # the same phone twice: another key
