"""The officers' partner pages through the real sign-in: the list of their post's partners
and a case's referrals and delegations."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from peduli.auth.actor import Role
from peduli.partners import delegations
from tests.partners.conftest import make_partner, open_case, staff_account
from tests.web.officer_support import csrf, signed_in_officer


def test_officers_see_their_posts_partners(client: TestClient, db: Session) -> None:
    officer = staff_account(db, Role.OFFICER, "kbri-seoul", "lister")
    make_partner(db, actor=officer)
    db.commit()
    signed_in_officer(client, db, email="list@kemlu.example")
    page = client.get("/officer/partners")
    assert page.status_code == 200
    assert "Paguyuban WNI Ansan" in page.text and "Jawa Timur" in page.text
    filtered = client.get("/officer/partners", params={"home_province": "52"})
    assert "Paguyuban WNI Ansan" not in filtered.text


def test_an_officer_refers_delegates_and_revokes_from_the_case(
    client: TestClient, db: Session
) -> None:
    officer = staff_account(db, Role.OFFICER, "kbri-seoul", "desk")
    partner = make_partner(db, actor=officer)
    case = open_case(db, officer)
    signed_in_officer(client, db, email="sharing@kemlu.example")
    client.headers["Accept-Language"] = "en"
    path = f"/officer/cases/{case.id}/sharing"
    page = client.get(path)
    assert page.status_code == 200 and "Paguyuban WNI Ansan" in page.text
    token = csrf(page.text)
    no_basis = client.post(
        f"{path}/delegations",
        data={"partner_id": str(partner.partner.id), "task": "Visit her.", "csrf_token": token},
    )
    assert no_basis.status_code == 422 and 'aria-invalid="true"' in no_basis.text
    done = client.post(
        f"{path}/delegations",
        data={
            "partner_id": str(partner.partner.id),
            "task": "Visit her.",
            "basis": "consent",
            "csrf_token": token,
        },
        follow_redirects=False,
    )
    assert done.status_code == 303
    referred = client.post(
        f"{path}/referrals",
        data={
            "agency_kind": "police",
            "agency_name": "Ansan police",
            "purpose": "Report it.",
            "basis": "vital_interest",
            "basis_note": "She is locked in the dormitory.",
            "csrf_token": token,
        },
    )
    assert "Ansan police" in referred.text and "The referral is recorded" in referred.text
    [delegation] = delegations.list_delegations(db, case_id=case.id, actor=officer)
    delegation_id = delegation.delegation.id
    db.rollback()  # end the read: SQLite takes the writer lock at BEGIN
    short = client.post(
        f"{path}/delegations/{delegation_id}/revocation",
        data={"reason": "no", "csrf_token": token},
    )
    assert short.status_code == 422
    revoked = client.post(
        f"{path}/delegations/{delegation_id}/revocation",
        data={"reason": "The citizen withdrew consent.", "csrf_token": token},
    )
    assert "the partner no longer sees the case" in revoked.text
