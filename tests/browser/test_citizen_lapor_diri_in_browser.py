"""The whole lapor diri in a real browser: sign in with the code from the outbox, four
steps, review, send; in each language, once with JavaScript off; axe on every page."""

from __future__ import annotations

import re
from datetime import date

import pytest
from playwright.sync_api import Page, Route, expect

from tests.browser.conftest import NewPage, assert_accessible, latest_code_for
from tests.factories import nik

BORN = date(1991, 2, 3)
IDENTITY = {
    "#full_name": "Dewi Lestari",
    "#date_of_birth": BORN.isoformat(),
    "#nik": nik(born=BORN, sex="F", serial=12),
    "#passport_number": "B2345678",
}
PLACE = {"#city": "Seoul", "#address": "5 Itaewon-ro, Yongsan-gu"}
WORK = {"#employer": "Samsung Hana", "#arrival_date": "2025-01-10"}
CONTACT = {"#phone": "+82 10 5555 1234", "#email": "dewi@example.org"}
# The heading of the success page and the next button, as each language words them.
WORDS = {
    "id": ("Terima kasih", "Lanjut"),
    "en": ("Thank you", "Next"),
    "zh": ("谢谢", "下一步"),
    "fr": ("Merci", "Suivant"),
}


def fill(page: Page, values: dict[str, str]) -> None:
    for selector, value in values.items():
        page.fill(selector, value)


def next_step(page: Page, language: str) -> None:
    page.get_by_role("button", name=WORDS[language][1], exact=True).click()


def sign_in_on_the_page(page: Page, address: str) -> None:
    """From the sign-in page: ask for a code, read it from the outbox, enter it."""
    expect(page).to_have_url(re.compile(r"/masuk"))
    assert_accessible(page)
    page.fill("#address", address)
    page.locator("form[method=post][action='/masuk'] button[type=submit]").first.click()
    expect(page.locator("#code")).to_be_visible()
    assert_accessible(page)
    page.fill("#code", latest_code_for(address))
    page.locator("form[action='/masuk/kode'] button[type=submit]").click()
    # Wait for the page signed in to, scripts and all: a field filled while htmx is still
    # loading fires its change event with nobody listening.
    expect(page).not_to_have_url(re.compile(r"/masuk"))
    page.wait_for_load_state("load")


def lapor_diri(page: Page, language: str, address: str) -> None:
    page.goto(f"/?lang={language}")
    expect(page.locator("html")).to_have_attribute("lang", language)
    assert_accessible(page)
    page.locator("main a[href='/lapor-diri']").first.click()
    sign_in_on_the_page(page, address)
    expect(page).to_have_url(re.compile(r"/lapor-diri$"))
    expect(page.locator("html")).to_have_attribute("lang", language)
    assert_accessible(page)
    fill(page, IDENTITY)
    page.check("#sex")  # the first choice: female
    next_step(page, language)
    page.select_option("#country", "KR")
    fill(page, PLACE)
    assert_accessible(page)
    next_step(page, language)
    page.check("#purpose")  # the first choice: work
    page.select_option("#sector", "manufacturing")
    fill(page, WORK)
    assert_accessible(page)
    next_step(page, language)
    fill(page, CONTACT)
    page.check("#consent")
    assert_accessible(page)
    next_step(page, language)
    expect(page.locator("main")).to_contain_text("Dewi Lestari")
    expect(page.locator("main")).to_contain_text(IDENTITY["#nik"])
    assert_accessible(page)
    page.locator("button[value=submit]").click()
    expect(page.locator("h1")).to_contain_text(WORDS[language][0])
    expect(page.locator("main")).to_contain_text("KBRI Seoul")
    expect(page.locator("main a[href^='tel:+82']").first).to_be_visible()
    assert_accessible(page)
    assert IDENTITY["#nik"] not in page.url


@pytest.mark.parametrize("language", ["id", "en", "zh", "fr"])
def test_lapor_diri_in_each_language(new_page: NewPage, language: str) -> None:
    page = new_page(locale={"id": "id-ID", "en": "en-GB", "zh": "zh-CN", "fr": "fr-FR"}[language])
    lapor_diri(page, language, f"dewi.{language}@example.org")


