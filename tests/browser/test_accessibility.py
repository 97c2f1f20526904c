"""Every page passes axe-core's WCAG 2.1 A/AA rules with no serious or critical violation.

The sweep signs in through the real pages (a citizen with the code from the outbox, an
officer with password and TOTP) and visits every HTML page the app serves; a guard test
fails when a page is added to the app without being added here.
"""

from __future__ import annotations

import re
import uuid
from collections.abc import Iterator
from datetime import UTC, date, datetime
from typing import Any

import pytest
from fastapi.responses import HTMLResponse
from fastapi.routing import APIRoute
from playwright.sync_api import Page, expect
from starlette.routing import BaseRoute

from peduli.auth.actor import SYSTEM, Role
from peduli.core.db import session_scope
from peduli.registry import service
from peduli.registry.models import DuplicateCandidate
from peduli.stats import releases
from tests import factories
from tests.browser.conftest import (
    DESKTOP,
    NewPage,
    StaffLogin,
    assert_accessible,
    axe_violations,
    latest_code_for,
    make_staff,
)
from tests.stats.population import SMALL_GROUPS, add_people

# Every page (GET, HTML) of the app, by route; the guard test keeps this list complete.
PAGES = frozenset(
    {
        "/",
        "/masuk",
        "/lapor-diri",
        "/lapor-diri/terkirim/{received_id}",
        "/saya",
        "/saya/tinggal/{stay_id}/ubah",
        "/verifikasi",
        # Open data: test_open_data_page_is_accessible.
        "/data-terbuka",
        # A person's documents and revoking one: test_documents_offline.py.
        "/officer/persons/{person_id}/documents",
        "/demo/mailbox",
        "/officer/sign-in",
        "/officer",
        "/officer/duplicates",
        "/officer/duplicates/{candidate_id}",
        "/officer/persons/{person_id}",
        # A person's cases and the identity correction: test_person_screen_in_browser.py.
        "/officer/persons/{person_id}/cases",
        "/officer/persons/{person_id}/identity",
        # Undoing a merge: test_unmerge_in_browser.py.
        "/officer/merges/{merge_id}/unmerge",
        # Passport, crossings and placements: test_person_travel_in_browser.py.
        "/officer/persons/{person_id}/travel",
        "/officer/search",
        # Identity claims: test_claim_pages_are_accessible.
        "/officer/claims",
        "/officer/claims/{claim_id}",
        "/saya/klaim/{claim_id}",
        # Correction requests: test_correction_pages_are_accessible.
        "/officer/corrections",
        "/officer/corrections/{request_id}",
        # Checked in their own browser tests: test_emergency_sos_in_browser.py and
        # test_crisis_checkin_in_browser.py.
        "/sos",
        "/c/{token}",
        # The emergency desk and the crisis board: test_emergency_and_crisis_desks_are_accessible.
        "/officer/emergencies",
        "/officer/emergencies/new",
        "/officer/emergencies/{emergency_id}",
        "/officer/roster",
        "/officer/crises",
        "/officer/crises/{crisis_id}",
        "/officer/crises/{crisis_id}/board",
        # The not-yet-reached list: checked in test_crisis_unreached_in_browser.py.
        "/officer/crises/{crisis_id}/unreached",
        # The broadcast screens: test_crisis_broadcast_in_browser.py.
        "/officer/crises/{crisis_id}/broadcasts",
        "/officer/crises/{crisis_id}/broadcasts/new",
        "/officer/crises/{crisis_id}/broadcasts/{broadcast_id}",
        "/officer/crises/{crisis_id}/broadcasts/{broadcast_id}/live",
        # Declaring a crisis: test_crisis_declare_in_browser.py.
        "/officer/crises/new",
        # Partner pages: visited and checked in test_partner_desk.py.
        "/partner",
        "/partner/cases/{case_id}",
        "/partner/consultations/new",
        "/officer/partners",
        "/officer/cases/{case_id}/sharing",
        # The case desk, HQ figures and help requests (tests/browser/test_case_pages_in_browser.py).
        "/officer/cases",
        "/officer/cases/new",
        "/officer/cases/team",
        "/officer/cases/{case_id}",
        "/hq/outcomes",
        # The statistics dashboard: test_stats_dashboard_in_browser.py.
        "/hq/stats",
        "/bantuan",
        "/saya/permintaan",
        # HQ's dead letters: test_dead_letter_page_is_accessible.
        "/hq/dead-letters",
        # HQ's imports of agency exports: test_agency_imports_in_browser.py.
        "/hq/imports",
        "/hq/imports/{import_id}",
        "/hq/imports/{import_id}/progress",
        # The voice line's calls to return and a call's details: test_voice_calls_in_browser.py.
        "/officer/calls",
        "/officer/calls/of-emergency/{emergency_id}",
        # The chat inbox: test_chat_inbox_in_browser.py.
        "/officer/conversations",
        "/officer/conversations/{conversation_id}",
        # Checks at the agencies and the citizen's agency trail: test_agency_checks_in_browser.py.
        "/officer/persons/{person_id}/verifications",
        "/officer/agency-checks",
        "/saya/agency-trail",
        # Applying for a service, the officers' queue to issue, HQ's catalogue, rates and a
        # post's local notes: test_service_application_in_browser.py.
        "/layanan",
        "/layanan/{code}",
        "/saya/permohonan",
        "/saya/permohonan/{application_id}",
        "/officer/applications",
        "/officer/applications/{application_id}",
        "/officer/applications-report",
        "/hq/catalogue",
        "/hq/catalogue/{code}",
        "/hq/catalogue/{code}/versions",
        "/hq/rates",
        "/officer/local-notes",
        # Booking, and the officers' day list, plan and screen: test_appointments_in_browser.py.
        "/janji-temu",
        "/saya/janji-temu",
        "/saya/janji-temu/{appointment_id}",
        "/officer/appointments",
        "/officer/appointments/plan",
        "/officer/appointments/screen",
        # HQ's webhooks, a case's exchange: test_agency_desk_pages_in_browser.py.
        "/hq/webhooks",
        "/officer/cases/{case_id}/exchange",
        # The voter lists and the citizen's registration: test_elections_in_browser.py.
        "/officer/elections",
        "/officer/elections/{election_id}",
        "/saya/pemilu",
    }
)
CITIZEN = "rina@example.org"


