"""A citizen's own data: export, correction, erasure, processing trail."""

from __future__ import annotations

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from peduli.auth import audit
from peduli.auth.actor import Actor
from peduli.auth.audit import AuditEntry
from peduli.registry import rights, service
from peduli.registry.models import DataRequest, Person, Stay
from tests.factories import nik, refreshed, report, signed_in_citizen, staff


def _reported_citizen(db: Session) -> Actor:
    citizen = signed_in_citizen(db, "yusuf@example.org")
    service.submit_self_report(db, report=report(), actor=citizen)
    return refreshed(db, citizen)


def test_export_holds_everything_including_who_processed_it(db: Session) -> None:
    citizen = _reported_citizen(db)
    service.read_person(db, person_id=citizen.person_id, actor=staff())
    data = rights.export_own_data(db, actor=citizen)
    assert data["person"]["nik"] == nik()
    assert data["passports"][0]["number"] == "C1234567"
    assert data["stays"][0]["representation_code"] == "kbri-seoul"
    actions = [entry["action"] for entry in data["processing_trail"]["entries"]]
    assert "person.read" in actions and "self_report.create" in actions


def test_correction_request_is_stored_for_an_officer(db: Session) -> None:
    citizen = _reported_citizen(db)
    request = rights.request_correction(db, actor=citizen, message="My birth place is Cirebon")
    assert db.get_one(DataRequest, request.id).kind == "correction"


def test_erasure_removes_the_record_and_is_audited(db: Session) -> None:
    citizen = _reported_citizen(db)
    person_id = citizen.person_id
    rights.delete_own_data(db, actor=citizen)
    db.commit()
    assert db.get(Person, person_id) is None
    assert db.scalar(select(func.count()).select_from(Stay)) == 0
    assert refreshed(db, citizen).person_id is None
    erased = db.scalars(select(AuditEntry).where(AuditEntry.action == "person.delete")).one()
    assert erased.subject_person_id == person_id
    assert audit.verify(db).ok


def test_trail_lists_staff_reads_newest_first(db: Session) -> None:
    citizen = _reported_citizen(db)
    service.read_person(db, person_id=citizen.person_id, actor=staff())
    total, entries = rights.processing_trail(db, actor=citizen, limit=10, offset=0)
    assert total >= 2
    assert entries[0].action == "person.read"
