"""The officer's desk in a real browser: sign-in with TOTP (and first-time enrolment),
verifying a self-report from the queue, merging a duplicate — every page checked by axe."""

from __future__ import annotations

import re
import uuid
from datetime import date
from typing import Any

import pyotp
from playwright.sync_api import Page, expect
from sqlalchemy import select

from peduli.auth.actor import Role
from peduli.core.db import session_scope
from peduli.registry import service
from peduli.registry.models import DuplicateCandidate, Person
from tests import factories
from tests.browser.conftest import (
    DESKTOP,
    NewPage,
    StaffLogin,
    assert_accessible,
    make_staff,
)

POST = "kbri-kuala-lumpur"


def _report(**fields: Any) -> uuid.UUID:
    """A self-report in Kuala Lumpur, committed so that the browser sees it."""
    values = {**factories.KUALA_LUMPUR, "address": "Jalan Ampang 12", **fields}
    with session_scope() as session:
        outcome = service.submit_self_report(
            session,
            report=factories.report(**values),
            actor=factories.staff(Role.OFFICER, POST),
        )
        return outcome.person.id


def _desk(new_page: NewPage) -> Page:
    return new_page(viewport=DESKTOP, locale="en-GB")


def _sign_in(page: Page, staff: StaffLogin, code: str | None = None) -> None:
    page.goto("/officer/sign-in")
    page.get_by_label("Email").fill(staff.email)
    page.get_by_label("Password").fill(staff.password)
    page.get_by_label("Code from your authenticator app").fill(code or staff.totp())
    with page.expect_navigation():
        page.get_by_role("button", name="Sign in").click()


def test_officer_signs_in_with_totp(new_page: NewPage) -> None:
    staff = make_staff()
    page = _desk(new_page)
    page.goto("/officer")
    expect(page).to_have_url(re.compile(r"/officer/sign-in\?next=/officer$"))
    assert_accessible(page)
    _sign_in(page, staff, code="000000")
    expect(page.get_by_role("alert")).to_contain_text("not right")
    assert_accessible(page)
    _sign_in(page, staff)
    expect(page.get_by_role("heading", name="Work queue")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Sign out").click()
    expect(page).to_have_url(re.compile(r"/officer/sign-in$"))


def test_first_sign_in_enrols_the_authenticator(new_page: NewPage) -> None:
    staff = make_staff(enrolled=False)
    page = _desk(new_page)
    page.goto("/officer/sign-in")
    page.get_by_label("Email").fill(staff.email)
    page.get_by_label("Password").fill(staff.password)
    page.get_by_role("button", name="Sign in").click()
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    assert_accessible(page)
    key = page.locator(".officer-secret").inner_text().replace(" ", "")
    page.get_by_label("Code from your authenticator app").fill(pyotp.TOTP(key).now())
    page.get_by_role("button", name="Confirm and sign in").click()
    expect(page.get_by_role("heading", name="Work queue")).to_be_visible()


def test_officer_verifies_a_self_report_from_the_queue(new_page: NewPage) -> None:
    person_id = _report(full_name="Siti Aminah", sex="F")
    _report(
        full_name="Budi Santoso",
        nik=factories.nik(born=date(1985, 2, 3), serial=2),
        date_of_birth=date(1985, 2, 3),
        passport_number="C2222222",
        phone=None,
        email="budi@example.org",
    )
    page = _desk(new_page)
    _sign_in(page, make_staff())
    expect(page.get_by_role("link", name="Siti Aminah")).to_be_visible()
    page.get_by_role("link", name="Name").click()  # sort by name
    expect(page.locator("tbody th").first).to_have_text("Budi Santoso")
    assert_accessible(page)

    page.get_by_role("link", name="Siti Aminah").click()
    expect(page.get_by_role("heading", name="Siti Aminah")).to_be_visible()
    expect(page.get_by_role("heading", name="Who looked at this record")).to_be_visible()
    expect(page.get_by_role("cell", name="Opened the record", exact=True)).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Verified against documents").click()

    expect(page.get_by_role("status")).to_contain_text("marked verified")
    expect(page.get_by_role("link", name="Siti Aminah")).to_have_count(0)
    expect(page.get_by_role("link", name="Budi Santoso")).to_be_visible()
    with session_scope() as session:
        assert session.get_one(Person, person_id).verification == "verified"


def test_officer_searches_by_nik(new_page: NewPage) -> None:
    nik = factories.nik()
    _report(nik=nik)
    page = _desk(new_page)
    _sign_in(page, make_staff())
    page.get_by_role("link", name="Search").first.click()
    assert_accessible(page)
    page.get_by_label("NIK").fill(nik)
    page.get_by_role("button", name="Search").last.click()
    expect(page.get_by_role("link", name="Muhammad Yusuf")).to_be_visible()
    assert nik not in page.url
    assert_accessible(page)


def test_officer_merges_a_duplicate(new_page: NewPage) -> None:
    keep = _report(full_name="Muhammad Yusuf")
    absorbed = _report(
        full_name="Moh. Jusuf",
        nik=None,
        passport_number="C7654321",
        phone=None,
        email="jusuf@example.org",
    )
    page = _desk(new_page)
    _sign_in(page, make_staff())
    page.get_by_role("link", name=re.compile(r"Possible duplicates \(1\)")).click()
    assert_accessible(page)
    page.get_by_role("link", name=re.compile("Compare")).click()
    expect(page.get_by_role("heading", name="Compare two records")).to_be_visible()
    expect(page.get_by_role("radio", name=re.compile("Muhammad Yusuf"))).to_be_checked()
    assert_accessible(page)
    page.get_by_role("button", name="Merge into the chosen record").click()
    expect(page.get_by_role("status")).to_contain_text("merged into one")
    with session_scope() as session:
        assert session.get_one(Person, absorbed).merged_into_id == keep
        assert session.scalars(select(DuplicateCandidate.status)).one() == "merged"


def test_out_of_scope_record_asks_for_a_reason(new_page: NewPage) -> None:
    person_id = _report()
    page = _desk(new_page)
    _sign_in(page, make_staff(email="seoul@example.org", representation_code="kbri-seoul"))
    page.goto(f"/officer/persons/{person_id}")
    expect(page.get_by_label("Why do you need this record?")).to_be_visible()
    assert_accessible(page)
    page.get_by_label("Why do you need this record?").fill("Call from the family, case 2026/31")
    page.get_by_role("button", name="Open the record").click()
    expect(page.get_by_role("heading", name="Muhammad Yusuf")).to_be_visible()
    assert_accessible(page)