def visit(page: Page, route: str, **params: Any) -> None:
    """Open one of ``PAGES`` and check it."""
    assert route in PAGES, f"{route} is not in PAGES"
    page.goto(route.format(**params))
    assert_accessible(page)


def _routes(routes: list[BaseRoute]) -> Iterator[BaseRoute]:
    """Every route, descending into included routers (FastAPI ≥ 0.165 includes lazily).

    Page routers are included without a prefix, so their paths are the served ones.
    """
    for route in routes:
        included = getattr(route, "original_router", None)
        yield from _routes(included.routes) if included is not None else (route,)


def test_every_page_of_the_app_is_in_the_sweep() -> None:
    from peduli.api.app import create_app

    served = {
        route.path
        for route in _routes(create_app().routes)
        if isinstance(route, APIRoute)
        and "GET" in route.methods
        and route.response_class is HTMLResponse
    }
    assert served == PAGES, "add new pages to PAGES and visit them in a test below"


def _sign_in_citizen(page: Page, address: str) -> None:
    """The real sign-in pages: ask for a code, read it from the outbox, enter it."""
    visit(page, "/masuk")
    page.fill("#address", address)
    page.locator("main form[action='/masuk'] button[type=submit]").first.click()
    expect(page.locator("#code")).to_be_visible()
    assert_accessible(page)
    page.fill("#code", "000000")
    page.locator("main form[action='/masuk/kode'] button[type=submit]").click()
    expect(page.locator("#code")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)  # the wrong-code error
    page.fill("#code", latest_code_for(address))
    page.locator("main form[action='/masuk/kode'] button[type=submit]").click()
    expect(page.locator("#code")).to_have_count(0)


def _report_own_stay(page: Page) -> uuid.UUID:
    """Send a lapor diri through the API with the page's session (the form has its own tests)."""
    csrf = page.request.get("/api/v1/auth/session").json()["csrf_token"]
    body = factories.report(**factories.KUALA_LUMPUR, email=CITIZEN).model_dump(mode="json")
    answer = page.request.post("/api/v1/self-reports", data=body, headers={"X-CSRF-Token": csrf})
    assert answer.ok, answer.text()
    return uuid.UUID(answer.json()["stay"]["id"])


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_citizen_pages_are_accessible(new_page: NewPage, js: bool) -> None:
    page = new_page(js=js)
    visit(page, "/")
    _sign_in_citizen(page, CITIZEN)
    visit(page, "/lapor-diri")
    page.locator("main form button[type=submit]").last.click()  # step one, empty: errors
    expect(page.locator("[aria-invalid=true]").first).to_be_visible()
    assert_accessible(page)
    stay_id = _report_own_stay(page)
    visit(page, "/lapor-diri/terkirim/{received_id}", received_id=stay_id)
    visit(page, "/saya")
    visit(page, "/saya/tinggal/{stay_id}/ubah", stay_id=stay_id)
    page.fill("#city", "")
    page.locator("main form button[type=submit]").first.click()
    expect(page.locator("[aria-invalid=true]").first).to_be_visible()
    assert_accessible(page)
    visit(page, "/verifikasi")
    visit(page, "/demo/mailbox")


