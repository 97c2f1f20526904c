"""A supervisor reads the evidence of a pair, merges it, and undoes the merge from the
person screen, in Indonesian, in a real browser; every page checked by axe."""

from __future__ import annotations

import re
import uuid
from typing import Any

from playwright.sync_api import expect
from sqlalchemy import select, update

from peduli.auth.actor import Role
from peduli.core.db import session_scope
from peduli.registry import service
from peduli.registry.models import DuplicateCandidate, Person
from tests import factories
from tests.browser.conftest import DESKTOP, NewPage, assert_accessible, make_staff

POST = "kbri-kuala-lumpur"
EVIDENCE = [
    {"comparison": "name", "outcome": "close", "weight": 4.2},
    {"comparison": "birth_date", "outcome": "exact", "weight": 6.5},
    {"comparison": "passport", "outcome": "different", "weight": -2.3},
    {"comparison": "nik", "outcome": "missing", "weight": 0.0},
]


def _report(**fields: Any) -> uuid.UUID:
    values = {**factories.KUALA_LUMPUR, "address": "Jalan Ampang 12", **fields}
    with session_scope() as session:
        return service.submit_self_report(
            session, report=factories.report(**values), actor=factories.staff(Role.OFFICER, POST)
        ).person.id


def test_supervisor_reads_the_evidence_merges_and_undoes_the_merge(new_page: NewPage) -> None:
    keep = _report(full_name="Muhammad Yusuf")
    absorbed = _report(
        full_name="Moh. Jusuf", nik=None, passport_number="C7654321", phone=None,
        email="jusuf@example.org",
    )  # fmt: skip
    with session_scope() as session:
        session.execute(
            update(DuplicateCandidate).values(evidence=EVIDENCE, match_probability=0.97)
        )
        pair_id = session.scalars(select(DuplicateCandidate.id)).one()
    supervisor = make_staff("head@example.org", role="supervisor", representation_code=POST)
    page = new_page(viewport=DESKTOP, locale="id-ID")
    page.goto("/officer/sign-in")
    page.fill("#email", supervisor.email)
    page.fill("#password", supervisor.password)
    page.fill("#code", supervisor.totp())
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()

    page.goto(f"/officer/duplicates/{pair_id}")
    expect(page.get_by_role("heading", name="Hasil perbandingan")).to_be_visible()
    expect(page.locator(".officer-evidence tbody tr").first).to_contain_text("+6,5")
    expect(page.locator(".officer-evidence-against")).to_contain_text("berbeda")
    assert_accessible(page)
    page.locator("form[action$='/merge'] button[type=submit]").click()
    expect(page.get_by_role("status")).to_be_visible()

    page.goto(f"/officer/persons/{keep}")
    page.get_by_role("link", name="Batalkan penggabungan ini…").click()
    expect(page.get_by_role("heading", name="Membatalkan penggabungan")).to_be_visible()
    assert_accessible(page)
    page.get_by_role("button", name="Batalkan penggabungan").click()
    expect(page.locator("#reason")).to_have_attribute("aria-invalid", "true")
    expect(page.locator("#reason-error")).to_contain_text("Tuliskan alasan")
    assert_accessible(page)
    page.fill("#reason", "Dua saudara lahir di hari yang sama; paspornya berbeda.")
    page.get_by_role("button", name="Batalkan penggabungan").click()
    expect(page).to_have_url(re.compile(rf"/officer/persons/{absorbed}\?done=unmerged"))
    expect(page.get_by_role("status").first).to_contain_text("Penggabungan dibatalkan")
    assert_accessible(page)
    with session_scope() as session:
        assert session.get_one(Person, absorbed).status == "active"
