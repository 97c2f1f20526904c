"""An officer's correction of a person's identity: validated like a self-report, allowed to
the person's post and HQ, audited with the names of the fields that changed."""

from __future__ import annotations

import json
from datetime import date

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from peduli.auth.actor import Role
from peduli.auth.audit import AuditEntry
from peduli.core.db import rollback_and_keep
from peduli.core.errors import Conflict, Forbidden, ValidationFailed
from peduli.registry import identity, service
from peduli.registry.models import DuplicateCandidate, Person, PersonStatus
from peduli.registry.schemas import IdentityEdit, PersonSearch
from peduli.registry.search import search_people
from tests.factories import nik, report, staff

BORN = date(1990, 5, 17)


@pytest.fixture
def person(db: Session) -> Person:
    found = service.submit_self_report(db, report=report(), actor=staff(Role.HQ_ADMIN)).person
    db.flush()
    return found


def _edit(**changes: object) -> IdentityEdit:
    values: dict[str, object] = {
        "full_name": "Muhammad Yusuf",
        "date_of_birth": BORN,
        "place_of_birth": None,
        "sex": "M",
    }
    return IdentityEdit.model_validate(values | changes)


def _last(db: Session) -> AuditEntry:
    return db.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1)).one()


def test_an_officer_of_the_post_corrects_the_name_and_the_fields_are_audited(
    db: Session, person: Person
) -> None:
    changed = identity.edit_identity(
        db,
        person_id=person.id,
        edit=_edit(full_name="  Mochammad   Jusuf ", place_of_birth="Indramayu"),
        actor=staff(),
    ).changed
    assert changed == ["full_name", "place_of_birth"]
    db.expire_all()
    stored = db.get(Person, person.id)
    assert stored is not None
    assert (stored.full_name, stored.place_of_birth) == ("Mochammad Jusuf", "Indramayu")
    assert stored.name_key.startswith("mochammad") or stored.name_key.startswith("muhammad")
    assert stored.name_key != person.name_key or "mochammad" not in person.name_key
    entry = _last(db)
    assert (entry.action, entry.subject_person_id) == ("person.edit_identity", person.id)
    assert json.loads(entry.fields) == ["full_name", "place_of_birth"], "names, never values"
    assert "Jusuf" not in (entry.entity_id or "")


def test_nothing_changed_writes_no_audit_entry(db: Session, person: Person) -> None:
    before = _last(db).seq
    assert (
        identity.edit_identity(db, person_id=person.id, edit=_edit(), actor=staff()).changed == []
    )
    assert _last(db).seq == before


