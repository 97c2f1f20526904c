"""The crisis's "not yet reached" list in Chromium: an officer records calls with htmx (only the
person's card changes) and without JavaScript (the page posts and comes back)."""

from __future__ import annotations

from datetime import timedelta

from playwright.sync_api import Locator, Page, expect
from sqlalchemy import select

from peduli.auth.actor import Role
from peduli.core.db import session_scope, utcnow
from peduli.crisis import reminders
from peduli.crisis.models import ReachAttempt
from tests.browser.conftest import (
    DESKTOP,
    NewPage,
    assert_accessible,
    make_staff,
    sign_in_staff_api,
)
from tests.crisis.crisis_helpers import add_person, sent_by_sms
from tests.factories import staff


def _silent_after_the_reminder() -> str:
    """Two people in Kuala Lumpur sent a broadcast, silent when the reminder went: the list."""
    author, second = staff(Role.HQ_ADMIN), staff(Role.HQ_ADMIN)
    with session_scope() as db:
        add_person(db, latitude=3.14, longitude=101.69, name="Ani Lestari", language="en")
        add_person(db, latitude=3.12, longitude=101.66, name="Budi Santoso")
        crisis = sent_by_sms(db, author=author, second=second)
        crisis_id = crisis.id
    with session_scope() as db:
        reminders.remind_silent(db, utcnow() + timedelta(hours=3))
    return f"/officer/crises/{crisis_id}/unreached"


def _outcomes() -> list[tuple[str, str | None]]:
    with session_scope() as db:
        rows = db.scalars(select(ReachAttempt).order_by(ReachAttempt.created_at))
        return [(a.outcome, a.note) for a in rows]


def _card(page: Page, name: str) -> Locator:
    return page.locator("li.unreached-person", has=page.locator("h2", has_text=name))


def test_with_htmx_only_the_persons_card_changes(site: object, new_page: NewPage) -> None:
    path = _silent_after_the_reminder()
    page = new_page(js=True, locale="id-ID", viewport=DESKTOP)
    sign_in_staff_api(page, make_staff("kl@kemlu.example", "officer", "kbri-kuala-lumpur"))
    page.goto(path)
    expect(page.locator("h1")).to_have_text("Belum terjangkau")
    assert_accessible(page)
    budi = _card(page, "Budi Santoso")
    budi.get_by_label("Catatan").fill("Nomor tidak aktif")
    budi.locator("button[type=submit]").click()
    expect(budi.locator(".error")).to_contain_text("Pilih hasil panggilan atau kunjungan.")
    expect(budi.get_by_label("Catatan")).to_have_value("Nomor tidak aktif")
    budi.get_by_label("Tidak dapat dihubungi").check()
    budi.locator("button[type=submit]").click()
    expect(budi.locator("[role=status]")).to_contain_text("Tercatat: tidak dapat dihubungi")
    expect(budi.locator(".unreached-facts")).to_contain_text("Nomor tidak aktif")
    ani = _card(page, "Ani Lestari")
    ani.get_by_label("Terjangkau: aman").check()
    ani.locator("button[type=submit]").click()
    expect(ani.locator("[role=status]")).to_contain_text("Tercatat: terjangkau dan aman")
    expect(ani.locator("form")).to_have_count(0)
    expect(ani.locator("h2")).to_have_text("Ani Lestari")
    assert page.url.endswith(path), "the page stayed; only the cards changed"
    assert _outcomes() == [("unreachable", "Nomor tidak aktif"), ("reached_safe", None)]


def test_without_javascript_the_form_posts_and_comes_back(site: object, new_page: NewPage) -> None:
    path = _silent_after_the_reminder()
    page = new_page(js=False, locale="en-US", viewport=DESKTOP)
    sign_in_staff_api(page, make_staff("kl@kemlu.example", "officer", "kbri-kuala-lumpur"))
    page.goto(path)
    expect(page.locator("h1")).to_have_text("Not yet reached")
    budi = _card(page, "Budi Santoso")
    budi.get_by_label("Reached: needs help").check()
    budi.get_by_label("Note").fill("Injured, at the hostel")
    budi.locator("button[type=submit]").click()
    expect(page.locator("main [role=status]").first).to_contain_text("A case is open")
    expect(page.locator("h2", has_text="Budi Santoso")).to_have_count(0)
    assert _outcomes() == [("need_help", "Injured, at the hostel")]
    assert_accessible(page)
