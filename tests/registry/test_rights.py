"""A citizen's own data: export, correction, erasure, processing trail."""

from __future__ import annotations

import json
from datetime import date

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from peduli import erasure
from peduli.auth import audit_verification
from peduli.auth.actor import Actor, Role
from peduli.auth.audit import AuditEntry
from peduli.cases import case_file, casework
from peduli.cases.models import CasePerson, CaseStatus
from peduli.core.db import session_scope
from peduli.registry import drafts, rights, service
from peduli.registry.models import (
    ContactPoint,
    DataRequest,
    ErasureRecord,
    IdentityClaim,
    Passport,
    Person,
    PersonStatus,
    Stay,
)
from tests.api.test_access_matrix import _citizen_headers
from tests.cases.conftest import open_case, staff_actor
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
    assert person_id is not None
    rights.delete_own_data(db, actor=citizen, steps=erasure.STEPS)
    db.commit()
    person = db.get_one(Person, person_id)
    assert person.status == PersonStatus.ERASED and person.nik_index is None
    assert db.scalar(select(func.count()).select_from(Stay)) == 0
    assert refreshed(db, citizen).person_id is None
    erased = db.scalars(select(AuditEntry).where(AuditEntry.action == "person.delete")).one()
    assert erased.subject_person_id == person_id
    record = db.scalars(select(ErasureRecord)).one()
    assert record.person_id == person_id and json.loads(record.removed)["stays"] == 1
    assert audit_verification.verify(db).ok


def test_erasure_removes_a_lapor_diri_draft_too(db: Session) -> None:
    citizen = _reported_citizen(db)
    drafts.keep_draft(db, account_id=citizen.account_id, fields={"city": "Busan"})
    rights.delete_own_data(db, actor=citizen, steps=erasure.STEPS)
    db.commit()
    assert drafts.draft_of(db, account_id=citizen.account_id) is None
    assert json.loads(db.scalars(select(ErasureRecord)).one().removed)["lapor_drafts"] == 1


def test_erasure_removes_the_claims_on_the_record_and_those_the_citizen_filed(
    db: Session,
) -> None:
    citizen = _reported_citizen(db)
    other_born = date(1985, 1, 2)
    other = report(date_of_birth=other_born, passport_number="C7654321", email="other@example.org")
    service.submit_self_report(db, report=other, actor=staff())
    db.commit()
    # The citizen claims someone else's record; an impostor claims the citizen's.
    filed = service.submit_self_report(
        db, report=report(date_of_birth=other_born, passport_number="C7654321"), actor=citizen
    )
    impostor = signed_in_citizen(db, "impostor@example.org")
    against = service.submit_self_report(
        db, report=report(email="impostor@example.org"), actor=impostor
    )
    assert isinstance(filed, service.PendingClaim) and isinstance(against, service.PendingClaim)
    db.commit()
    rights.delete_own_data(db, actor=citizen, steps=erasure.STEPS)
    db.commit()
    assert db.scalar(select(func.count()).select_from(IdentityClaim)) == 0
    assert json.loads(db.scalars(select(ErasureRecord)).one().removed)["identity_claims"] == 2


def test_erasure_of_a_citizen_in_a_case_keeps_the_case_with_a_pseudonym(db: Session) -> None:
    citizen = _reported_citizen(db)
    person_id = citizen.person_id
    assert person_id is not None
    officer = staff_actor(db, Role.OFFICER, "kbri-seoul", "officer-seoul")
    case = open_case(db, officer)
    casework.add_person(
        db, case_id=case.id, actor=officer, person_id=person_id, name="Muhammad Yusuf",
        phone="+821012345678",
    )  # fmt: skip
    casework.transition(db, case_id=case.id, actor=officer, to=CaseStatus.TRIAGED)
    request = rights.request_correction(
        db, actor=citizen, message="My place of birth is Cirebon, not Jakarta."
    )
    db.commit()

    rights.delete_own_data(db, actor=citizen, steps=erasure.STEPS)
    db.commit()

    view = case_file.read_case(db, case_id=case.id, actor=officer)
    assert view.case.category == "labour" and view.case.status == CaseStatus.TRIAGED
    assert [p.name for p in view.people] == [rights.pseudonym(person_id)]
    person = db.get_one(Person, person_id)
    row = " ".join(str(value) for value in vars(person).values())
    for identifier in ("Yusuf", nik(), "C1234567", "+821012345678", "yusuf@example.org"):
        assert identifier not in row
    assert person.date_of_birth == date(1990, 1, 1)
    link = db.scalars(select(CasePerson).where(CasePerson.person_id == person_id)).one()
    assert link.name is None and link.phone_encrypted is None
    for table in (Passport, ContactPoint, Stay):
        count = select(func.count()).select_from(table).where(table.person_id == person_id)
        assert db.scalar(count) == 0
    assert db.get(DataRequest, request.id) is None
    assert audit_verification.verify(db).ok


