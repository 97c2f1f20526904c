"""The services' "done when" path in a real browser: a citizen applies for a passport renewal
(Indonesian and English, with and without JavaScript: the fee in both currencies, documents
uploaded, the refused form keeping its choices), an officer takes it to issue, and a verifier
checks the issued document's QR payload with the network cut. Every page on the way, and
HQ's catalogue pages and a supervisor's local notes, pass axe."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

import pytest
from playwright.sync_api import Page, expect

from peduli.core.db import session_scope
from peduli.registry import service as registry
from peduli.services import catalogue
from peduli.services import service as services
from peduli.services.schemas import ApplicationCreate
from peduli.services.uploads import Upload
from tests import factories
from tests.browser.conftest import (
    DESKTOP,
    NewPage,
    StaffLogin,
    assert_accessible,
    make_staff,
    sign_in_citizen_api,
)
from tests.services.conftest import PDF, PNG
from tests.services.pages.test_staff import pdf_payload

ADDRESS = "yusuf@example.org"
WORDS = {
    "id": {"service": "Penggantian paspor habis berlaku", "send": "Kirim permohonan saya",
           "confirm": "Data ini benar.", "counter": "Di loket saat saya mengambil",
           "state": "Terkirim, menunggu petugas"},
    "en": {"service": "Passport renewal", "send": "Send my application",
           "confirm": "These details are correct.", "counter": "At the counter when I collect",
           "state": "Submitted, waiting for an officer"},
}  # fmt: skip


def _files(tmp_path: Path) -> tuple[Path, Path]:
    passport, permit = tmp_path / "paspor.pdf", tmp_path / "izin-tinggal.png"
    passport.write_bytes(PDF)
    permit.write_bytes(PNG)
    return passport, permit


def _report_own_stay(page: Page) -> None:
    """The citizen's lapor diri in Seoul, through the API with the page's session."""
    csrf = page.request.get("/api/v1/auth/session").json()["csrf_token"]
    body = factories.report(email=ADDRESS).model_dump(mode="json")
    answer = page.request.post("/api/v1/self-reports", data=body, headers={"X-CSRF-Token": csrf})
    assert answer.ok, answer.text()


@pytest.mark.parametrize(
    ("language", "js"), [("id", True), ("en", True), ("id", False)], ids=["id", "en", "id-no-js"]
)
def test_a_citizen_applies_for_a_passport_renewal(
    new_page: NewPage, tmp_path: Path, language: str, js: bool
) -> None:
    words = WORDS[language]
    with session_scope() as session:
        catalogue.load_shipped(session)
    page = new_page(js=js, locale={"id": "id-ID", "en": "en-GB"}[language])
    sign_in_citizen_api(page, ADDRESS)
    _report_own_stay(page)
    page.goto("/layanan")
    assert_accessible(page)
    page.get_by_role("link", name=words["service"], exact=True).click()
    expect(page.locator("h1")).to_have_text(words["service"])
    fee = page.locator("dl dd").first
    expect(fee).to_contain_text("US$")  # the base currency
    expect(fee).to_contain_text("₩")  # and the post's, at the day's rate
    assert_accessible(page)

    passport, permit = _files(tmp_path)
    page.get_by_label(words["counter"]).check()
    page.get_by_role("button", name=words["send"]).click()  # not confirmed, no files: refused
    expect(page.locator("[aria-invalid=true], .invalid").first).to_be_visible()
    expect(page.get_by_label(words["counter"])).to_be_checked()  # the choice is kept
    assert_accessible(page)

    page.get_by_label(words["confirm"]).check()
    page.locator("#document_current_passport").set_input_files(str(passport))
    page.locator("#document_residence_permit").set_input_files(str(permit))
    page.get_by_role("button", name=words["send"]).click()
    expect(page).to_have_url(re.compile(r"/saya/permohonan/[0-9a-f-]{36}\?done=applied$"))
    expect(page.locator("main")).to_contain_text(words["state"])
    expect(page.locator("main")).to_contain_text("paspor.pdf")
    expect(page.locator("main")).to_contain_text("₩")
    assert_accessible(page)
    page.goto("/saya/permohonan")
    expect(page.locator("main")).to_contain_text(words["service"])
    assert_accessible(page)


def _applied() -> uuid.UUID:
    """A passport renewal of a citizen of Seoul, documents sent, to pay at the counter."""
    with session_scope() as session:
        catalogue.load_shipped(session)
        citizen = factories.signed_in_citizen(session, ADDRESS)
        registry.submit_self_report(session, report=factories.report(email=ADDRESS),
                                    actor=citizen)  # fmt: skip
        citizen = factories.refreshed(session, citizen)
        application = services.apply(
            session,
            data=ApplicationCreate.model_validate(
                {"service": "passport-renewal", "payment": "counter", "details_confirmed": True}
            ),
            actor=citizen,
            files=[
                Upload("current_passport", "passport.pdf", "application/pdf", PDF),
                Upload("residence_permit", "permit.png", "image/png", PNG),
            ],
        )
        return application.id


def _sign_in_staff(page: Page, staff: StaffLogin) -> None:
    page.goto("/officer/sign-in")
    page.locator("#email").fill(staff.email)
    page.locator("#password").fill(staff.password)
    page.locator("#code").fill(staff.totp())
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()


def test_an_officer_issues_it_and_a_verifier_checks_the_qr_offline(new_page: NewPage) -> None:
    application_id = _applied()
    page = new_page(viewport=DESKTOP, locale="en-GB")
    _sign_in_staff(page, make_staff(representation_code="kbri-seoul"))
    page.goto("/officer/applications")
    assert_accessible(page)
    page.locator(f"a[href='/officer/applications/{application_id}']").click()
    expect(page.locator("main")).to_contain_text("Your current passport")
    assert_accessible(page)
    for action in ("Approve", "Issue the document"):
        page.get_by_role("button", name=action, exact=True).click()
        expect(page.get_by_role("status")).to_contain_text("The decision is recorded")
    expect(page.locator("main")).to_contain_text("Ready to collect")
    assert_accessible(page)
    printed = page.request.get(f"/officer/applications/{application_id}/document.pdf")
    assert printed.ok and printed.headers["content-type"] == "application/pdf"
    payload = pdf_payload(printed.body())
    page.goto("/officer/applications-report")
    assert_accessible(page)

    verifier = new_page(locale="en-GB")
    verifier.goto("/verifikasi")
    verifier.context.set_offline(True)
    assert verifier.evaluate("navigator.onLine") is False
    verifier.locator("#payload").fill(payload)
    verifier.locator("#verify-button").click()
    verdict = verifier.locator("#verify-result [data-status]")
    expect(verdict).to_have_attribute("data-status", "valid")
    expect(verdict).to_have_attribute("data-checked", "offline")
    expect(verdict).to_contain_text("Muhammad Yusuf")
    expect(verdict).to_contain_text("Passport issued by the representation")
    assert_accessible(verifier)
    verifier.context.set_offline(False)


def test_hq_catalogue_pages_and_local_notes_are_accessible(new_page: NewPage) -> None:
    with session_scope() as session:
        catalogue.load_shipped(session)
    page = new_page(viewport=DESKTOP, locale="en-GB")
    _sign_in_staff(page, make_staff("hq@example.org", role="hq_admin", representation_code=None))
    page.goto("/hq/catalogue")
    assert_accessible(page)
    page.get_by_role("link", name="Passport renewal", exact=True).click()
    page.get_by_label("Fee in US dollars").fill("abc")
    page.get_by_role("button", name="Publish a new version").click()
    expect(page.locator("#fee_usd")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#fee_usd")).to_have_value("abc")
    assert_accessible(page)
    page.get_by_label("Fee in US dollars").fill("30")
    page.get_by_label("What changes and why").fill("New tariff")
    page.get_by_role("button", name="Publish a new version").click()
    expect(page.get_by_role("status")).to_contain_text("Version 2 is published")
    expect(page.locator("main ins").first).to_contain_text("30.00")
    assert_accessible(page)
    page.goto("/hq/rates")
    assert_accessible(page)
    page.get_by_label("Rupiah per unit").fill("-1")
    page.get_by_role("button", name="Save the rate").click()
    expect(page.locator("#idr_per_unit")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)
    page.goto("/officer/local-notes?post=kbri-seoul")
    assert_accessible(page)

    supervisor = new_page(viewport=DESKTOP, locale="id-ID")
    _sign_in_staff(supervisor, make_staff("sup@example.org", role="supervisor",
                                          representation_code="kbri-seoul"))  # fmt: skip
    supervisor.goto("/officer/local-notes")
    supervisor.locator("#note-passport-renewal").fill("Antre di loket 3.")
    supervisor.locator("#note-passport-renewal ~ button").click()
    expect(supervisor.get_by_role("status")).to_be_visible()
    expect(supervisor.locator("#note-passport-renewal")).to_have_value("Antre di loket 3.")
    assert_accessible(supervisor)
