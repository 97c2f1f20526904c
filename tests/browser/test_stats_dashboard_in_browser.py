"""The statistics dashboard in Chromium: accessible, drawn without script, and printable."""

from __future__ import annotations

from playwright.sync_api import expect

from peduli.auth.actor import Role
from peduli.core.db import session_scope, utcnow
from peduli.registry import service
from peduli.stats import tally
from tests import factories
from tests.browser.conftest import (
    DESKTOP,
    NewPage,
    assert_accessible,
    make_staff,
    sign_in_staff_api,
)


def _population() -> None:
    with session_scope() as db:
        service.submit_self_report(
            db, report=factories.report(), actor=factories.staff(Role.HQ_ADMIN)
        )
    with session_scope() as db:
        tally.refresh(db, utcnow())


def test_the_dashboard_is_accessible_without_script_and_printable(new_page: NewPage) -> None:
    _population()
    page = new_page(viewport=DESKTOP, locale="en-GB", js=False)
    sign_in_staff_api(
        page, make_staff("analyst@example.org", role="hq_analyst", representation_code=None)
    )
    page.goto("/hq/stats")
    expect(page.locator(".stats-map")).to_be_visible()
    expect(page.locator(".stats-headline .figure").first).to_have_text("1")
    expect(page.locator("#by-sector")).to_be_visible()
    assert_accessible(page)
    page.emulate_media(media="print")
    expect(page.locator(".officer-filters")).to_be_hidden()
    expect(page.locator(".stats-map")).to_be_visible()
