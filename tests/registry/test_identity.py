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
from peduli.core.errors import Conflict, Forbidden, ValidationFailed
from peduli.registry import identity, service
from peduli.registry.models import Person, PersonStatus
from peduli.registry.schemas import IdentityEdit
from tests.factories import report, staff

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
    )
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
    assert identity.edit_identity(db, person_id=person.id, edit=_edit(), actor=staff()) == []
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
    )
    assert changed == ["date_of_birth"]


def test_hq_corrects_anyone_another_post_no_one(db: Session, person: Person) -> None:
    assert identity.edit_identity(
        db, person_id=person.id, edit=_edit(place_of_birth="Cirebon"), actor=staff(Role.HQ_ADMIN)
    ) == ["place_of_birth"]
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
