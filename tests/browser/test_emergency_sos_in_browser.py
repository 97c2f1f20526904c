"""The SOS page in a real browser: with and without JavaScript, in several languages,
with the optional "use my location" script; axe on the form, its errors and the answer."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from peduli.core.db import session_scope
from peduli.emergency.models import Emergency
from tests.browser.conftest import NewPage, assert_accessible

SENT = {"id": "SOS Anda sudah terkirim", "en": "Your SOS was sent", "fr": "Votre SOS a été envoyé",
        "zh": "您的 SOS 已发送"}  # fmt: skip
LOCALES = {"id": "id-ID", "en": "en-GB", "zh": "zh-CN", "fr": "fr-FR"}


def send_sos(page: Page, language: str, phone: str) -> None:
    page.goto(f"/sos?lang={language}")
    expect(page.locator("html")).to_have_attribute("lang", language)
    assert_accessible(page)
    page.fill("#name", "Siti Aminah")
    page.select_option("#country", "KR")
    page.fill("#city", "Ansan")
    page.check("#kind")
    page.fill("#details", "Locked in by the employer.")
    page.fill("#phone", phone)
    page.locator("#sos-form button[type=submit]").click()
    expect(page.locator("h1")).to_contain_text(SENT[language])
    expect(page.locator("main")).to_contain_text("KBRI Seoul")
    assert_accessible(page)


@pytest.mark.parametrize("language", ["id", "fr"])
def test_sos_without_javascript(new_page: NewPage, language: str) -> None:
    page = new_page(js=False, locale=LOCALES[language])
    send_sos(page, language, "+82 10 5555 0001")
    with session_scope() as db:
        assert db.scalars(select(Emergency.representation_code)).one() == "kbri-seoul"


@pytest.mark.parametrize("language", ["en", "zh"])
def test_sos_with_javascript_and_location(new_page: NewPage, language: str) -> None:
    page = new_page(locale=LOCALES[language])
    page.context.grant_permissions(["geolocation"])
    page.context.set_geolocation({"latitude": 37.3219, "longitude": 126.8309})
    page.goto(f"/sos?lang={language}")
    page.locator("#sos-form button[type=button]").click()
    expect(page.locator("#latitude")).to_have_value("37.32190")
    send_sos(page, language, "+82 10 5555 0002")
    with session_scope() as db:
        assert db.scalars(select(Emergency)).one().kind == "violence"


def test_errors_without_javascript_are_inline_and_keep_the_input(new_page: NewPage) -> None:
    page = new_page(js=False, locale="id-ID")
    page.goto("/sos")
    page.fill("#name", "Siti Aminah")
    page.locator("#sos-form button[type=submit]").click()
    summary = page.locator(".error-summary")
    expect(summary).to_be_visible()
    expect(page.locator("#phone")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#phone-error")).not_to_be_empty()
    expect(page.locator("#name")).to_have_value("Siti Aminah")
    assert_accessible(page)
