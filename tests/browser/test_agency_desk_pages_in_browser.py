"""HQ's webhook subscriptions and a case's exchange with partner states, in a real browser:
each page and its refused form pass axe. (The import pages are swept in
``test_agency_imports_in_browser.py``.)"""

from __future__ import annotations

import uuid

from playwright.sync_api import Page, expect
from sqlalchemy import select

from peduli.agencies import exchange
from peduli.auth.actor import Role
from peduli.cases.models import CasePerson
from peduli.core.db import session_scope
from tests.agencies.conftest import open_case, staff_actor
from tests.browser.conftest import DESKTOP, NewPage, StaffLogin, assert_accessible, make_staff

KL = "kbri-kuala-lumpur"


def _sign_in(page: Page, staff: StaffLogin) -> None:
    page.goto("/officer/sign-in")
    page.locator("#email").fill(staff.email)
    page.locator("#password").fill(staff.password)
    page.locator("#code").fill(staff.totp())
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()


def test_the_webhooks_page_is_accessible(new_page: NewPage) -> None:
    page = new_page(viewport=DESKTOP, locale="en-GB")
    _sign_in(page, make_staff("hq@example.org", role="hq_admin", representation_code=None))
    page.goto("/hq/webhooks")
    assert_accessible(page)
    page.locator("form[action='/hq/webhooks'] button[type=submit]").click()
    expect(page.locator("[aria-invalid=true]").first).to_be_visible()
    assert_accessible(page)


def test_a_cases_exchange_page_is_accessible(new_page: NewPage) -> None:
    with session_scope() as session:
        exchange.register_partner(session, code="MY", name="Malaysia OCS",
                                  url="http://127.0.0.1:9/my", key_id="my-1",
                                  public_key="A" * 43)  # fmt: skip
        case = open_case(session, staff_actor(session, Role.OFFICER, KL, "desk-kl"))
        case_id: uuid.UUID = case.id
        assert session.scalar(select(CasePerson.id).where(CasePerson.case_id == case_id))
    page = new_page(viewport=DESKTOP, locale="en-GB")
    _sign_in(page, make_staff(representation_code=KL))
    page.goto(f"/officer/cases/{case_id}/exchange")
    expect(page.locator("main")).to_contain_text("Malaysia OCS")
    assert_accessible(page)
    page.get_by_label("What you ask").fill("A visit, please.")
    page.get_by_role("button", name="Send the request").click()
    expect(page.locator("main")).to_contain_text("A visit, please.")
    assert_accessible(page)
