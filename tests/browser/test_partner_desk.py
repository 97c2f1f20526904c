"""A community partner in a real browser: signs in, opens a delegated case, accepts it,
adds a note, is told what to fix, escalates; passes on a consultation. An officer lists
the partners of the post. Every page is checked by axe, with and without JavaScript."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from peduli.auth.models import StaffAccount
from peduli.cases import service as cases_service
from peduli.cases.schemas import CaseCreate
from peduli.core.db import session_scope
from peduli.partners import delegations
from peduli.partners import service as partners_service
from peduli.partners.models import MemberRole
from peduli.partners.schemas import DelegationCreate, PartnerCreate
from tests.browser.conftest import DESKTOP, NewPage, StaffLogin, assert_accessible, make_staff

POST = "kbri-seoul"
SUMMARY = "Gaji tidak dibayar empat bulan di pabrik Ansan."


CASE_IDS: list[str] = []


def _world() -> tuple[StaffLogin, StaffLogin, str]:
    """An officer and a partner member of Seoul, and a case delegated to the partner."""
    officer_login = make_staff("officer.seoul@example.org", representation_code=POST)
    partner_login = make_staff("relawan@mitra.example", role="partner", representation_code=POST)
    with session_scope() as session:
        accounts = {a.email: a for a in session.query(StaffAccount)}
        from peduli.auth.service import staff_actor

        officer = staff_actor(accounts[officer_login.email], ip=None, via="session")
        partner = partners_service.create_partner(
            session,
            data=PartnerCreate.model_validate(
                {
                    "name": "Paguyuban WNI Ansan",
                    "kind": "diaspora_association",
                    "country": "KR",
                    "cities": ["Ansan"],
                    "home_provinces": ["35"],
                    "contact_email": "mitra@example.org",
                }
            ),
            actor=officer,
        )
        partners_service.link_member(
            session,
            partner_id=partner.partner.id,
            staff_account_id=accounts[partner_login.email].id,
            member_role=MemberRole.COORDINATOR,
            actor=officer,
        )
        case = cases_service.open_case(
            session,
            data=CaseCreate.model_validate(
                {
                    "category": "labour",
                    "summary": SUMMARY,
                    "people": [{"name": "Siti Aminah", "phone": "+821055556666"}],
                }
            ),
            actor=officer,
        )
        delegations.delegate(
            session,
            case_id=case.id,
            data=DelegationCreate.model_validate(
                {
                    "partner_id": str(partner.partner.id),
                    "task": "Visit her dormitory.",
                    "consent": True,
                }
            ),
            actor=officer,
        )
        CASE_IDS[:] = [str(case.id)]
        return officer_login, partner_login, case.reference


def _sign_in(page: Page, staff: StaffLogin) -> None:
    page.get_by_label("Email").fill(staff.email)
    page.get_by_label("Password").fill(staff.password)
    page.get_by_label("Code from your authenticator app").fill(staff.totp())
    page.locator("main form button[type=submit]").first.click()


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_a_partner_works_a_delegated_case(new_page: NewPage, js: bool) -> None:
    _officer, partner, reference = _world()
    page = new_page(js=js, viewport=DESKTOP, locale="en-GB")
    page.goto("/partner")
    expect(page).to_have_url(re.compile(r"/officer/sign-in\?next=/partner$"))
    _sign_in(page, partner)
    expect(page).to_have_url(re.compile(r"/partner$"))
    expect(page.get_by_role("heading", name="Delegated cases")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("link", name=reference).click()
    expect(page.get_by_text(SUMMARY)).to_be_visible()
    expect(page.get_by_text("+821055556666")).to_have_count(0)  # contact not shared
    assert_accessible(page)
    page.get_by_role("button", name="Accept the task").click()
    expect(page.get_by_role("status")).to_contain_text("You accepted the case.")
    page.get_by_label("Add a note for the representation").fill("Sudah bertemu di asrama.")
    page.get_by_role("button", name="Add the note").click()
    expect(page.locator(".partner-timeline")).to_contain_text("Sudah bertemu di asrama.")
    assert_accessible(page)
    page.get_by_label("Why must the representation take over?").fill("help")
    if js:  # the browser's own check stops a blank field; a too-short one reaches the server
        page.get_by_role("button", name="Escalate to the representation").click()
        expect(page.locator("#reason")).to_have_attribute("aria-invalid", "true")
        assert_accessible(page)
    page.get_by_label("Why must the representation take over?").fill(
        "The employer threatens to call the police."
    )
    page.get_by_role("button", name="Escalate to the representation").click()
    expect(page.get_by_role("status")).to_contain_text("handed back to the representation")
    assert_accessible(page)
    page.get_by_role("link", name="Pass on a consultation").first.click()
    expect(page.get_by_role("heading", name="Pass on a consultation")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("What happened").fill("An agent took 3 million won for a fake job.")
    page.get_by_label("Citizen's name").fill("Rudi Hartono")
    page.get_by_role("button", name="Pass on to the representation").click()
    expect(page.locator("[aria-invalid=true]").first).to_be_visible()  # consent missing
    assert_accessible(page)
    page.get_by_label("The citizen agreed that we pass this on to the representation.").check()
    page.get_by_role("button", name="Pass on to the representation").click()
    expect(page.get_by_role("status")).to_contain_text("now a case of the representation")
    assert_accessible(page)


def test_officers_list_the_partners_of_their_post(new_page: NewPage) -> None:
    officer, _partner, _reference = _world()
    page = new_page(viewport=DESKTOP, locale="en-GB")
    page.goto("/officer/sign-in")
    _sign_in(page, officer)
    expect(page).to_have_url(re.compile(r"/officer$"))
    page.goto("/officer/partners")
    expect(page.get_by_role("rowheader", name="Paguyuban WNI Ansan")).to_be_visible()
    expect(page.get_by_role("cell", name="Jawa Timur")).to_be_visible()
    assert_accessible(page)
    page.goto(f"/officer/cases/{CASE_IDS[0]}/sharing")
    expect(page.get_by_role("heading", name="Delegations to community partners")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Agency", exact=True).fill("Ansan police")
    page.get_by_label("What the agency is asked to do").fill("Report the employer.")
    page.get_by_role("button", name="Send the referral").click()
    expect(page.locator("[aria-invalid=true]").first).to_be_visible()  # no basis chosen
    assert_accessible(page)
    page.locator("#referral-basis").select_option("consent")
    page.get_by_role("button", name="Send the referral").click()
    expect(page.get_by_role("status")).to_contain_text("The referral is recorded")
    page.get_by_label("Reason for revoking").fill("The citizen withdrew consent.")
    page.get_by_role("button", name="Revoke the delegation").click()
    expect(page.get_by_role("status")).to_contain_text("no longer sees the case")
    assert_accessible(page)


def test_partner_pages_in_indonesian(new_page: NewPage) -> None:
    _officer, partner, reference = _world()
    page = new_page(viewport=DESKTOP, locale="id-ID")
    page.goto("/officer/sign-in?next=/partner")
    page.locator("#email").fill(partner.email)
    page.locator("#password").fill(partner.password)
    page.locator("#code").fill(partner.totp())
    page.locator("main form button[type=submit]").first.click()
    expect(page.locator("html")).to_have_attribute("lang", "id")
    expect(page.get_by_role("link", name=reference)).to_be_visible()
    assert_accessible(page)
