"""The verify page in a real browser, with the network cut after it loaded: a genuine
document is valid and a tampered one forged, in two languages; online, a revoked one is
revoked. The officers revoke from the person screen (checked by axe)."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import Page, expect

from peduli.auth.actor import Role
from peduli.core.db import session_scope, utcnow
from peduli.documents import service as documents
from peduli.registry import proof
from peduli.registry import service as registry
from tests import factories
from tests.browser.conftest import DESKTOP, NewPage, assert_accessible, make_staff
from tests.documents.conftest import tampered

POST = "kbri-kuala-lumpur"
NAME = "Ni Luh Putu Ayu Kusumawardhani"
WORDS = {
    "en-GB": {"valid": "Valid: this document", "forged": "Not genuine", "born": "Date of birth",
              "offline": "without a connection", "revoked": "Revoked:"},
    "fr-FR": {"valid": "Valide : ce document", "forged": "Non authentique",
              "born": "Date de naissance", "offline": "sans connexion", "revoked": "Révoqué :"},
}  # fmt: skip


def _issued_proof() -> tuple[uuid.UUID, uuid.UUID, str]:
    """A proof of self-report as the citizen's PDF carries it: person, document, payload."""
    officer = factories.staff(Role.OFFICER, POST)
    with session_scope() as session:
        outcome = registry.submit_self_report(
            session,
            report=factories.report(**factories.KUALA_LUMPUR, full_name=NAME, sex="F"),
            actor=officer,
        )
        issued = proof.issue_proof(session, person=outcome.person, stay=outcome.stay,
                                   today=utcnow().date())  # fmt: skip
        return outcome.person.id, issued.document.id, issued.payload


def _check(page: Page, payload: str) -> None:
    page.locator("#payload").fill(payload)
    page.locator("#verify-button").click()


@pytest.mark.parametrize("locale", ["en-GB", "fr-FR"])
def test_the_verify_page_works_offline(new_page: NewPage, locale: str) -> None:
    words = WORDS[locale]
    _person, _document, payload = _issued_proof()
    page = new_page(locale=locale)
    page.goto("/verifikasi")
    assert_accessible(page)
    page.context.set_offline(True)
    assert page.evaluate("navigator.onLine") is False

    _check(page, payload)
    verdict = page.locator("#verify-result [data-status]")
    expect(verdict).to_have_attribute("data-status", "valid")
    expect(verdict).to_have_attribute("data-checked", "offline")
    expect(verdict).to_contain_text(words["valid"])
    expect(verdict).to_contain_text(NAME)
    expect(verdict).to_contain_text(words["born"])
    expect(verdict).to_contain_text("KBRI Kuala Lumpur")
    expect(verdict).to_contain_text(words["offline"])
    assert_accessible(page)

    _check(page, tampered(payload))
    expect(verdict).to_have_attribute("data-status", "forged")
    expect(verdict).to_contain_text(words["forged"])
    expect(verdict).not_to_contain_text("Someone Else")

    _check(page, payload[:-3] + ("AAA" if payload[-3:] != "AAA" else "BBB"))
    expect(verdict).not_to_have_attribute("data-status", "valid")
    page.context.set_offline(False)


def test_online_the_page_also_asks_for_revocation(new_page: NewPage) -> None:
    _person, document_id, payload = _issued_proof()
    with session_scope() as session:
        documents.revoke(session, actor=factories.staff(Role.HQ_ADMIN, None),
                         document_id=document_id, reason="lost")  # fmt: skip
    page = new_page(locale="en-GB")
    page.goto("/verifikasi")
    _check(page, payload)
    verdict = page.locator("#verify-result [data-status]")
    expect(verdict).to_have_attribute("data-status", "revoked")
    expect(verdict).to_have_attribute("data-checked", "online")
    expect(verdict).to_contain_text("reported lost")


def test_without_javascript_the_server_checks(new_page: NewPage) -> None:
    _person, _document, payload = _issued_proof()
    page = new_page(js=False, locale="id-ID")
    page.goto("/verifikasi")
    page.locator("#payload").fill(payload)
    page.locator("#verify-button").click()
    verdict = page.locator("#verify-result [data-status]")
    expect(verdict).to_have_attribute("data-status", "valid")
    expect(verdict).to_contain_text("Sah")
    expect(verdict).to_contain_text(NAME)


def test_an_officer_revokes_from_the_person_screen(new_page: NewPage) -> None:
    person_id, _document, payload = _issued_proof()
    staff = make_staff(representation_code=POST)
    page = new_page(viewport=DESKTOP, locale="en-GB")
    page.goto("/officer/sign-in")
    page.locator("#email").fill(staff.email)
    page.locator("#password").fill(staff.password)
    page.locator("#code").fill(staff.totp())
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()
    page.goto(f"/officer/persons/{person_id}")
    section = page.locator("#person-documents-section")
    expect(section.locator("#person-documents")).to_be_visible()  # loaded in place (htmx)
    page.goto(f"/officer/persons/{person_id}/documents")
    assert_accessible(page)
    page.get_by_label("Reason").select_option("replaced")
    page.get_by_role("button", name="Revoke").click()
    expect(page.get_by_role("status")).to_contain_text("The document is revoked")
    assert_accessible(page)
    with session_scope() as session:
        assert documents.verify(session, payload).verdict == documents.Verdict.REVOKED
