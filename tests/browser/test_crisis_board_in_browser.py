"""The crisis board in Chromium: a call for help appears on the open board without a reload."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from peduli.auth.actor import Role
from peduli.core.db import session_scope
from peduli.crisis import broadcasts, checkins, service
from peduli.crisis.models import Answer, Recipient
from peduli.crisis.pages.staff import board
from peduli.crisis.schemas import BroadcastCreate, CrisisCreate
from tests.browser.conftest import DESKTOP, NewPage, make_staff
from tests.crisis.crisis_helpers import add_person
from tests.factories import staff


def _crisis_sent_to_one_person() -> tuple[str, int, str]:
    """A flood near Kuala Lumpur broadcast to one person: (crisis id, recipient id, phone)."""
    author, second = staff(Role.HQ_ADMIN), staff(Role.HQ_ADMIN)
    with session_scope() as db:
        person = add_person(db, latitude=3.14, longitude=101.69, name="Ani Lestari")
        crisis = service.declare(
            db,
            body=CrisisCreate(
                title="Banjir Kuala Lumpur", kind="flood", severity="severe",
                area={"circle": {"lat": 3.139, "lon": 101.687, "radius_km": 20}},
            ),
            actor=author,
        )  # fmt: skip
        body = BroadcastCreate(messages={"id": "Banjir."}, channels=["sms"])
        sent = broadcasts.draft(db, crisis_id=crisis.id, body=body, actor=author)
        broadcasts.approve(db, crisis_id=sent.crisis_id, broadcast_id=sent.id, actor=second)
        broadcasts.send(db, crisis_id=sent.crisis_id, broadcast_id=sent.id, actor=author)
        recipient_id = db.scalars(select(Recipient.id)).one()
        return str(crisis.id), recipient_id, person.phone


def test_a_call_for_help_appears_on_the_open_board(
    new_page: NewPage, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setattr(board, "BOARD_REFRESH_SECONDS", 1)
    crisis_id, recipient_id, phone = _crisis_sent_to_one_person()
    officer = make_staff("officer@example.org", role="officer")
    page = new_page(viewport=DESKTOP, locale="en-GB")
    page.goto("/officer/sign-in")
    page.get_by_label("Email").fill(officer.email)
    page.get_by_label("Password").fill(officer.password)
    page.get_by_label("Code from your authenticator app").fill(officer.totp())
    page.locator("main form button[type=submit]").first.click()
    expect(page).to_have_url(re.compile(r"/officer$"))
    page.goto(f"/officer/crises/{crisis_id}")
    expect(page.locator(".crisis-help")).to_contain_text("Nobody has asked for help yet.")
    page.evaluate("window.notReloaded = true")
    with session_scope() as db:
        checkins.record(db, recipient_id=recipient_id, answer=Answer.NEED_HELP,
                        note="Air naik sampai dada", via="sms")  # fmt: skip
    row = page.locator(".crisis-help tbody tr")
    expect(row).to_contain_text("Ani Lestari", timeout=10_000)
    expect(row).to_contain_text("Air naik sampai dada")
    expect(row.get_by_role("link", name=phone)).to_have_attribute("href", f"tel:{phone}")
    assert page.evaluate("window.notReloaded") is True, "htmx swapped the board in place"