def test_erasure_blanks_what_the_citizen_wrote_in_their_own_help_request(db: Session) -> None:
    from peduli.cases import intake
    from peduli.cases.erasure import ERASED_TEXT
    from peduli.cases.models import Case
    from peduli.cases.schemas import HelpRequestCreate

    citizen = _reported_citizen(db)
    asked = intake.submit_help_request(
        db,
        data=HelpRequestCreate(
            category="labour", summary="Muhammad Yusuf: my employer in Ansan keeps my passport.",
            country="KR", city="Ansan", contact_phone="+821012345678",
        ),
        actor=citizen,
        ip="198.51.100.7",
    )  # fmt: skip
    db.commit()
    rights.delete_own_data(db, actor=citizen, steps=erasure.STEPS)
    db.commit()
    case = db.get_one(Case, asked.case.id)
    db.refresh(case)
    assert case.summary == ERASED_TEXT and case.category == "labour"
    assert (case.contact_phone_encrypted, case.contact_city, case.requester_account_id) == (
        None,
        None,
        None,
    )


def test_erasure_over_the_api_then_me_is_gone(client: TestClient) -> None:
    headers = _citizen_headers(client, "yusuf@example.org")
    created = client.post(
        "/api/v1/self-reports", json=report().model_dump(mode="json"), headers=headers
    )
    assert created.status_code in (200, 201), created.text
    with session_scope() as db:
        person_id = db.scalars(select(Person.id)).one()
        officer = staff_actor(db, Role.OFFICER, "kbri-seoul", "officer-seoul")
        case = open_case(db, officer)
        casework.add_person(
            db, case_id=case.id, actor=officer, person_id=person_id, name=None, phone=None
        )
    export = client.get("/api/v1/me/export", headers=headers)
    assert export.status_code == 200 and export.json()["person"]
    assert export.headers["content-disposition"].startswith("attachment;")
    assert export.headers["cache-control"] == "no-store"
    erased = client.delete("/api/v1/me", headers=headers)
    assert erased.status_code == 204, erased.text
    after = client.get("/api/v1/me", headers=headers)
    assert after.status_code in (401, 404)
    assert after.headers["content-type"].startswith("application/problem+json")
    with session_scope() as db:
        assert db.get_one(Person, person_id).status == PersonStatus.ERASED
        assert db.scalar(select(func.count()).select_from(ErasureRecord)) == 1


def test_trail_lists_staff_reads_newest_first(db: Session) -> None:
    citizen = _reported_citizen(db)
    service.read_person(db, person_id=citizen.person_id, actor=staff())
    total, entries = rights.processing_trail(db, actor=citizen, limit=10, offset=0)
    assert total >= 2
    assert entries[0].action == "person.read"


def test_a_chat_preference_is_exported_and_erased_with_its_contact(db: Session) -> None:
    from peduli.registry import contacts
    from peduli.registry.models import ContactPoint

    citizen = _reported_citizen(db)
    person_id = citizen.person_id
    assert person_id is not None
    contacts.record_chat_contact(db, person_id=person_id, channel="telegram", address="4242")
    db.commit()

    data = rights.export_own_data(db, actor=citizen)
    assert data["person"]["preferred_channel"] == "telegram"
    assert {"kind": "telegram", "value": "4242"} in data["contacts"]

    rights.delete_own_data(db, actor=citizen, steps=erasure.STEPS)
    db.commit()
    assert db.get_one(Person, person_id).preferred_channel is None
    assert db.scalars(select(ContactPoint).where(ContactPoint.person_id == person_id)).all() == []