@pytest.mark.parametrize("language", ["id", "en", "zh", "fr"])
def test_home_and_error_pages_are_accessible_in_each_language(
    new_page: NewPage, language: str
) -> None:
    page = new_page(locale={"id": "id-ID", "en": "en-GB", "zh": "zh-CN", "fr": "fr-FR"}[language])
    visit(page, "/")
    expect(page.locator("html")).to_have_attribute("lang", language)
    page.goto("/no-such-page")
    expect(page.locator("html")).to_have_attribute("lang", language)
    assert_accessible(page)
    page.goto(f"/saya/tinggal/{uuid.uuid4()}/ubah")  # signed out: the sign-in error page
    assert_accessible(page)


@pytest.mark.parametrize("language", ["id", "en", "zh", "fr"])
def test_open_data_page_is_accessible(new_page: NewPage, language: str) -> None:
    """A published month with suppressed cells, each table, and a bad month, without
    JavaScript."""
    with session_scope() as db:
        add_people(db, SMALL_GROUPS)
        releases.publish(
            db, month=date(2026, 11, 1), actor=SYSTEM, now=datetime(2026, 12, 2, tzinfo=UTC)
        )
    locale = {"id": "id-ID", "en": "en-GB", "zh": "zh-CN", "fr": "fr-FR"}[language]
    page = new_page(js=False, locale=locale, viewport=DESKTOP)
    visit(page, "/data-terbuka")
    expect(page.locator("#open-data-table abbr.suppressed").first).to_be_visible()
    page.select_option("#by", "representation")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#open-data-table")).to_contain_text("KJRI Kuching")
    assert_accessible(page)
    page.fill("#month", "2026-1x")
    page.locator("main form button[type=submit]").click()
    expect(page.locator("#month")).to_have_attribute("aria-invalid", "true")
    assert_accessible(page)


def _kuala_lumpur_report(**fields: Any) -> uuid.UUID:
    values = {**factories.KUALA_LUMPUR, "address": "Jalan Ampang 12", **fields}
    with session_scope() as session:
        outcome = service.submit_self_report(
            session,
            report=factories.report(**values),
            actor=factories.staff(representation_code="kbri-kuala-lumpur"),
        )
        return outcome.person.id


def _sign_in_officer(page: Page, staff: StaffLogin, *, code: str | None = None) -> None:
    page.get_by_label("Email").fill(staff.email)
    page.get_by_label("Password").fill(staff.password)
    page.get_by_label("Code from your authenticator app").fill(
        staff.totp() if code is None else code
    )
    page.locator("main form button[type=submit]").first.click()


def test_officer_pages_are_accessible(new_page: NewPage) -> None:
    person_id = _kuala_lumpur_report()
    jusuf = _kuala_lumpur_report(full_name="Moh. Jusuf", nik=None, passport_number="C7654321")
    with session_scope() as session:
        outside = service.submit_self_report(
            session,
            report=factories.report(
                nik=factories.nik(serial=7), passport_number="C1111111", full_name="Ani"
            ),
            actor=factories.staff(),
        ).person.id
        candidate_id = (
            session.query(DuplicateCandidate.id)
            .filter(
                DuplicateCandidate.person_id.in_((person_id, jusuf)),
                DuplicateCandidate.other_person_id.in_((person_id, jusuf)),
            )
            .scalar()
        )
    page = new_page(viewport=DESKTOP, locale="en-GB")
    staff = make_staff()
    visit(page, "/officer/sign-in")
    _sign_in_officer(page, staff, code="000000")
    expect(page.get_by_role("alert")).to_be_visible()
    assert_accessible(page)
    _sign_in_officer(page, staff)
    expect(page).to_have_url(re.compile(r"/officer$"))
    visit(page, "/officer")
    visit(page, "/officer/duplicates")
    visit(page, "/officer/duplicates/{candidate_id}", candidate_id=candidate_id)
    visit(page, "/officer/persons/{person_id}", person_id=person_id)
    visit(page, "/officer/persons/{person_id}", person_id=outside)  # asks for a reason
    visit(page, "/officer/search")
    page.get_by_label("Name").fill("Yusuf")
    page.locator("main form button[type=submit]").last.click()
    expect(page.locator("main table")).to_be_visible()
    assert_accessible(page)


