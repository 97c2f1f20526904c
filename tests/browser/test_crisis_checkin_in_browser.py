"""The crisis check-in page in Chromium: answer with one tap, with and without JavaScript."""

from __future__ import annotations

import pytest
from playwright.sync_api import Page, expect
from sqlalchemy import select

from peduli.auth.actor import Role
from peduli.core.db import session_scope
from peduli.crisis.models import CheckIn
from peduli.notify.models import OutboxMessage
from tests.browser.conftest import NewPage, assert_accessible
from tests.crisis.crisis_helpers import add_person, sent_by_sms
from tests.factories import staff


def _link_path(language: str = "id") -> str:
    """A crisis near Kuala Lumpur, one person, one broadcast sent: their personal link."""
    author, second = staff(Role.HQ_ADMIN), staff(Role.HQ_ADMIN)
    with session_scope() as db:
        add_person(db, latitude=3.14, longitude=101.69, language=language)
        sent_by_sms(db, author=author, second=second)
    with session_scope() as db:
        text = db.scalars(select(OutboxMessage.body)).one()
    return "/c/" + text.rsplit("/c/", 1)[1]


def _answers() -> list[tuple[str, str | None, str | None]]:
    with session_scope() as db:
        return [(c.answer, c.place, c.note) for c in db.scalars(select(CheckIn))]


def test_need_help_with_javascript_in_the_recipients_language(site: object, page: Page) -> None:
    path = _link_path(language="zh")
    page.goto(path)
    expect(page).to_have_url(f"{page.url.split('?')[0]}?lang=zh")
    expect(page.locator("h1")).to_have_text("您安全吗？")
    expect(page.locator("#locate")).to_be_visible()  # geolocation offered when JS runs
    assert_accessible(page)
    page.fill("#note", "Rumah saya rusak, kami di luar")
    page.locator("button[value='need_help']").click()
    expect(page.locator("h1")).to_have_text("已收到您的求助")
    assert _answers() == [("need_help", None, "Rumah saya rusak, kami di luar")]


def test_safe_without_javascript(site: object, page_without_js: Page) -> None:
    path = _link_path(language="id")
    page_without_js.goto(path)
    expect(page_without_js.locator("h1")).to_have_text("Apakah Anda aman?")
    expect(page_without_js.locator("#locate")).to_be_hidden()
    page_without_js.fill("#place", "Masjid Negara")
    page_without_js.locator("button[value='safe']").click()
    expect(page_without_js.locator("h1")).to_have_text("Terima kasih: Anda tercatat aman")
    assert _answers() == [("safe", "Masjid Negara", None)]
    assert_accessible(page_without_js)


def test_a_forged_link_says_so(site: object, page: Page) -> None:
    path = _link_path()
    token = path.removeprefix("/c/")
    altered = token[:-1] + ("1" if token[-1] == "0" else "0")
    page.goto(f"/c/{altered}?lang=en")
    expect(page.locator("main")).to_contain_text("This check-in link is not valid")


@pytest.mark.parametrize(
    ("language", "safe", "help"),
    [
        ("id", "Saya aman", "Saya perlu bantuan"),
        ("fr", "Je suis en sécurité", "J'ai besoin d'aide"),
    ],
)
def test_both_answers_are_above_the_fold_of_a_small_phone(
    site: object, new_page: NewPage, language: str, safe: str, help: str
) -> None:
    path = _link_path(language=language)
    page = new_page(viewport={"width": 360, "height": 640})
    page.goto(path)
    for name, colour in ((safe, "rgb(27, 110, 53)"), (help, "rgb(179, 38, 30)")):
        button = page.get_by_role("button", name=name)
        box = button.bounding_box()
        assert box is not None
        assert box["y"] >= 0 and box["y"] + box["height"] <= 640, (name, box)
        assert box["height"] >= 48 and box["width"] >= 48, (name, box)
        assert button.evaluate("b => getComputedStyle(b).backgroundColor") == colour
