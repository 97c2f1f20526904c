"""The services' API: the public catalogue in the reader's language, a citizen applying and
reading their application, documents refused by content, problem+json on bad input, and
nobody else's application reachable."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from peduli.auth import accounts
from peduli.auth.actor import Actor
from peduli.auth.scopes import SERVICES_READ, SERVICES_WRITE
from tests.services.conftest import PDF, api_citizen, citizen_of, renewal

API = "/api/v1"


def test_the_catalogue_is_public_and_translated(client: TestClient, loaded: Session) -> None:
    english = client.get(f"{API}/services", headers={"Accept-Language": "en"})
    assert english.status_code == 200
    codes = [s["code"] for s in english.json()]
    assert {"passport-renewal", "splp", "birth-report", "dual-nationality-child"} <= set(codes)
    renewal = next(s for s in english.json() if s["code"] == "passport-renewal")
    assert renewal["name"] == "Passport renewal" and renewal["fee_usd"] == "25.00"
    assert renewal["requirements"][0]["label"].startswith("Your current passport")
    chinese = client.get(f"{API}/services?lang=zh&representation=kbri-seoul").json()
    renewal_zh = next(s for s in chinese if s["code"] == "passport-renewal")
    assert renewal_zh["name"] == "护照换发"
    assert renewal_zh["local_currency"] == "KRW" and float(renewal_zh["fee_local"]) > 30000


def test_a_citizen_applies_sends_a_document_and_reads_it(
    client: TestClient, loaded: Session
) -> None:
    citizen_of(loaded)
    headers = api_citizen(client)
    created = client.post(
        f"{API}/applications",
        json={"service": "passport-renewal", "payment": "counter", "details_confirmed": True},
        headers=headers,
    )
    assert created.status_code == 201, created.text
    body = created.json()
    assert body["state"] == "documents_requested" and body["payment_state"] == "at_counter"
    url = f"{API}/applications/{body['id']}"
    refused = client.post(
        f"{url}/documents",
        data={"requirement": "current_passport"},
        files={"file": ("passport.pdf", b"<html>not a pdf</html>", "application/pdf")},
        headers=headers,
    )
    assert refused.status_code == 422
    assert refused.headers["content-type"].startswith("application/problem+json")
    assert refused.json()["errors"][0]["code"] == "type_not_allowed"
    for requirement in ("current_passport", "residence_permit"):
        sent = client.post(
            f"{url}/documents",
            data={"requirement": requirement},
            files={"file": ("doc.pdf", PDF, "application/pdf")},
            headers=headers,
        )
        assert sent.status_code == 201, sent.text
    read = client.get(url).json()
    assert read["state"] == "submitted" and len(read["documents"]) == 2
    assert read["next_actions"] == []  # the applicant waits for the officer


def test_bad_input_is_problem_json_and_others_applications_are_not_found(
    client: TestClient, loaded: Session
) -> None:
    citizen_of(loaded)
    headers = api_citizen(client)
    unknown = client.post(
        f"{API}/applications",
        json={"service": "no-such-service", "details_confirmed": True},
        headers=headers,
    )
    assert unknown.status_code == 404
    assert unknown.headers["content-type"].startswith("application/problem+json")
    unconfirmed = client.post(
        f"{API}/applications",
        json={"service": "certificate", "details_confirmed": False},
        headers=headers,
    )
    assert unconfirmed.status_code == 422
    assert {e["field"] for e in unconfirmed.json()["errors"]} == {"details_confirmed"}
    wrong_type = client.post(
        f"{API}/applications", json={"service": 3, "details_confirmed": "yes"}, headers=headers
    )
    assert wrong_type.status_code == 422
    mine = client.post(
        f"{API}/applications",
        json={"service": "certificate", "details_confirmed": True},
        headers=headers,
    ).json()
    citizen_of(loaded, "other@example.org", nik="3171011705900002", passport_number="C7654321")
    other = api_citizen(client, "other@example.org")
    assert other
    assert client.get(f"{API}/applications/{mine['id']}").status_code == 404


def test_the_queue_and_the_report_need_staff(client: TestClient, loaded: Session) -> None:
    assert client.get(f"{API}/applications").status_code == 401
    assert client.get(f"{API}/services/report").status_code == 401
    citizen_of(loaded)
    api_citizen(client)
    assert client.get(f"{API}/applications").status_code == 403


def test_one_application_needs_the_services_read_scope(
    client: TestClient, loaded: Session, officer: Actor
) -> None:
    """An officer's token without ``services:read`` may not read an application of their own
    post; with it (or as the applicant's session) it may."""
    applicant = citizen_of(loaded)
    application = renewal(loaded, applicant)
    loaded.commit()
    email = "officer-seoul@kemlu.example"
    without = accounts.create_token(loaded, email=email, scopes={SERVICES_WRITE})
    with_read = accounts.create_token(loaded, email=email, scopes={SERVICES_READ})
    loaded.commit()
    url = f"{API}/applications/{application.id}"
    refused = client.get(url, headers={"Authorization": f"Bearer {without}"})
    assert (refused.status_code, refused.json()["code"]) == (403, "insufficient_scope")
    assert "services:read" in refused.json()["detail"]
    read = client.get(url, headers={"Authorization": f"Bearer {with_read}"})
    assert read.status_code == 200, read.text
    assert read.json()["reference"] == application.reference
    api_citizen(client)
    assert client.get(url).json()["id"] == str(application.id)