def _sos_to_kuala_lumpur() -> uuid.UUID:
    """An SOS from Kuala Lumpur (its acknowledge screen shows the caller)."""
    from peduli.emergency import service as emergency_service
    from peduli.emergency.schemas import EmergencyCreate
    from tests.emergency.conftest import sos

    with session_scope() as session:
        return emergency_service.report_emergency(
            session,
            data=EmergencyCreate.model_validate(
                sos(country="MY", city="Kuala Lumpur", phone="+60123456789")
            ),
            actor=None,
            ip="10.9.9.9",
        ).emergency.id


def test_emergency_and_crisis_desks_are_accessible(new_page: NewPage) -> None:
    from peduli.crisis import service as crisis_service
    from peduli.crisis.schemas import CrisisCreate

    supervisor = make_staff("supervisor@example.org", role="supervisor")
    with session_scope() as session:
        crisis_id = crisis_service.declare(
            session,
            body=CrisisCreate.model_validate(
                {
                    "title": "Banjir Kuala Lumpur",
                    "kind": "flood",
                    "severity": "severe",
                    "area": {"circle": {"lat": 3.139, "lon": 101.687, "radius_km": 30}},
                }
            ),
            actor=factories.staff(Role.SUPERVISOR, "kbri-kuala-lumpur"),
        ).id
    _someone_asked_for_help(crisis_id)  # the board then lists them, with a phone to tap
    page = new_page(viewport=DESKTOP, locale="en-GB")
    visit(page, "/officer/sign-in")
    _sign_in_officer(page, supervisor)
    expect(page).to_have_url(re.compile(r"/officer$"))
    for route in ("/officer/emergencies", "/officer/emergencies/new", "/officer/roster"):
        visit(page, route)
    visit(page, "/officer/emergencies/{emergency_id}", emergency_id=_sos_to_kuala_lumpur())
    visit(page, "/officer/crises")
    visit(page, "/officer/crises/{crisis_id}", crisis_id=crisis_id)
    expect(page.locator(".crisis-help a[href^='tel:']")).to_be_visible()
    visit(page, "/officer/crises/{crisis_id}/board", crisis_id=crisis_id)


def _someone_asked_for_help(crisis_id: object) -> None:
    from sqlalchemy import select

    from peduli.crisis import broadcasts, checkins
    from peduli.crisis.models import Answer, Recipient
    from peduli.crisis.schemas import BroadcastCreate
    from tests.crisis.crisis_helpers import add_person

    author, second = factories.staff(Role.HQ_ADMIN), factories.staff(Role.HQ_ADMIN)
    with session_scope() as session:
        add_person(session, latitude=3.14, longitude=101.69, name="Ani Lestari")
        body = BroadcastCreate(messages={"id": "Banjir."}, channels=["sms"])
        sent = broadcasts.draft(session, crisis_id=crisis_id, body=body, actor=author)  # type: ignore[arg-type]
        broadcasts.approve(session, crisis_id=sent.crisis_id, broadcast_id=sent.id, actor=second)
        broadcasts.send(session, crisis_id=sent.crisis_id, broadcast_id=sent.id, actor=author)
        recipient_id = session.scalars(select(Recipient.id)).one()
        checkins.record(session, recipient_id=recipient_id, answer=Answer.NEED_HELP,
                        note="Air naik", via="web")  # fmt: skip


def test_correction_pages_are_accessible(new_page: NewPage) -> None:
    """The queue, one request, the form after an error, then the queue with the notice."""
    from peduli.registry import rights

    with session_scope() as session:
        citizen = factories.signed_in_citizen(session, "warga@example.org")
        service.submit_self_report(session, report=factories.report(), actor=citizen)
        citizen = factories.refreshed(session, citizen)
        request_id = rights.request_correction(
            session, actor=citizen, message="My birth place is Cirebon, not Jakarta."
        ).id
    page = new_page(viewport=DESKTOP, locale="en-GB")
    visit(page, "/officer/sign-in")
    _sign_in_officer(page, make_staff(representation_code="kbri-seoul"))
    expect(page).to_have_url(re.compile(r"/officer$"))
    visit(page, "/officer/corrections")
    expect(page.locator("main table tbody tr")).to_have_count(1)
    visit(page, "/officer/corrections/{request_id}", request_id=request_id)
    page.get_by_label("Refuse: nothing is changed").check()
    page.get_by_label("Reason, as the citizen will read it").fill("No")
    page.get_by_role("button", name="Decide and tell the citizen").click()
    expect(page.locator("#reason-error")).to_be_visible()
    expect(page.get_by_label("Reason, as the citizen will read it")).to_have_value("No")
    assert_accessible(page)
    page.get_by_label("Reason, as the citizen will read it").fill(
        "Your passport shows Jakarta as the birth place."
    )
    page.get_by_role("button", name="Decide and tell the citizen").click()
    expect(page.get_by_role("status")).to_contain_text("The request is refused")
    assert_accessible(page)


