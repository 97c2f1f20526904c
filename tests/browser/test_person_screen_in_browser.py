"""The person screen in a real browser, in English and Indonesian: their cases and SOS calls
arrive in place (htmx), a case is opened for them, and their identity is corrected through a
form that keeps what was typed after an error; every page checked by axe."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Page, expect

from peduli.auth.actor import Role
from peduli.cases import service as cases_service
from peduli.cases.schemas import CaseCreate
from peduli.core.db import session_scope
from peduli.registry import service
from tests import factories
from tests.browser.conftest import DESKTOP, NewPage, StaffLogin, assert_accessible, make_staff

POST = "kbri-kuala-lumpur"
WORDS = {
    "en-GB": {
        "correct": "Correct the identity",
        "born": "Date of birth",
        "place": "Place of birth",
        "save": "Save the correction",
        "done": "The identity is corrected",
        "open": "Open a case for this person",
    },
    "id-ID": {
        "correct": "Koreksi identitas",
        "born": "Tanggal lahir",
        "place": "Tempat lahir",
        "save": "Simpan koreksi",
        "done": "Identitas sudah dikoreksi",
        "open": "Buka kasus untuk orang ini",
    },
}


def _person_with_an_sos() -> tuple[uuid.UUID, str]:
    """Someone in Kuala Lumpur with one SOS case, committed for the browser to see."""
    officer = factories.staff(Role.OFFICER, POST)
    with session_scope() as session:
        person = service.submit_self_report(
            session,
            report=factories.report(**factories.KUALA_LUMPUR, address="Jalan Ampang 12"),
            actor=officer,
        ).person
        case = cases_service.open_case(
            session,
            data=CaseCreate(
                category="detention",
                summary="Called the hotline from a police station.",
                person_id=person.id,
                intake_channel="emergency",
            ),
            actor=officer,
        )
        return person.id, case.reference


def _signed_in(new_page: NewPage, locale: str) -> Page:
    staff: StaffLogin = make_staff(representation_code=POST)
    page = new_page(viewport=DESKTOP, locale=locale)
    page.goto("/officer/sign-in")
    page.locator("#email").fill(staff.email)
    page.locator("#password").fill(staff.password)
    page.locator("#code").fill(staff.totp())
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()
    return page


@pytest.mark.parametrize("locale", ["en-GB", "id-ID"])
def test_an_officer_works_from_the_person_screen(new_page: NewPage, locale: str) -> None:
    words = WORDS[locale]
    person_id, reference = _person_with_an_sos()
    page = _signed_in(new_page, locale)
    page.goto(f"/officer/persons/{person_id}")
    cases = page.locator("#person-cases")
    expect(cases.get_by_role("link", name=reference)).to_be_visible()
    expect(cases.get_by_role("link", name=words["open"])).to_be_visible()
    assert_accessible(page)

    page.get_by_role("link", name=words["correct"]).click()
    expect(page).to_have_url(re.compile(rf"/officer/persons/{person_id}/identity$"))
    assert_accessible(page)
    page.get_by_label(words["place"]).fill("Indramayu")
    page.get_by_label(words["born"]).fill("17-05-1990")
    page.get_by_role("button", name=words["save"]).click()
    expect(page.locator("#date_of_birth-error")).to_be_visible()
    expect(page.get_by_label(words["place"])).to_have_value("Indramayu")
    expect(page.get_by_label(words["born"])).to_have_value("17-05-1990")
    assert_accessible(page)
    page.get_by_label(words["born"]).fill("1990-05-17")
    page.get_by_role("button", name=words["save"]).click()
    expect(page.get_by_role("status")).to_contain_text(words["done"])
    expect(page.locator("main")).to_contain_text("Indramayu")

    page.locator("#person-cases").get_by_role("link", name=words["open"]).click()
    expect(page.locator(f'input[name="person_id"][value="{person_id}"]')).to_be_checked()
    page.goto(f"/officer/persons/{person_id}/cases")  # the list as a page of its own
    expect(page.get_by_role("link", name=reference)).to_be_visible()
    assert_accessible(page)
