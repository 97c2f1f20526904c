"""Lapor diri keeps what the citizen typed when they switch language or go back a step (with
the form's Back button or the browser's), in a real browser: the picker sends the form and
every step is kept on the server, so nothing is retyped and nothing personal is in a URL."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from tests.browser.conftest import NewPage, assert_accessible
from tests.browser.test_citizen_lapor_diri_in_browser import (
    IDENTITY,
    WORDS,
    fill,
    next_step,
    sign_in_on_the_page,
)

# Each step's heading, as each language words it.
WHERE = {"id": "Tempat Anda berada", "en": "Where you are", "zh": "所在地", "fr": "Où vous êtes"}
WHO = {"id": "Data diri", "en": "Who you are", "zh": "个人信息", "fr": "Qui vous êtes"}
BACK = {"id": "Kembali", "en": "Back", "zh": "上一步", "fr": "Retour"}


def switch_language(page: Page, language: str) -> None:
    page.select_option("#language-choice", language)
    page.locator(".language-picker button").click()
    expect(page.locator("html")).to_have_attribute("lang", language)


def expect_identity_kept(page: Page) -> None:
    for selector, value in IDENTITY.items():
        expect(page.locator(selector)).to_have_value(value)
    expect(page.locator("#sex")).to_be_checked()


@pytest.mark.parametrize(("first", "then"), [("id", "en"), ("zh", "fr")])
def test_switching_language_and_going_back_keep_everything_typed(
    new_page: NewPage, first: str, then: str
) -> None:
    page = new_page(locale={"id": "id-ID", "zh": "zh-CN"}[first])
    page.goto(f"/?lang={first}")
    page.goto("/lapor-diri")
    sign_in_on_the_page(page, f"keeps.{first}@example.org")

    # Step 1 typed but not sent: switching language keeps it, in the new language.
    fill(page, IDENTITY)
    page.check("#sex")
    switch_language(page, then)
    expect(page.locator("h1 + .progress")).to_contain_text(WHO[then])
    expect_identity_kept(page)
    expect(page.locator(".error-summary")).to_have_count(0)
    assert IDENTITY["#nik"] not in page.url

    # Step 2 half typed; switch back to the first language.
    next_step(page, then)
    page.select_option("#country", "KR")
    page.fill("#city", "Seoul")
    switch_language(page, first)
    expect(page.locator("h1 + .progress")).to_contain_text(WHERE[first])
    expect(page.locator("#country")).to_have_value("KR")
    expect(page.locator("#city")).to_have_value("Seoul")
    assert_accessible(page)

    # Back a step: step 1 as typed; forward again: step 2 as typed.
    page.get_by_role("button", name=BACK[first], exact=True).click()
    expect(page.locator("h1 + .progress")).to_contain_text(WHO[first])
    expect_identity_kept(page)
    next_step(page, first)
    expect(page.locator("#city")).to_have_value("Seoul")
    expect(page.locator("#country")).to_have_value("KR")
    assert not re.search(IDENTITY["#nik"] + "|" + IDENTITY["#passport_number"], page.url)


def test_switching_language_without_javascript_keeps_the_input(page_without_js: Page) -> None:
    page = page_without_js
    page.goto("/lapor-diri")
    sign_in_on_the_page(page, "keeps.nojs@example.org")
    fill(page, IDENTITY)
    page.check("#sex")
    switch_language(page, "fr")
    expect_identity_kept(page)
    page.get_by_role("button", name=WORDS["fr"][1], exact=True).click()
    expect(page.locator("h1 + .progress")).to_contain_text(WHERE["fr"])


@pytest.mark.parametrize("language", ["en", "fr"])
def test_the_browsers_back_button_shows_each_step_as_typed(
    new_page: NewPage, language: str
) -> None:
    page = new_page(locale={"en": "en-GB", "fr": "fr-FR"}[language])
    page.goto(f"/?lang={language}")
    page.goto("/lapor-diri")
    sign_in_on_the_page(page, f"history.{language}@example.org")
    fill(page, IDENTITY)
    page.check("#sex")
    next_step(page, language)
    page.select_option("#country", "KR")
    page.fill("#city", "Seoul")
    next_step(page, language)
    expect(page.locator("#employer")).to_be_visible()

    page.go_back()  # no "confirm form resubmission": each step is a page of its own
    expect(page.locator("h1 + .progress")).to_contain_text(WHERE[language])
    expect(page.locator("#city")).to_have_value("Seoul")
    expect(page.locator("#country")).to_have_value("KR")
    page.go_back()
    expect(page.locator("h1 + .progress")).to_contain_text(WHO[language])
    expect_identity_kept(page)
    page.go_forward()
    expect(page.locator("#city")).to_have_value("Seoul")
    assert IDENTITY["#nik"] not in page.url and "Seoul" not in page.url

    # A reload keeps it too, and so does coming back to /lapor-diri later.
    page.reload()
    expect(page.locator("#city")).to_have_value("Seoul")
    page.goto("/")
    page.goto("/lapor-diri")
    expect_identity_kept(page)


def test_the_sign_in_address_survives_a_language_switch(page: Page) -> None:
    page.goto("/masuk?next=/lapor-diri")
    page.fill("#address", "dewi.switch@example.org")
    switch_language(page, "zh")
    expect(page.locator("#address")).to_have_value("dewi.switch@example.org")
    assert "dewi" not in page.url
    assert_accessible(page)
