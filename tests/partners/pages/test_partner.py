"""The partner desk through the real sign-in: queue, case page and its forms, consultations."""

from __future__ import annotations

import pyotp
import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.auth import accounts, totp
from peduli.auth.actor import Role
from peduli.cases.models import Case
from peduli.core.db import utcnow
from peduli.partners import delegations, repository, service
from peduli.partners.models import MemberRole
from peduli.partners.schemas import Revocation
from tests.partners.conftest import delegation_body, make_partner, open_case, staff_account
from tests.web.officer_support import PASSWORD, csrf

EMAIL = "relawan@mitra.example"


def _partner_signed_in(client: TestClient, db: Session, partner: repository.PartnerView) -> None:
    account, _ = accounts.create_staff(
        db, email=EMAIL, role=Role.PARTNER, representation_code="kbri-seoul", password=PASSWORD
    )
    account.totp_confirmed_at = utcnow()
    app: pyotp.TOTP = pyotp.parse_uri(totp.provisioning_uri(account))  # type: ignore[assignment]
    service.link_member(
        db,
        partner_id=partner.partner.id,
        staff_account_id=account.id,
        member_role=MemberRole.COORDINATOR,
        actor=staff_account(db, Role.HQ_ADMIN, None, "admin"),
    )
    db.commit()
    form = client.get("/officer/sign-in?next=/partner")
    answer = client.post(
        "/officer/sign-in",
        data={
            "email": EMAIL,
            "password": PASSWORD,
            "code": app.now(),
            "next": "/partner",
            "csrf_token": csrf(form.text),
        },
        follow_redirects=False,
    )
    assert answer.status_code == 303 and answer.headers["location"] == "/partner", answer.text


@pytest.fixture
def world(db: Session, client: TestClient) -> tuple[Case, str]:
    officer = staff_account(db, Role.OFFICER, "kbri-seoul", "officer-seoul")
    partner = make_partner(db, actor=officer)
    case = open_case(db, officer, summary="Gaji tidak dibayar empat bulan di pabrik Ansan.")
    view = delegations.delegate(
        db, case_id=case.id, data=delegation_body(partner.partner.id), actor=officer
    )
    db.commit()
    _partner_signed_in(client, db, partner)
    client.headers["Accept-Language"] = "en"
    return case, str(view.delegation.id)


def test_signed_out_partners_are_sent_to_sign_in(client: TestClient) -> None:
    answer = client.get("/partner", follow_redirects=False)
    assert answer.status_code == 303
    assert answer.headers["location"] == "/officer/sign-in?next=/partner"


def test_a_partner_works_a_delegated_case(
    client: TestClient, db: Session, world: tuple[Case, str]
) -> None:
    case, _delegation_id = world
    queue = client.get("/partner")
    assert queue.status_code == 200 and case.reference in queue.text
    page = client.get(f"/partner/cases/{case.id}")
    assert "Gaji tidak dibayar" in page.text and "Siti Aminah" in page.text
    assert "+821055556666" not in page.text  # the contact is not shared
    token = csrf(page.text)
    accepted = client.post(
        f"/partner/cases/{case.id}/status",
        data={"status": "accepted", "csrf_token": token},
        follow_redirects=False,
    )
    assert accepted.status_code == 303
    noted = client.post(
        f"/partner/cases/{case.id}/note",
        data={"text": "Sudah bertemu di asrama.", "csrf_token": token},
    )
    assert "Sudah bertemu di asrama." in noted.text and "Accepted" in noted.text
    short = client.post(
        f"/partner/cases/{case.id}/escalation", data={"reason": "help", "csrf_token": token}
    )
    assert short.status_code == 422 and 'aria-invalid="true"' in short.text
    escalated = client.post(
        f"/partner/cases/{case.id}/escalation",
        data={"reason": "Majikan mengancam akan melapor ke polisi.", "csrf_token": token},
    )
    assert escalated.status_code == 200
    assert "Handed back to the representation" in escalated.text


def test_a_form_without_its_csrf_token_is_refused(
    client: TestClient, world: tuple[Case, str]
) -> None:
    case, _ = world
    answer = client.post(
        f"/partner/cases/{case.id}/note", data={"text": "No token."}, follow_redirects=False
    )
    assert answer.status_code in (303, 403)
    assert "No token." not in client.get(f"/partner/cases/{case.id}").text


def test_revocation_closes_the_page(
    client: TestClient, db: Session, world: tuple[Case, str]
) -> None:
    case, delegation_id = world
    officer = staff_account(db, Role.OFFICER, "kbri-seoul", "second-officer")
    import uuid

    delegations.revoke(
        db,
        case_id=case.id,
        delegation_id=uuid.UUID(delegation_id),
        data=Revocation(reason="The citizen withdrew consent."),
        actor=officer,
    )
    db.commit()
    page = client.get(f"/partner/cases/{case.id}", headers={"Accept": "text/html"})
    assert page.status_code == 404 and "Gaji tidak dibayar" not in page.text
    assert case.reference not in client.get("/partner").text


@pytest.mark.parametrize("language", ["id", "en", "zh", "fr"])
def test_partner_pages_in_every_language(
    client: TestClient, world: tuple[Case, str], language: str
) -> None:
    case, _ = world
    for path in ("/partner", f"/partner/cases/{case.id}", "/partner/consultations/new"):
        answer = client.get(path, params={"lang": language})
        assert answer.status_code == 200
        assert f'<html lang="{language}">' in answer.text


def test_a_consultation_form_makes_a_case(
    client: TestClient, db: Session, world: tuple[Case, str]
) -> None:
    form = client.get("/partner/consultations/new")
    token = csrf(form.text)
    refused = client.post(
        "/partner/consultations/new",
        data={
            "category": "job_fraud",
            "summary": "Agen palsu minta uang.",
            "name": "Rudi",
            "csrf_token": token,
        },
    )
    assert refused.status_code == 422 and 'aria-invalid="true"' in refused.text
    made = client.post(
        "/partner/consultations/new",
        data={
            "category": "job_fraud",
            "summary": "Agen palsu minta uang tiga juta won.",
            "name": "Rudi Hartono",
            "consent": "yes",
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert made.status_code == 303
    case = db.scalars(select(Case).where(Case.intake_channel == "partner")).one()
    assert made.headers["location"] == f"/partner/cases/{case.id}?done=consultation"
