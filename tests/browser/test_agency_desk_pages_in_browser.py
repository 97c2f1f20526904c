"""HQ's imports and webhook subscriptions and a case's exchange with partner states, in a real
browser: each page, its refused form and the import's progress and report pass axe."""

from __future__ import annotations

import re
import uuid
from pathlib import Path

from playwright.sync_api import Page, expect
from sqlalchemy import select

from peduli.agencies import exchange, imports_run
from peduli.auth.actor import Role
from peduli.cases.models import CasePerson
from peduli.core.db import get_sessionmaker, session_scope, utcnow
from tests.agencies.conftest import open_case, staff_actor
from tests.agencies.exports import csv_bytes, data_dir, worker
from tests.browser.conftest import DESKTOP, NewPage, StaffLogin, assert_accessible, make_staff

__all__ = ["data_dir"]  # the fixture: uploaded files under a fresh directory
KL = "kbri-kuala-lumpur"


def _sign_in(page: Page, staff: StaffLogin) -> None:
    page.goto("/officer/sign-in")
    page.locator("#email").fill(staff.email)
    page.locator("#password").fill(staff.password)
    page.locator("#code").fill(staff.totp())
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()


def test_imports_and_webhooks_pages_are_accessible(
    new_page: NewPage, data_dir: Path, tmp_path: Path
) -> None:
    page = new_page(viewport=DESKTOP, locale="en-GB")
    _sign_in(page, make_staff("hq@example.org", role="hq_admin", representation_code=None))
    page.goto("/hq/webhooks")
    assert_accessible(page)
    page.locator("form[action='/hq/webhooks'] button[type=submit]").click()
    expect(page.locator("[aria-invalid=true]").first).to_be_visible()
    assert_accessible(page)

    page.goto("/hq/imports")
    assert_accessible(page)
    export = tmp_path / "placements.csv"
    export.write_bytes(csv_bytes([worker(1), worker(2, **{"Tanggal Lahir": "2099-01-01"})]))
    page.locator("#file").set_input_files(str(export))
    page.get_by_role("button", name="Upload").click()
    expect(page).to_have_url(re.compile(r"/hq/imports/[0-9a-f-]{36}$"))
    report = page.url
    assert_accessible(page)  # waiting for the worker
    page.goto(f"{report}/progress")
    assert_accessible(page)
    while (taken := imports_run.claim(get_sessionmaker(), utcnow())) is not None:
        imports_run.run(get_sessionmaker(), taken)
    page.goto(report)
    expect(page.locator("td.count-refuse")).to_have_text("1")
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
