"""Citizens' help requests: without an account, rate-limited, routed to the right post;
signed-in citizens see their requests with the notes shared with them, and nothing else."""

from __future__ import annotations

import uuid

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.auth.actor import Actor
from peduli.cases import casework, intake, service
from peduli.cases.models import Case, CasePerson, Visibility
from peduli.cases.schemas import HelpRequestCreate
from peduli.core.crypto import get_cipher
from peduli.core.errors import Forbidden
from peduli.registry import service as registry_service
from tests.factories import refreshed, report, signed_in_citizen

HELP = {
    "category": "labour",
    "summary": "My employer has not paid me for three months.",
    "country": "MY",
    "city": "Kuala Lumpur",
}


def test_an_anonymous_request_reaches_the_serving_post(client: TestClient, db: Session) -> None:
    body = {**HELP, "name": "Siti", "contact_phone": "012-345 6789"}
    response = client.post("/api/v1/help-requests", json=body)
    assert response.status_code == 201, response.text
    created = response.json()
    assert created["representation"]["code"] == "kbri-kuala-lumpur"
    assert created["reference"].startswith("KBRI-KUALA-LUMPUR-")
    case = db.get_one(Case, uuid.UUID(created["id"]))
    assert case.intake_channel == "citizen_request" and case.requester_account_id is None
    assert case.contact_phone_encrypted and "+60123456789" not in case.contact_phone_encrypted
    phone = get_cipher().decrypt(case.contact_phone_encrypted, purpose=service.CONTACT_PURPOSE)
    assert phone == "+60123456789"
    person = db.scalars(select(CasePerson).where(CasePerson.case_id == case.id)).one()
    assert (person.person_id, person.name) == (None, "Siti")


def test_an_anonymous_request_needs_a_way_back(client: TestClient) -> None:
    response = client.post("/api/v1/help-requests", json=HELP)
    assert response.status_code == 422
    assert response.json()["errors"][0]["code"] == "contact_required"


def test_a_country_no_post_serves_is_explained(client: TestClient) -> None:
    body = {**HELP, "country": "ID", "contact_email": "a@example.org"}
    response = client.post("/api/v1/help-requests", json=body)
    assert response.status_code == 422
    assert response.json()["errors"][0]["field"] == "country"


def test_requests_are_rate_limited_by_contact_and_by_address(client: TestClient) -> None:
    body = {**HELP, "contact_email": "same@example.org"}
    statuses = [client.post("/api/v1/help-requests", json=body).status_code for _ in range(6)]
    assert statuses == [201] * intake.PER_CONTACT_PER_DAY + [429]
    statuses = [
        client.post(
            "/api/v1/help-requests", json={**HELP, "contact_email": f"p{i}@example.org"}
        ).status_code
        for i in range(6)
    ]
    # Ten requests an hour from one address: five were taken above.
    assert statuses == [201] * (intake.PER_IP_PER_HOUR - 5) + [429]
    limited = client.post("/api/v1/help-requests", json={**HELP, "contact_email": "z@example.org"})
    assert limited.status_code == 429 and "retry-after" in {k.lower() for k in limited.headers}


def test_a_signed_in_citizen_is_linked_and_sees_only_shared_notes(
    db: Session, officer: Actor
) -> None:
    citizen = signed_in_citizen(db, "yusuf@example.org")
    registry_service.submit_self_report(db, report=report(email="yusuf@example.org"), actor=citizen)
    citizen = refreshed(db, citizen)
    assert citizen.person_id is not None
    outcome = intake.submit_help_request(
        db,
        data=HelpRequestCreate.model_validate({**HELP, "country": "KR", "city": "Seoul"}),
        actor=citizen,
        ip="198.51.100.7",
    )
    case = outcome.case
    assert case.representation_code == "kbri-seoul" and case.requester_account_id
    db.flush()
    link = db.scalars(select(CasePerson).where(CasePerson.case_id == case.id)).one()
    assert link.person_id == citizen.person_id
    casework.add_note(db, case_id=case.id, actor=officer, text="Internal: employer is known.")
    casework.add_note(
        db,
        case_id=case.id,
        actor=officer,
        text="We called your employer.",
        visibility=Visibility.SHARED,
    )
    mine = intake.my_help_requests(db, actor=citizen)
    assert [r.case.id for r in mine] == [case.id]
    assert [n.text for n in mine[0].shared_notes] == ["We called your employer."]
    stranger = signed_in_citizen(db, "stranger@example.org")
    assert intake.my_help_requests(db, actor=stranger) == []


def test_staff_use_the_case_intake_not_the_citizen_form(db: Session, officer: Actor) -> None:
    with pytest.raises(Forbidden):
        intake.submit_help_request(
            db, data=HelpRequestCreate.model_validate(HELP), actor=officer, ip="1.2.3.4"
        )
    with pytest.raises(Forbidden):
        intake.my_help_requests(db, actor=officer)


def test_bad_category_and_phone_are_named(client: TestClient) -> None:
    body = {**HELP, "category": "other", "contact_phone": "12"}
    problems = client.post("/api/v1/help-requests", json=body).json()["errors"]
    assert {p["field"] for p in problems} == {"category", "contact_phone"}