def test_lapor_diri_without_javascript(page_without_js: Page) -> None:
    lapor_diri(page_without_js, "id", "dewi.nojs@example.org")


def test_errors_without_javascript_are_summarised_and_keep_the_input(
    page_without_js: Page,
) -> None:
    page = page_without_js
    page.goto("/lapor-diri")
    sign_in_on_the_page(page, "errors@example.org")
    fill(page, IDENTITY | {"#full_name": "", "#nik": "12345"})
    page.check("#sex")
    next_step(page, "id")
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(summary.locator("a[href='#full_name']")).to_contain_text("Isi kolom ini.")
    expect(page.locator("#nik")).to_have_value("12345")
    expect(page.locator("#nik")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#passport_number")).to_have_value(IDENTITY["#passport_number"])
    assert_accessible(page)


def test_inline_check_shows_the_problem_when_leaving_a_field(page: Page) -> None:
    page.goto("/lapor-diri?lang=en")
    sign_in_on_the_page(page, "inline@example.org")
    expect(page.locator("html")).to_have_attribute("lang", "en")
    # A fast reader leaves the next field while the first one's check is still on its way:
    # hold that check until the second has answered, so the two always overlap.
    held: list[Route] = []

    def hold_the_first(route: Route) -> None:
        if held:
            route.continue_()
        else:
            held.append(route)

    page.route("**/lapor-diri/periksa", hold_the_first)
    page.fill("#date_of_birth", IDENTITY["#date_of_birth"])
    for _ in range(100):
        if held:
            break
        page.wait_for_timeout(50)
    assert held, "the first field's check never left the page"
    page.check("#sex")  # the NIK is checked against the date of birth and sex
    page.fill("#nik", "1234")
    page.locator("#nik").blur()
    expect(page.locator("#nik-error")).not_to_be_empty()
    held[0].continue_()
    page.unroute("**/lapor-diri/periksa")
    expect(page).to_have_url(re.compile(r"/lapor-diri$"))  # no page load: htmx swapped it
    page.fill("#nik", IDENTITY["#nik"])
    page.locator("#nik").blur()
    expect(page.locator("#nik-error")).to_be_empty()


def test_use_my_location_fills_the_coordinates(page: Page) -> None:
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": 37.5326, "longitude": 126.9905})
    page.goto("/lapor-diri")
    sign_in_on_the_page(page, "geo@example.org")
    fill(page, IDENTITY)
    page.check("#sex")
    next_step(page, "id")
    page.click("#locate")
    expect(page.locator("#latitude")).to_have_value("37.53260")
    expect(page.locator("#longitude")).to_have_value("126.99050")


def test_location_button_is_hidden_without_javascript(page_without_js: Page) -> None:
    page = page_without_js
    page.goto("/lapor-diri")
    sign_in_on_the_page(page, "nogeo@example.org")
    fill(page, IDENTITY)
    page.check("#sex")
    next_step(page, "id")
    expect(page.locator("#locate")).to_be_hidden()
    expect(page.locator("#latitude")).to_be_visible()


def test_no_content_security_policy_violation_on_the_way(page: Page) -> None:
    """The pages run their scripts (htmx, the inline check, "use my location") under the
    CSP that forbids inline script and style, and the browser refuses nothing."""
    refused: list[str] = []
    page.on(
        "console",
        lambda message: (
            refused.append(message.text) if "Content Security Policy" in message.text else None
        ),
    )
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": 37.5326, "longitude": 126.9905})
    first = page.goto("/lapor-diri")
    assert first is not None
    assert "script-src 'self'" in first.headers["content-security-policy"]
    sign_in_on_the_page(page, "csp@example.org")
    page.fill("#date_of_birth", IDENTITY["#date_of_birth"])
    page.check("#sex")
    page.fill("#nik", "1234")
    page.locator("#nik").blur()
    expect(page.locator("#nik-error")).not_to_be_empty()  # htmx ran
    fill(page, IDENTITY)
    page.check("#sex")
    next_step(page, "id")
    page.click("#locate")
    expect(page.locator("#latitude")).to_have_value("37.53260")  # locate.js ran
    assert refused == []
