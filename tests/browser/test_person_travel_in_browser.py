"""The person screen's passport, crossings and placements panel in a real browser, in English
and Indonesian: what the worker fetched from the sandbox immigration service and BP2MI arrives
in place (htmx), the agency without licence flagged; every page checked by axe."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from datetime import UTC, datetime, timedelta

import pytest
from playwright.sync_api import expect
from sqlalchemy.orm import Session

from peduli.agencies import licences, travel
from peduli.agencies.sandbox import start_agency_sandboxes
from peduli.agencies.sandbox.bp2mi import Bp2miSandbox
from peduli.agencies.sandbox.immigration import ImmigrationSandbox
from peduli.agencies.sandbox.travel_population import Crossing, LicenceStatus, PassportStatus
from peduli.core.config import get_settings
from peduli.core.db import session_scope, utcnow
from peduli.registry import service
from tests.agencies.travel_helpers import QUESTION, agency, passport, placement
from tests.browser.conftest import DESKTOP, NewPage, StaffLogin, assert_accessible, make_staff
from tests.browser.test_person_screen_in_browser import POST
from tests.factories import KUALA_LUMPUR, nik, report, staff

WORDS = {"en-GB": ("Reported lost", "licence revoked"),
         "id-ID": ("Dilaporkan hilang", "izin dicabut")}  # fmt: skip


@pytest.fixture
def fetched(monkeypatch: pytest.MonkeyPatch) -> Iterator[uuid.UUID]:
    """A worker in Kuala Lumpur whose passport is reported lost, placed by an agency whose
    licence was revoked, as the worker fetched it from the sandboxes."""
    handles = start_agency_sandboxes(ports={"immigration": 0, "bp2mi": 0}, residents=(),
                                     agencies=["immigration", "bp2mi"])  # fmt: skip
    number = f"Y{uuid.uuid4().int % 10_000_000:07d}"
    immigration, bp2mi = handles["immigration"], handles["bp2mi"]
    assert isinstance(immigration, ImmigrationSandbox) and isinstance(bp2mi, Bp2miSandbox)
    immigration.add(passport(number, PassportStatus.LOST),
                    [Crossing(number, datetime.now(UTC) - timedelta(days=9), "exit", "CGK",
                              "MY")])  # fmt: skip
    bp2mi.add_placement(placement(number, agency="PT Sinar Jaya Abadi", licence="SIP3MI-00001"))
    bp2mi.add_agency(agency("SIP3MI-00001", "PT Sinar Jaya Abadi", LicenceStatus.REVOKED))
    for name, url in handles.urls().items():
        monkeypatch.setenv(f"PEDULI_AGENCY_{name.upper()}_URL", url)
    get_settings.cache_clear()
    try:
        with session_scope() as session:
            person = travel_person(session, number)
            travel.check_passport(session, person_id=person, question=QUESTION)
            travel.check_placements(session, person_id=person, question=QUESTION)
            licences.refresh(session, utcnow())
        yield person
    finally:
        handles.stop()
        monkeypatch.undo()
        get_settings.cache_clear()


def travel_person(session: Session, number: str) -> uuid.UUID:
    """A domestic worker in Kuala Lumpur holding passport ``number``."""
    serial = uuid.uuid4().int % 9000 + 1
    made = service.submit_self_report(
        session,
        report=report(
            **KUALA_LUMPUR,
            nik=nik(sex="F", serial=serial),
            passport_number=number,
            full_name="Siti Aminah",
            sex="F",
            phone=f"+6012{serial:07d}",
            email=None,
            address="Jalan Ampang 5",
            sector="domestic_work",
            employer="Tan family (household)",
            placement_agency="PT Sinar Jaya Abadi",
        ),
        actor=staff(representation_code=POST),
    )
    assert isinstance(made, service.SelfReportOutcome)
    return made.person.id


@pytest.mark.parametrize("locale", ["en-GB", "id-ID"])
def test_the_travel_panel_arrives_on_the_person_screen(
    new_page: NewPage, fetched: uuid.UUID, locale: str
) -> None:
    lost, revoked = WORDS[locale]
    officer: StaffLogin = make_staff(representation_code=POST)
    page = new_page(viewport=DESKTOP, locale=locale)
    page.goto("/officer/sign-in")
    page.locator("#email").fill(officer.email)
    page.locator("#password").fill(officer.password)
    page.locator("#code").fill(officer.totp())
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()
    page.goto(f"/officer/persons/{fetched}")
    panel = page.locator("#person-travel")
    expect(panel.locator("#passport-status")).to_contain_text(lost)
    expect(panel.locator("#placements")).to_contain_text(revoked)
    expect(panel.locator("#unlicensed-agency")).to_be_visible()
    assert_accessible(page)
    page.goto(f"/officer/persons/{fetched}/travel")  # the panel as a page of its own
    expect(page.locator("#passport-status")).to_contain_text(lost)
    assert_accessible(page)
