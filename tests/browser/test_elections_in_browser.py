"""The elections' pages in a real browser, every one checked by axe: the committee's voter
lists and one list with its checks' problems and a resolution form's error, and the
citizen's registration, with and without JavaScript."""

from __future__ import annotations

import uuid

import pytest
from playwright.sync_api import expect

from peduli.auth.actor import SYSTEM
from peduli.core.db import session_scope
from peduli.elections import checks, generation, service
from peduli.elections.models import PlaceKind
from peduli.elections.schemas import ElectionCreate, PlaceCreate
from peduli.registry import service as registry_service
from tests import factories
from tests.browser.conftest import NewPage, assert_accessible
from tests.browser.test_accessibility import CITIZEN, _report_own_stay, _sign_in_citizen, visit
from tests.browser.test_agency_checks_in_browser import _officer


def _election(*, checked: bool) -> uuid.UUID:
    """An election with a station in Seoul and Kuala Lumpur, its lists generated."""
    with session_scope() as session:
        made = service.create_election(
            session, data=ElectionCreate(name="Pemilu 2029", election_day="2029-02-14"),  # type: ignore[arg-type]
            actor=SYSTEM,
        )  # fmt: skip
        for post in ("kbri-seoul", "kbri-kuala-lumpur"):
            service.add_place(
                session, election_id=made.id, actor=SYSTEM,
                data=PlaceCreate(representation_code=post, kind=PlaceKind.TPSLN,
                                 code="TPSLN 01", location="Aula KBRI"),
            )  # fmt: skip
        generation.generate(session, election_id=made.id, actor=SYSTEM)
        if checked:
            checks.run_checks(session, election_id=made.id, post="kbri-seoul", actor=SYSTEM)
        return made.id


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_the_committees_pages_are_accessible(new_page: NewPage, js: bool) -> None:
    with session_scope() as session:
        registry_service.submit_self_report(
            session, report=factories.report(), actor=factories.staff()
        )
    election_id = _election(checked=True)
    page = _officer(new_page, js=js)
    visit(page, "/officer/elections")
    expect(page.locator("main")).to_contain_text("Pemilu 2029")
    visit(page, "/officer/elections/{election_id}", election_id=election_id)
    expect(page.locator("main")).to_contain_text("Residence not verified")
    page.get_by_role("button", name="Confirmed").first.click()
    expect(page.locator("main")).to_contain_text("Say how it was resolved.")
    assert_accessible(page)  # the form's error
    visit(page, "/officer/elections/{election_id}", election_id=election_id)


@pytest.mark.parametrize("js", [True, False], ids=["js", "no-js"])
def test_the_citizens_registration_is_accessible(new_page: NewPage, js: bool) -> None:
    page = new_page(js=js, locale="en-GB")
    _sign_in_citizen(page, CITIZEN)
    _report_own_stay(page)
    _election(checked=False)
    visit(page, "/saya/pemilu")
    expect(page.locator("main")).to_contain_text("You are registered to vote abroad.")
