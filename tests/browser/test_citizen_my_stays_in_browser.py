"""My stays in a real browser: who serves me, change a stay, leave, check the proof."""

from __future__ import annotations

import re
from datetime import date

from playwright.sync_api import Page, expect

from tests.browser.conftest import assert_accessible, sign_in_citizen_api
from tests.factories import nik

BORN = date(1988, 11, 30)
REPORT = {
    "nik": nik(born=BORN, sex="M", serial=3),
    "passport_number": "C3456789",
    "full_name": "Agus Salim",
    "date_of_birth": BORN.isoformat(),
    "sex": "M",
    "email": "agus@example.org",
    "country": "MY",
    "city": "Kuala Lumpur",
    "purpose": "work",
    "sector": "construction",
    "arrival_date": "2024-06-01",
    "consent": True,
}


def reported(page: Page) -> None:
    """Sign in (API) and make a self-report, so the pages have a stay to show."""
    session = sign_in_citizen_api(page, REPORT["email"])
    answer = page.request.post(
        "/api/v1/self-reports", data=REPORT, headers={"X-CSRF-Token": session["csrf_token"]}
    )
    assert answer.ok, answer.text()


def test_my_stays_shows_the_serving_post_and_is_accessible(page: Page) -> None:
    reported(page)
    page.goto("/saya")
    expect(page.locator("main")).to_contain_text("KBRI Kuala Lumpur")
    assert_accessible(page)


def test_change_a_stay_moves_it_to_the_new_post(page: Page) -> None:
    reported(page)
    page.goto("/saya?lang=en")
    page.locator("a[href$='/ubah']").first.click()
    assert_accessible(page)
    page.fill("#city", "Penang")
    page.get_by_role("button", name="Save").click()
    expect(page).to_have_url(re.compile(r"/saya\?done=updated"))
    expect(page.locator("main")).to_contain_text("KJRI Penang")


def test_report_departure_without_javascript(page_without_js: Page) -> None:
    reported(page_without_js)
    page = page_without_js
    page.goto("/saya?lang=en")
    page.locator("summary").first.click()
    page.fill("#departed_on", "2020-01-01")
    page.get_by_role("button", name="Record my departure").click()
    expect(page.locator("#departed_on-error")).not_to_be_empty()
    assert_accessible(page)
    page.fill("#departed_on", "2025-12-01")
    page.get_by_role("button", name="Record my departure").click()
    expect(page.locator("main")).to_contain_text("Your departure is recorded")


def test_the_proof_is_checked_on_the_verify_page(page: Page) -> None:
    reported(page)
    page.goto("/saya")
    href = page.locator("a[href$='bukti.pdf']").first.get_attribute("href")
    document = page.request.get(href or "")
    payload = re.search(rb"/Subject \((PDL1:[^)]*)\)", document.body())
    assert payload, "the PDF carries its QR code's payload"
    page.context.clear_cookies()
    page.goto("/verifikasi?lang=en")
    page.locator("#payload").fill(payload.group(1).decode())
    page.locator("#verify-button").click()
    verdict = page.locator("#verify-result [data-status]")
    expect(verdict).to_have_attribute("data-status", "valid")
    expect(verdict).to_contain_text("KBRI Kuala Lumpur")
    expect(verdict).to_contain_text("Agus Salim")
    expect(page.locator("main")).not_to_contain_text("C3456789")
    assert_accessible(page)
