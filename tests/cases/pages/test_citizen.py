"""Citizens asking for help through the pages, without JavaScript: anonymously with a phone
to call back, or signed in and then following the request under "my requests"."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.auth.actor import Role
from peduli.cases import casework
from peduli.cases.models import Case, Visibility
from tests.auth.pages.test_citizen import HTML, form_of, sign_in
from tests.cases.conftest import staff_actor

REQUEST = {
    "category": "labour",
    "summary": "My employer has not paid me for three months.",
    "country": "KR",
    "city": "Seoul",
}


def _send(client: TestClient, **fields: str) -> object:
    page = client.get("/bantuan", headers=HTML)
    assert page.status_code == 200
    data = form_of(page.text, "/bantuan") | REQUEST | fields
    return client.post("/bantuan", data=data, headers=HTML)


def test_home_links_to_the_help_request(client: TestClient) -> None:
    assert 'href="/bantuan"' in client.get("/", headers=HTML).text


def test_anonymous_request_with_a_phone_shows_the_reference(
    client: TestClient, db: Session
) -> None:
    sent = _send(client, name="Rina", contact_phone="010-1234-5678")
    assert sent.status_code == 200, sent.text  # type: ignore[attr-defined]
    reference = db.scalar(select(Case.reference))
    db.rollback()
    assert reference and reference in sent.text  # type: ignore[attr-defined]
    assert "KBRI Seoul" in sent.text  # type: ignore[attr-defined]


def test_anonymous_request_needs_a_way_to_reach_back(client: TestClient, db: Session) -> None:
    sent = _send(client)
    assert sent.status_code == 422  # type: ignore[attr-defined]
    assert 'id="contact_phone-error"' in sent.text  # type: ignore[attr-defined]
    assert REQUEST["summary"] in sent.text  # the form keeps what was written
    assert db.scalar(select(Case.id)) is None
    db.rollback()


def test_bad_fields_are_shown_next_to_them(client: TestClient) -> None:
    sent = _send(client, category="", summary="", contact_email="not-an-email")
    assert sent.status_code == 422  # type: ignore[attr-defined]
    assert "This is not an email address." in sent.text  # type: ignore[attr-defined]
    assert "Write it as name@example.org" in sent.text  # type: ignore[attr-defined]
    assert 'href="#summary"' in sent.text  # type: ignore[attr-defined]


def test_anonymous_request_without_the_form_token_is_refused(
    client: TestClient, db: Session
) -> None:
    answer = client.post(
        "/bantuan", data={**REQUEST, "contact_phone": "010-1234-5678"}, headers=HTML
    )
    assert answer.status_code == 403
    assert db.scalar(select(Case.id)) is None
    db.rollback()


def test_too_many_requests_are_explained(client: TestClient) -> None:
    for _ in range(5):
        assert _send(client, contact_phone="010-1234-5678").status_code == 200  # type: ignore[attr-defined]
    refused = _send(client, contact_phone="010-1234-5678")
    assert refused.status_code == 429  # type: ignore[attr-defined]
    assert "Retry-After" in refused.headers  # type: ignore[attr-defined]
    assert "many requests" in refused.text  # type: ignore[attr-defined]


def test_signed_in_citizen_follows_the_request_and_sees_shared_notes_only(
    client: TestClient, db: Session
) -> None:
    assert client.get("/saya/permintaan", follow_redirects=False).headers["location"] == (
        "/masuk?next=/saya/permintaan"
    )
    sign_in(client, next_path="/bantuan")
    sent = _send(client)
    assert sent.status_code == 200, sent.text  # type: ignore[attr-defined]
    case_id = db.scalar(select(Case.id))
    assert case_id is not None
    officer = staff_actor(db, Role.OFFICER, "kbri-seoul", "officer-seoul")
    casework.add_note(
        db, case_id=case_id, actor=officer, text="We called your employer.",
        visibility=Visibility.SHARED,
    )  # fmt: skip
    casework.add_note(db, case_id=case_id, actor=officer, text="Internal: agent is suspicious.")
    db.commit()
    mine = client.get("/saya/permintaan", headers=HTML)
    assert mine.status_code == 200
    assert "We called your employer." in mine.text
    assert "agent is suspicious" not in mine.text
    assert mine.headers["cache-control"] == "no-store"
