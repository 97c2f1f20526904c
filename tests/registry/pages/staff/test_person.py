"""The person screen: the record for in-scope staff, a reason asked first outside scope,
every read in the audit trail shown on the page, and verification from the page."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.auth.actor import Role
from peduli.auth.audit import AuditEntry
from peduli.registry.models import Person
from tests import factories
from tests.web.officer_support import csrf, reported, signed_in_officer

NIK = factories.nik()


def _actions(db: Session, person_id: object) -> list[tuple[str, str]]:
    db.expire_all()
    rows = db.execute(
        select(AuditEntry.action, AuditEntry.outcome)
        .where(AuditEntry.subject_person_id == person_id)
        .order_by(AuditEntry.seq)
    )
    found = [(action, outcome) for action, outcome in rows]
    db.rollback()  # SQLite: release the database before the next request
    return found


def test_in_scope_officer_sees_the_whole_record_and_the_read_is_audited(
    client: TestClient, db: Session
) -> None:
    person_id = reported(db, nik=NIK)
    signed_in_officer(client, db)
    page = client.get(f"/officer/persons/{person_id}")
    assert page.status_code == 200
    assert page.headers["cache-control"] == "no-store"
    html = page.text
    for shown in ("Muhammad Yusuf", NIK, "C1234567", "+821012345678", "Seoul", "Hanil Metal"):
        assert shown in html
    assert ("person.read", "allowed") in _actions(db, person_id)
    assert "officer@example.org" in html.split('id="trail-title"')[1]  # who looked, on the page


def test_out_of_scope_officer_is_asked_for_a_reason_and_sees_no_nik(
    client: TestClient, db: Session
) -> None:
    person_id = reported(db, nik=NIK)
    signed_in_officer(client, db, "kl@example.org", Role.OFFICER, "kbri-kuala-lumpur")
    page = client.get(f"/officer/persons/{person_id}")
    assert page.status_code == 403
    assert NIK not in page.text and "C1234567" not in page.text
    assert 'name="reason"' in page.text
    assert ("person.read", "denied") in _actions(db, person_id)

    short = client.post(
        f"/officer/persons/{person_id}", data={"reason": "why", "csrf_token": csrf(page.text)}
    )
    assert short.status_code == 422
    assert 'id="reason-error"' in short.text and NIK not in short.text

    reason = "Call from the employer about case 2026/77"
    opened = client.post(
        f"/officer/persons/{person_id}", data={"reason": reason, "csrf_token": csrf(page.text)}
    )
    assert opened.status_code == 200
    assert NIK in opened.text and reason in opened.text
    assert 'action="/officer/persons/' + str(person_id) + '/verification"' not in opened.text
    assert ("person.read_out_of_scope", "allowed") in _actions(db, person_id)


def test_reason_form_needs_the_session_csrf_token(client: TestClient, db: Session) -> None:
    person_id = reported(db)
    signed_in_officer(client, db, "kl@example.org", Role.OFFICER, "kbri-kuala-lumpur")
    answer = client.post(
        f"/officer/persons/{person_id}",
        data={"reason": "Call from the employer about case 2026/77", "csrf_token": "x"},
    )
    assert answer.status_code == 403
    assert "Muhammad Yusuf" not in answer.text


def test_verify_and_reject_from_the_page(client: TestClient, db: Session) -> None:
    person_id = reported(db)
    signed_in_officer(client, db)
    page = client.get(f"/officer/persons/{person_id}")
    token = csrf(page.text)
    answer = client.post(
        f"/officer/persons/{person_id}/verification",
        data={"decision": "verified", "csrf_token": token},
        follow_redirects=False,
    )
    assert answer.status_code == 303
    assert answer.headers["location"] == "/officer?done=verified"
    db.expire_all()
    assert db.get_one(Person, person_id).verification == "verified"
    db.rollback()
    assert "Muhammad Yusuf" not in client.get("/officer").text  # left the queue
    client.post(
        f"/officer/persons/{person_id}/verification",
        data={"decision": "rejected", "csrf_token": token},
    )
    db.expire_all()
    assert db.get_one(Person, person_id).verification == "rejected"


def test_another_posts_officer_cannot_verify(client: TestClient, db: Session) -> None:
    person_id = reported(db)
    signed_in_officer(client, db, "kl@example.org", Role.OFFICER, "kbri-kuala-lumpur")
    token = csrf(client.get("/officer/search").text)
    answer = client.post(
        f"/officer/persons/{person_id}/verification",
        data={"decision": "verified", "csrf_token": token},
        headers={"Accept": "text/html"},
    )
    assert answer.status_code == 403
    db.expire_all()
    assert db.get_one(Person, person_id).verification == "unverified"


def test_unknown_person_is_a_not_found_page(client: TestClient, db: Session) -> None:
    signed_in_officer(client, db)
    answer = client.get(
        "/officer/persons/00000000-0000-0000-0000-000000000001",
        headers={"Accept": "text/html"},
    )
    assert answer.status_code == 404
    assert "<html" in answer.text
