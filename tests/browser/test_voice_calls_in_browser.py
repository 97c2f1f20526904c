"""The voice line's pages in a real browser, in English and Chinese: a call played by the
sandbox platform shows its details in the emergency screen (htmx) or on a page of its own
(no JavaScript), and its callback is recorded from the list; every page checked by axe."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from peduli.core.config import get_settings
from peduli.core.db import session_scope
from peduli.voice.models import VoiceCall
from peduli.voice.platform import WEBHOOK_PATH
from peduli.voice.sandbox import CallPlayer, Script
from tests.browser.conftest import DESKTOP, LiveServer, NewPage, StaffLogin, make_staff
from tests.browser.test_accessibility import visit

CALLER = "+821055501234"
WORDS = {
    "en-GB": {"language": "Menu language", "returned": "Reached", "empty": "No call to return."},
    "zh-CN": {"language": "菜单语言", "returned": "已联系上", "empty": "没有需要回电的来电。"},
}


def _hung_up_early(site: LiveServer) -> VoiceCall:
    """A caller who chose Mandarin and "arrest or detention", then hung up."""
    player = CallPlayer(webhook_url=site.url + WEBHOOK_PATH,
                        auth_token=get_settings().voice_auth_token)  # fmt: skip
    player.play(Script(caller=CALLER, keys=("3", "2"), ending="early"))
    with session_scope() as db:
        call = db.scalars(select(VoiceCall)).one()
        db.expunge(call)
    return call


def _signed_in(new_page: NewPage, locale: str, *, js: bool) -> Page:
    staff: StaffLogin = make_staff(representation_code="kbri-seoul")
    page = new_page(viewport=DESKTOP, locale=locale, js=js)
    page.goto("/officer/sign-in")
    page.locator("#email").fill(staff.email)
    page.locator("#password").fill(staff.password)
    page.locator("#code").fill(staff.totp())
    with page.expect_navigation():
        page.locator("main form button[type=submit]").first.click()
    return page


@pytest.mark.parametrize(("locale", "js"), [("en-GB", True), ("zh-CN", False)])
def test_an_officer_sees_the_call_and_returns_it(
    new_page: NewPage, site: LiveServer, locale: str, js: bool
) -> None:
    words = WORDS[locale]
    call = _hung_up_early(site)
    page = _signed_in(new_page, locale, js=js)
    visit(page, "/officer/emergencies/{emergency_id}", emergency_id=call.emergency_id)
    if js:
        expect(page.locator("#voice-call")).to_contain_text(words["language"])
    else:
        page.locator("#voice-call a").click()
        expect(page.locator("main")).to_contain_text(words["language"])
    visit(page, "/officer/calls/of-emergency/{emergency_id}", emergency_id=call.emergency_id)
    visit(page, "/officer/calls")
    expect(page.locator(f"a[href='tel:{CALLER}']")).to_be_visible()
    page.get_by_role("button", name=words["returned"], exact=True).click()
    expect(page.locator("main")).to_contain_text(words["empty"])
    with session_scope() as db:
        assert db.scalars(select(VoiceCall.callback_state)).one() == "reached"
