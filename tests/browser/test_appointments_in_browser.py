"""Booking a consular appointment in a real browser without JavaScript, in Indonesian and in
English: choose the time, book, read the confirmation and fetch the calendar invitation;
the officers' day list, plan and waiting-room screen; every page passes axe."""

from __future__ import annotations

from datetime import date, time

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import update

from peduli.auth.actor import Role
from peduli.core.db import session_scope, utcnow
from peduli.registry.models import Person
from peduli.services import catalogue, schedules
from tests.browser.conftest import (
    DESKTOP,
    NewPage,
    assert_accessible,
    make_staff,
    sign_in_citizen_api,
)
from tests.browser.harness import sign_in_staff_api
from tests.browser.test_accessibility import visit
from tests.factories import nik, staff

BORN = date(1991, 4, 2)
REPORT = {
    "nik": nik(born=BORN, sex="F", serial=7),
    "passport_number": "C7777777",
    "full_name": "Dewi Lestari",
    "date_of_birth": BORN.isoformat(),
    "sex": "F",
    "email": "dewi@example.org",
    "country": "KR",
    "city": "Seoul",
    "purpose": "work",
    "sector": "manufacturing",
    "arrival_date": "2024-06-01",
    "consent": True,
}
WORDS = {
    "id": ("Pesan waktu ini", "Janji temu Anda sudah dipesan.", "Janji temu saya"),
    "en": ("Book this time", "Your appointment is booked.", "My appointments"),
}


def _prepared(page: Page) -> None:
    """Seoul takes passport renewals; Dewi reported her stay and her record is verified."""
    with session_scope() as db:
        catalogue.load_shipped(db)
        plan = schedules.Plan(time(9), time(12), 30, 4, 3)
        schedules.set_schedule(db, post="kbri-seoul", service="passport-renewal", plan=plan,
                               actor=staff(Role.SUPERVISOR), now=utcnow())  # fmt: skip
    session = sign_in_citizen_api(page, REPORT["email"])
    answer = page.request.post(
        "/api/v1/self-reports", data=REPORT, headers={"X-CSRF-Token": session["csrf_token"]}
    )
    assert answer.ok, answer.text()
    with session_scope() as db:
        db.execute(update(Person).values(verification="verified"))


@pytest.mark.parametrize("language", ["id", "en"])
def test_booking_without_javascript(new_page: NewPage, language: str) -> None:
    page = new_page(js=False)
    _prepared(page)
    book, booked, mine = WORDS[language]
    page.goto(f"/janji-temu?service=passport-renewal&representation=kbri-seoul&lang={language}")
    expect(page.locator("main h2")).to_contain_text("KBRI Seoul")
    assert_accessible(page)
    page.locator("input[name=starts_at]").first.check()
    page.select_option("#party_size", "2")
    page.get_by_role("button", name=book).click()
    expect(page.locator("main")).to_contain_text(booked)
    assert_accessible(page)
    invitation = page.request.get(
        page.locator("a[href$='calendar.ics']").get_attribute("href") or ""
    )
    assert invitation.ok and "METHOD:REQUEST" in invitation.text()
    assert "TZID=Asia/Seoul" in invitation.text()
    page.goto("/saya/janji-temu")
    expect(page.locator("main h1")).to_have_text(mine)
    assert_accessible(page)


@pytest.mark.parametrize("locale", ["id-ID", "en-GB"])
def test_the_officers_appointment_pages_pass_axe(new_page: NewPage, locale: str) -> None:
    """A supervisor at Seoul reads the day list, the plan and the waiting-room screen."""
    page = new_page(viewport=DESKTOP, locale=locale)
    _prepared(page)
    supervisor = make_staff(
        email=f"spv-{locale}@example.org", role="supervisor", representation_code="kbri-seoul"
    )
    sign_in_staff_api(page, supervisor)
    for route in ("/officer/appointments", "/officer/appointments/plan"):
        visit(page, route)
        expect(page.locator("main h1")).to_be_visible()
    visit(page, "/officer/appointments/screen")
    expect(page.locator("body")).to_contain_text("Mohon tunggu dipanggil")  # always Indonesian too