def test_a_birth_date_or_sex_the_nik_contradicts_is_refused_at_its_field(
    db: Session, person: Person
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        identity.edit_identity(
            db,
            person_id=person.id,
            edit=_edit(date_of_birth=date(1991, 5, 17), sex="F"),
            actor=staff(),
        )
    fields = {problem.field: problem.code for problem in refused.value.problems}
    assert fields == {"date_of_birth": "nik_birth_date_mismatch", "sex": "nik_sex_mismatch"}


def test_a_future_birth_date_and_a_control_character_are_refused(
    db: Session, person: Person
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        identity.edit_identity(
            db,
            person_id=person.id,
            edit=_edit(full_name="Yu\u0007suf", date_of_birth=date(2999, 1, 1)),
            actor=staff(),
        )
    assert {p.field for p in refused.value.problems} == {"full_name", "date_of_birth"}


def test_without_a_nik_the_birth_date_is_free_to_correct(db: Session) -> None:
    found = service.submit_self_report(
        db, report=report(nik=None), actor=staff(Role.HQ_ADMIN)
    ).person
    changed = identity.edit_identity(
        db, person_id=found.id, edit=_edit(date_of_birth=date(1991, 2, 3)), actor=staff()
    ).changed
    assert changed == ["date_of_birth"]


def test_hq_corrects_anyone_another_post_no_one(db: Session, person: Person) -> None:
    assert identity.edit_identity(
        db, person_id=person.id, edit=_edit(place_of_birth="Cirebon"), actor=staff(Role.HQ_ADMIN)
    ).changed == ["place_of_birth"]
    with pytest.raises(Forbidden):
        identity.edit_identity(
            db,
            person_id=person.id,
            edit=_edit(place_of_birth="Bandung"),
            actor=staff(representation_code="kbri-kuala-lumpur"),
        )
    with pytest.raises(Forbidden):
        identity.edit_identity(db, person_id=person.id, edit=_edit(), actor=staff(Role.HQ_ANALYST))


def test_a_merged_record_is_not_corrected(db: Session, person: Person) -> None:
    db.execute(update(Person).where(Person.id == person.id).values(status=PersonStatus.MERGED))
    db.expire_all()
    with pytest.raises(Conflict):
        identity.edit_identity(db, person_id=person.id, edit=_edit(), actor=staff())


def test_only_the_fields_given_change(db: Session, person: Person) -> None:
    edit = IdentityEdit.model_validate({"place_of_birth": "Cirebon"})
    correction = identity.edit_identity(db, person_id=person.id, edit=edit, actor=staff())
    assert correction.changed == ["place_of_birth"]
    assert (correction.person.full_name, correction.person.date_of_birth) == (
        "Muhammad Yusuf",
        BORN,
    )


def test_the_nik_is_corrected_with_its_blind_index(db: Session, person: Person) -> None:
    new = nik(born=BORN, sex="M", serial=42)
    correction = identity.edit_identity(
        db, person_id=person.id, edit=_edit(nik=f"{new[:6]} {new[6:12]} {new[12:]}"), actor=staff()
    )
    assert correction.changed == ["nik"]
    db.flush()
    assert identity.nik_of(correction.person) == new
    found = search_people(db, query=PersonSearch(nik=new), actor=staff(Role.HQ_ADMIN))
    assert [hit.person.id for hit in found.hits] == [person.id]
    assert json.loads(_last(db).fields) == ["nik"] and new not in (_last(db).fields or "")


@pytest.mark.parametrize(
    ("typed", "code"),
    [
        (nik(born=BORN, sex="M", serial=42)[:15], "nik_length"),
        (nik(born=date(1991, 5, 17), sex="M", serial=42), "nik_birth_date_mismatch"),
        (nik(born=BORN, sex="F", serial=42), "nik_sex_mismatch"),
    ],
)
def test_a_nik_is_checked_as_a_self_report_checks_it(
    db: Session, person: Person, typed: str, code: str
) -> None:
    with pytest.raises(ValidationFailed) as refused:
        identity.edit_identity(db, person_id=person.id, edit=_edit(nik=typed), actor=staff())
    assert [(p.field, p.code) for p in refused.value.problems] == [("nik", code)]


def test_a_nik_on_another_record_is_refused_and_the_pair_queued_to_merge(
    db: Session, person: Person
) -> None:
    other_nik = nik(born=BORN, sex="M", serial=77)
    other = service.submit_self_report(
        db,
        report=report(
            nik=other_nik,
            passport_number="C7777777",
            full_name="Ahmad Dahlan",
            phone="+821077777777",
            email="ahmad@example.org",
        ),
        actor=staff(Role.HQ_ADMIN),
    ).person
    db.commit()
    with pytest.raises(ValidationFailed) as refused:
        identity.edit_identity(db, person_id=person.id, edit=_edit(nik=other_nik), actor=staff())
    [problem] = refused.value.problems
    assert (problem.field, problem.code) == ("nik", "nik_on_another_record")
    assert "merge" in (problem.hint or "")
    rollback_and_keep(db)
    assert identity.nik_of(db.get_one(Person, person.id)) == report().nik
    pair = db.scalars(select(DuplicateCandidate)).one()
    assert {pair.person_id, pair.other_person_id} == {person.id, other.id}
    assert pair.reason == "same NIK"


def test_a_corrected_name_is_matched_against_the_other_records_again(
    db: Session, person: Person
) -> None:
    twin = service.submit_self_report(
        db,
        report=report(
            nik=None,
            passport_number="C5555555",
            full_name="Siti Aminah",
            phone="+821055555555",
            email="siti@example.org",
        ),
        actor=staff(Role.HQ_ADMIN),
    ).person
    assert db.scalars(select(DuplicateCandidate)).all() == []
    correction = identity.edit_identity(
        db, person_id=twin.id, edit=_edit(full_name="Muhamad Yusuf"), actor=staff()
    )
    assert correction.possible_duplicates == 1
    pair = db.scalars(select(DuplicateCandidate)).one()
    assert {pair.person_id, pair.other_person_id} == {person.id, twin.id}


def test_reading_the_form_is_audited_as_a_read_of_the_nik(db: Session, person: Person) -> None:
    identity.read_identity(db, person_id=person.id, actor=staff())
    entry = _last(db)
    assert (entry.action, json.loads(entry.fields)) == ("person.read", ["identity", "nik"])
