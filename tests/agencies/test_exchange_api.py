"""Webhook subscriptions through the API and HQ's page: HQ admins only, the secret once."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from peduli.auth.actor import Role
from tests.agencies.conftest import KL, SessionFactory, token_for
from tests.web.officer_support import csrf, signed_in_officer

SUBS = "/api/v1/webhooks/subscriptions"
BODY = {
    "subscriber": "Migrant CARE",
    "url": "https://hooks.migrantcare.example/peduli",
    "purpose": "Follow up the cases of migrant workers",
    "event_types": ["case.opened", "crisis.declared"],
}


def test_only_hq_admins_hold_the_scope(client: TestClient, session_factory: SessionFactory) -> None:
    for role, post in (
        (Role.OFFICER, KL),
        (Role.SUPERVISOR, KL),
        (Role.HQ_ANALYST, None),
        (Role.PARTNER, None),
        (Role.AGENCY, None),
    ):
        headers = token_for(session_factory, role, post)
        assert client.get(SUBS, headers=headers).status_code == 403, role
        assert client.post(SUBS, json=BODY, headers=headers).status_code == 403, role
    admin = token_for(session_factory, Role.HQ_ADMIN)
    made = client.post(SUBS, json=BODY, headers=admin)
    assert made.status_code == 201, made.text
    assert made.headers["cache-control"] == "no-store"
    secret = made.json()["secret"]
    sub = made.json()["subscription"]
    listed = client.get(SUBS, headers=admin).json()
    assert [s["id"] for s in listed] == [sub["id"]] and secret not in str(listed)
    paused = client.patch(f"{SUBS}/{sub['id']}", json={"active": False}, headers=admin)
    assert paused.status_code == 200 and paused.json()["active"] is False
    rotated = client.post(f"{SUBS}/{sub['id']}/secret", headers=admin).json()
    assert rotated["secret"] != secret and rotated["secret"].startswith("whsec_")


def test_bad_input_is_a_clear_422(client: TestClient, session_factory: SessionFactory) -> None:
    admin = token_for(session_factory, Role.HQ_ADMIN)
    for change in (
        {"url": "ftp://x.example/h"},
        {"event_types": ["case.eaten"]},
        {"event_types": []},
        {"purpose": 5},
    ):
        answer = client.post(SUBS, json={**BODY, **change}, headers=admin)
        assert answer.status_code == 422, change
        assert answer.headers["content-type"].startswith("application/problem+json")
    missing = client.patch(f"{SUBS}/00000000-0000-4000-8000-000000000000", json={}, headers=admin)
    assert missing.status_code == 404


def test_hq_admins_add_a_subscription_on_the_page_and_see_its_secret_once(
    client: TestClient, db: Session
) -> None:
    signed_in_officer(
        client, db, email="hq@kemlu.example", role=Role.HQ_ADMIN, representation_code=None
    )
    client.headers["Accept-Language"] = "en"
    page = client.get("/hq/webhooks")
    assert page.status_code == 200 and "No subscription yet." in page.text
    token = csrf(page.text)
    refused = client.post(
        "/hq/webhooks",
        data={"subscriber": "NGO", "url": "nope", "purpose": "testing it", "csrf_token": token},
    )
    assert refused.status_code == 422 and 'aria-invalid="true"' in refused.text
    made = client.post(
        "/hq/webhooks",
        data={
            **{k: v for k, v in BODY.items() if k != "event_types"},
            "event_types": ["case.opened"],
            "csrf_token": token,
        },
    )
    assert made.status_code == 200 and "whsec_" in made.text and "Migrant CARE" in made.text
    again = client.get("/hq/webhooks")
    assert "whsec_" not in again.text


def test_officers_are_refused_the_webhooks_page(client: TestClient, db: Session) -> None:
    signed_in_officer(client, db, email="officer@kemlu.example", representation_code=KL)
    assert client.get("/hq/webhooks").status_code == 403


def test_an_officer_asks_a_partner_state_from_the_case_screen(
    client: TestClient, db: Session
) -> None:
    from sqlalchemy import select

    from peduli.agencies import exchange
    from peduli.cases.models import CasePerson
    from tests.agencies.conftest import open_case, staff_actor

    exchange.register_partner(
        db,
        code="MY",
        name="Malaysia OCS",
        url="http://127.0.0.1:9/my",
        key_id="my-1",
        public_key="A" * 43,
    )
    officer = staff_actor(db, Role.OFFICER, KL, "desk-kl")
    case = open_case(db, officer)
    person = db.scalar(select(CasePerson.id).where(CasePerson.case_id == case.id))
    db.commit()
    signed_in_officer(client, db, email="desk@kemlu.example", representation_code=KL)
    client.headers["Accept-Language"] = "en"
    screen = client.get(f"/officer/cases/{case.id}")
    assert f"/officer/cases/{case.id}/exchange" in screen.text
    path = f"/officer/cases/{case.id}/exchange"
    page = client.get(path)
    assert page.status_code == 200 and "Malaysia OCS" in page.text
    token = csrf(page.text)
    wrong = client.post(
        path,
        data={
            "partner_code": "MY",
            "kind": "nonsense",
            "case_person_id": str(person),
            "csrf_token": token,
        },
    )
    assert wrong.status_code == 422
    sent = client.post(
        path,
        data={
            "partner_code": "MY",
            "kind": "consular_access_request",
            "case_person_id": str(person),
            "note": "A visit, please.",
            "csrf_token": token,
        },
        follow_redirects=True,
    )
    assert sent.status_code == 200
    assert "Consular access requested" in sent.text and "Waiting to be sent" in sent.text
    other = client.get(f"/officer/cases/{case.id}/exchange")
    assert "A visit, please." in other.text