def test_claim_pages_are_accessible(new_page: NewPage) -> None:
    """The claimant's waiting page, the officers' claim queue, one claim and its refusal error."""
    claimant = "klaim@example.org"
    with session_scope() as session:
        service.submit_self_report(
            session, report=factories.report(email="pemilik@example.org"), actor=factories.staff()
        )
        citizen = factories.signed_in_citizen(session, claimant)
        pending = service.submit_self_report(
            session,
            report=factories.report(email=claimant, phone="+821099998888"),
            actor=citizen,
        )
        assert isinstance(pending, service.PendingClaim)
        claim_id = pending.claim.id
    page = new_page()
    _sign_in_citizen(page, claimant)
    visit(page, "/saya/klaim/{claim_id}", claim_id=claim_id)
    officer = new_page(viewport=DESKTOP, locale="en-GB")
    visit(officer, "/officer/sign-in")
    _sign_in_officer(officer, make_staff(representation_code="kbri-seoul"))
    expect(officer).to_have_url(re.compile(r"/officer$"))
    visit(officer, "/officer/claims")
    expect(officer.locator("main table tbody tr")).to_have_count(1)
    visit(officer, "/officer/claims/{claim_id}", claim_id=claim_id)
    officer.get_by_label("Reason, as the claimant will read it").fill("No")
    officer.get_by_role("button", name="Refuse").click()
    expect(officer.get_by_label("Reason, as the claimant will read it")).to_have_value("No")
    assert_accessible(officer)


def test_dead_letter_page_is_accessible(new_page: NewPage) -> None:
    """The list with a dead letter of each kind, then after a retry with its notice."""
    from sqlalchemy import update

    from peduli.notify import service as notify_service
    from peduli.notify.models import OutboxMessage, OutboxStatus

    with session_scope() as session:
        for number, (channel, recipient) in enumerate(
            [("sms", "+6281234567890"), ("email", "siti@example.org")]
        ):
            notify_service.enqueue(
                session, channel=channel, recipient=recipient, subject="Kode", body="123456",
                idempotency_key=f"browser.dead:{number}",
            )  # fmt: skip
        session.execute(
            update(OutboxMessage).values(
                status=OutboxStatus.DEAD, attempts=5, last_error="HTTP 503 from the gateway"
            )
        )
    admin = make_staff("admin@example.org", role="hq_admin", representation_code=None)
    page = new_page(viewport=DESKTOP, locale="en-GB")
    visit(page, "/officer/sign-in")
    _sign_in_officer(page, admin)
    expect(page).to_have_url(re.compile(r"/officer$"))
    page.get_by_role("link", name="Dead letters").click()
    expect(page.locator("main table tbody tr")).to_have_count(2)
    visit(page, "/hq/dead-letters")
    page.locator("main table form button").first.click()
    expect(page.get_by_role("status")).to_contain_text("1 message(s) put back in line.")
    assert_accessible(page)
    expect(page.locator("main table tbody tr")).to_have_count(1)


def test_enrolment_page_is_accessible(new_page: NewPage) -> None:
    staff = make_staff(enrolled=False)
    page = new_page(viewport=DESKTOP, locale="en-GB")
    visit(page, "/officer/sign-in")
    _sign_in_officer(page, staff, code="")
    expect(page.get_by_role("img", name=re.compile("QR code"))).to_be_visible()
    assert_accessible(page)


def test_axe_reports_a_field_without_label_with_and_without_javascript(
    new_page: NewPage,
) -> None:
    for js in (True, False):
        page = new_page(js=js)
        page.goto("/no-such-page")
        page.set_content("<html><title>t</title><body><main><input></main></body></html>")
        found = {v["id"] for v in axe_violations(page)}
        assert {"html-has-lang", "label"} <= found, (js, found)
