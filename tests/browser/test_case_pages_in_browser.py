"""The case pages in a real browser: an officer works a case from the queue to its
resolution (in English and in Indonesian), a supervisor and HQ read the team and the
figures, and a citizen asks for help without JavaScript — every page checked by axe."""

from __future__ import annotations

import re
import uuid

import pytest
from playwright.sync_api import Page, expect

from peduli.auth.actor import Role
from peduli.cases import service
from peduli.cases.schemas import CaseCreate
from peduli.core.db import session_scope
from tests import factories
from tests.browser.conftest import (
    DESKTOP,
    NewPage,
    assert_accessible,
    make_staff,
    sign_in_citizen_api,
    sign_in_staff_api,
)

POST = "kbri-kuala-lumpur"
# What the officer clicks, in each language (the pages' own words).
WORDS = {
    "en": {
        "locale": "en-GB",
        "cases": "Cases",
        "status": "Change the status",
        "new_status": "New status",
        "text": "Text",
        "who": "Who sees it",
        "add": "Add to the timeline",
        "outcome": "Outcome",
        "record": "Record the outcome",
        "resolved": "Resolved",
        "changed": "The status is changed.",
    },
    "id": {
        "locale": "id-ID",
        "cases": "Kasus",
        "status": "Ubah status",
        "new_status": "Status baru",
        "text": "Teks",
        "who": "Siapa yang dapat melihat",
        "add": "Tambahkan ke linimasa",
        "outcome": "Hasil",
        "record": "Catat hasilnya",
        "resolved": "Selesai",
        "changed": "Status diubah.",
    },
}


def _open_case(summary: str, **fields: object) -> uuid.UUID:
    """A case of Kuala Lumpur, committed so that the browser sees it."""
    with session_scope() as session:
        case = service.open_case(
            session,
            data=CaseCreate.model_validate({"category": "labour", "summary": summary, **fields}),
            actor=factories.staff(Role.OFFICER, POST),
        )
        return case.id


def _change_status(page: Page, words: dict[str, str], to: str) -> None:
    form = page.locator("#form-status")
    form.get_by_label(words["new_status"]).select_option(to)
    form.get_by_role("button", name=words["status"]).click()
    expect(page.get_by_role("status")).to_contain_text(words["changed"])


@pytest.mark.parametrize("language", ["en", "id"])
def test_an_officer_works_a_case_from_the_queue_to_resolution(
    new_page: NewPage, language: str
) -> None:
    words = WORDS[language]
    _open_case("Wages unpaid for four months at the plantation.")
    page = new_page(viewport=DESKTOP, locale=words["locale"])
    sign_in_staff_api(page, make_staff())
    page.goto("/officer")
    page.get_by_role("link", name=words["cases"], exact=True).click()
    expect(page).to_have_url(re.compile(r"/officer/cases$"))
    assert_accessible(page)
    page.locator("main table a[href^='/officer/cases/']").first.click()
    expect(page.locator("h1")).to_contain_text(re.compile(r"KL|KUALA|\d"))
    assert_accessible(page)
    _change_status(page, words, "triaged")
    _change_status(page, words, "in_progress")
    note = page.locator("#form-note")
    note.get_by_label(words["text"]).fill("We spoke to the employer; payment promised.")
    note.get_by_label(words["who"]).select_option("shared")
    note.get_by_role("button", name=words["add"]).click()
    expect(page.locator("#timeline")).to_contain_text("payment promised")
    outcome = page.locator("#form-outcome")
    outcome.get_by_label(words["outcome"], exact=True).select_option("money_recovered")
    outcome.locator("[name=amount]").fill("4500")
    outcome.locator("[name=currency]").fill("MYR")
    outcome.get_by_role("button", name=words["record"]).click()
    expect(page.locator("#timeline")).to_contain_text("IDR")
    _change_status(page, words, "resolved")
    expect(page.locator(".case-facts")).to_contain_text(words["resolved"])
    assert_accessible(page)


def test_a_refused_action_is_explained_next_to_its_form(new_page: NewPage) -> None:
    case_id = _open_case("Passport held by the agency.")
    page = new_page(viewport=DESKTOP, locale="en-GB")
    sign_in_staff_api(page, make_staff())
    page.goto(f"/officer/cases/{case_id}")
    form = page.locator("#form-priority")
    form.get_by_label("Reason").fill("short")
    form.get_by_role("button", name="Change the priority").click()
    expect(page.locator("#priority-reason")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#priority-reason-error")).to_be_visible()
    assert_accessible(page)


def test_new_case_team_and_figures_pages_are_accessible(new_page: NewPage) -> None:
    _open_case("Detained after a raid.", death_penalty=True)
    page = new_page(viewport=DESKTOP, locale="en-GB")
    sign_in_staff_api(page, make_staff(role="supervisor"))
    page.goto("/officer/cases/new")
    assert_accessible(page)
    page.get_by_role("button", name="Open the case").click()  # empty: the errors
    expect(page.locator("#new-category")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)
    page.get_by_label("Category").select_option("labour")
    page.get_by_label("What happened").fill("Walk-in: employer keeps the passport.")
    page.get_by_label("Name of a person not registered yet").fill("Dewi Lestari")
    page.get_by_role("button", name="Open the case").click()
    expect(page.get_by_role("status")).to_contain_text("The case is opened.")
    expect(page.locator(".case-people")).to_contain_text("Dewi Lestari")
    page.goto("/officer/cases/team")
    expect(page.locator("main")).to_contain_text("Open cases per officer")
    assert_accessible(page)
    page.goto("/hq/outcomes")
    expect(page.locator(".headline-figures")).to_be_visible()
    assert_accessible(page)
    hq = new_page(viewport=DESKTOP, locale="fr-FR")
    sign_in_staff_api(
        hq, make_staff("analyst@example.org", role="hq_analyst", representation_code=None)
    )
    hq.goto("/hq/outcomes")
    expect(hq.locator("html")).to_have_attribute("lang", "fr")
    expect(hq.get_by_label("Représentation")).to_be_visible()
    assert_accessible(hq)


REQUEST = {
    "summary": "My employer keeps my passport and does not pay me.",
    "city": "Kuala Lumpur",
}


def _fill_help_request(page: Page) -> None:
    page.goto("/bantuan")
    assert_accessible(page)
    page.locator("input[name=category][value=labour]").check()
    page.fill("#summary", REQUEST["summary"])
    page.select_option("#country", "MY")
    page.fill("#city", REQUEST["city"])


def test_anonymous_citizen_asks_for_help_without_javascript(page_without_js: Page) -> None:
    page = page_without_js
    page.goto("/")
    page.locator("main a[href='/bantuan']").first.click()
    _fill_help_request(page)
    page.locator("main form button[type=submit]").click()  # no contact: refused
    expect(page.locator("#contact_phone")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)
    page.fill("#contact_phone", "+60 12 345 6789")
    page.locator("main form button[type=submit]").click()
    expect(page.locator(".reference")).to_contain_text(re.compile(r"\w+"))
    expect(page.locator("main")).to_contain_text("KBRI Kuala Lumpur")
    assert_accessible(page)


def test_signed_in_citizen_sees_the_request_under_my_requests(page_without_js: Page) -> None:
    page = page_without_js
    sign_in_citizen_api(page, "rina@example.org")
    _fill_help_request(page)
    page.locator("main form button[type=submit]").click()
    reference = page.locator(".reference").inner_text().strip()
    page.locator("main a[href='/saya/permintaan']").click()
    expect(page).to_have_url(re.compile(r"/saya/permintaan$"))
    expect(page.locator("main")).to_contain_text(reference)
    assert_accessible(page)
