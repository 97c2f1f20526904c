"""The agencies' pages in a real browser: a person's checks on the person screen (htmx) or a
page of its own (no JavaScript), the form that queues one with its error, the work queue's
tab, and the citizen's agency trail on /saya; every page checked by axe."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import Page, expect

from peduli.agencies import message_log
from peduli.agencies.envelope import Envelope, Purpose
from peduli.agencies.models import CheckState, Direction, PersonVerification, Source
from peduli.core.db import session_scope, utcnow
from peduli.registry import service
from peduli.registry.models import Stay
from tests import factories
from tests.browser.conftest import DESKTOP, NewPage, StaffLogin, assert_accessible, make_staff
from tests.browser.test_accessibility import CITIZEN, _report_own_stay, _sign_in_citizen, visit


def _mismatch_in_seoul() -> uuid.UUID:
    with session_scope() as session:
        person = service.submit_self_report(
            session, report=factories.report(place_of_birth="Bogor"), actor=factories.staff()
        ).person  # type: ignore[union-attr]
        session.add(
            PersonVerification(
                person_id=person.id, source=Source.CIVIL_REGISTRY.value, subject="record",
                state=CheckState.MISMATCH.value, fields='["place_of_birth"]', name_score=100.0,
                purpose=Purpose.IDENTITY_VERIFICATION.value, cause="self-report",
                requested_by="agencies worker", checked_at=utcnow(),
            )
        )  # fmt: skip
        return person.id


def _officer(new_page: NewPage, *, js: bool) -> Page:
    staff: StaffLogin = make_staff(representation_code="kbri-seoul")
    page = new_page(viewport=DESKTOP, locale="en-GB", js=js)
    page.goto("/officer/sign-in")
    page.locator("#email").fill(staff.email)
    page.locator("#password").fill(staff.password)
    page.locator("#code").fill(staff.totp())
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()
    return page


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_an_officer_sees_the_mismatch_and_queues_a_check(new_page: NewPage, js: bool) -> None:
    person_id = _mismatch_in_seoul()
    page = _officer(new_page, js=js)
    visit(page, "/officer/persons/{person_id}", person_id=person_id)
    if js:
        expect(page.locator("#person-checks")).to_contain_text("on: place of birth")
    else:
        page.locator("#person-checks a").click()
        expect(page.locator("main")).to_contain_text("on: place of birth")
    visit(page, "/officer/persons/{person_id}/verifications", person_id=person_id)
    page.locator("#check-cause").fill("")
    page.get_by_role("button", name="Check at the civil registry").click()
    expect(page.locator("#check-cause")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)
    page.locator("#check-cause").fill("case 2026-SEL-7")
    page.get_by_role("button", name="Check at the civil registry").click()
    expect(page.locator("main")).to_contain_text("The check is queued")
    visit(page, "/officer/agency-checks")
    expect(page.locator("#agency-checks")).to_contain_text("Muhammad Yusuf")


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_a_citizen_sees_which_agency_was_asked_about_them(new_page: NewPage, js: bool) -> None:
    page = new_page(js=js, locale="en-GB")
    _sign_in_citizen(page, CITIZEN)
    stay_id = _report_own_stay(page)
    with session_scope() as session:
        person_id = session.get_one(Stay, stay_id).person_id
    envelope = Envelope.new(
        client="test", actor="agencies worker", purpose=Purpose.IDENTITY_VERIFICATION,
        cause="self-report", request_hash="0" * 64,
    )  # fmt: skip
    with session_scope() as session:
        message_log.append(
            session, envelope=envelope, direction=Direction.REQUEST, agency="civil_registry",
            operation="nik/verify", person_id=person_id, outcome="sent",
        )  # fmt: skip
    visit(page, "/saya")
    if js:
        expect(page.locator("#agency-trail")).to_contain_text("Civil registry (Dukcapil) was asked")
    visit(page, "/saya/agency-trail")
    expect(page.locator("main")).to_contain_text("for identity verification")
