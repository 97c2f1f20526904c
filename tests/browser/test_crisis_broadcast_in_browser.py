"""Crisis broadcasts in Chromium: compose (live SMS counter) -> approve by a second account
-> send -> live figures, in two languages; every page checked by axe."""

from __future__ import annotations

import re

import pytest
from playwright.sync_api import Page, expect

from peduli.auth.actor import Role
from peduli.core.db import session_scope
from peduli.notify import receipts
from tests.browser.conftest import (
    DESKTOP,
    NewPage,
    assert_accessible,
    make_staff,
    sign_in_staff_api,
)
from tests.crisis.crisis_helpers import add_person, declare_crisis, gateway_took_every_sms
from tests.factories import staff

WORDS = {
    "en": {
        "locale": "en-GB",
        "link": "Audience and broadcasts",
        "reach": "3 people in the area",
        "write": "Write a broadcast",
        "one": re.compile(r"characters, 1 SMS \(GSM-7\)"),
        "two": re.compile(r"characters, 2 SMS \(GSM-7\)"),
        "save": "Save for approval",
        "approve": "Approve as the second person",
        "approved": "Approved, not sent yet",
        "send": "Send now",
        "live": "Delivery and answers",
        "sms": "SMS",
        "delivered": "Delivered to the phone",
    },
    "id": {
        "locale": "id-ID",
        "link": "Sasaran dan siaran",
        "reach": "3 orang di wilayah ini",
        "write": "Tulis siaran",
        "one": re.compile(r"karakter, 1 SMS \(GSM-7\)"),
        "two": re.compile(r"karakter, 2 SMS \(GSM-7\)"),
        "save": "Simpan untuk disetujui",
        "approve": "Setujui sebagai orang kedua",
        "approved": "Disetujui, belum dikirim",
        "send": "Kirim sekarang",
        "live": "Pengiriman dan jawaban",
        "sms": "SMS",
        "delivered": "Terkirim ke ponsel",
    },
}


def _crisis() -> str:
    with session_scope() as db:
        add_person(db, latitude=3.14, longitude=101.69, language="en")
        add_person(db, latitude=3.12, longitude=101.66)
        add_person(db, latitude=3.16, longitude=101.70, post="kjri-johor-bahru")
        return str(declare_crisis(db, staff(Role.HQ_ADMIN)).id)


def _desk(new_page: NewPage, locale: str, email: str) -> Page:
    page = new_page(viewport=DESKTOP, locale=locale)
    sign_in_staff_api(page, make_staff(email=email, role="hq_admin", representation_code=None))
    return page


@pytest.mark.parametrize("lang", ["en", "id"])
def test_compose_approve_send_and_watch(new_page: NewPage, lang: str) -> None:
    words = WORDS[lang]
    crisis_id = _crisis()
    author = _desk(new_page, str(words["locale"]), "hq1@example.org")
    author.goto(f"/officer/crises/{crisis_id}")
    author.get_by_role("link", name=str(words["link"])).click()
    expect(author.locator(".audience-total")).to_contain_text(str(words["reach"]))
    assert_accessible(author)
    author.get_by_role("link", name=str(words["write"])).click()
    counter = author.locator("#compose-message_id-length")
    expect(counter).to_have_text(words["one"])  # the template fits one SMS
    box = author.locator("#compose-message_id")
    box.fill("Gempa kuat di Kuala Lumpur. " * 3)
    expect(counter).to_have_text(words["two"])  # counted live, as the officer types
    box.fill("Gempa kuat di Kuala Lumpur. Jauhi gedung.")
    expect(counter).to_have_text(words["one"])
    assert_accessible(author)
    author.get_by_role("button", name=str(words["save"])).click()
    expect(author.locator(".broadcast-status")).to_be_visible()
    assert author.get_by_role("button", name=str(words["approve"])).count() == 0  # not the author
    broadcast_url = author.url

    second = _desk(new_page, str(words["locale"]), "hq2@example.org")
    second.goto(broadcast_url)
    second.get_by_role("button", name=str(words["approve"])).click()
    expect(second.locator(".broadcast-status")).to_have_text(str(words["approved"]))
    assert_accessible(second)

    author.reload()
    author.get_by_role("button", name=str(words["send"])).click()
    live = author.locator("#broadcast-live")
    expect(live).to_contain_text(str(words["live"]))
    expect(live.locator("tbody tr").first).to_contain_text(str(words["sms"]))
    # Answers come in while the page is open: htmx polling brings them without a reload.
    with session_scope() as db:
        from sqlalchemy import select

        from peduli.notify.models import OutboxMessage

        body = db.scalars(select(OutboxMessage.body).where(OutboxMessage.channel == "sms")).first()
    assert body is not None
    answer_page = new_page()
    answer_page.goto("/c/" + body.rsplit("/c/", 1)[1])
    answer_page.locator("button[value='safe']").click()
    expect(author.locator("#broadcast-live .answer-safe")).to_have_text("1", timeout=15_000)
    # The gateway's delivery reports come in as well, and the figures show them.
    with session_scope() as db:
        receipts.record_sms_reports(
            db, [receipts.SmsReport(i, "delivered") for i in gateway_took_every_sms(db)]
        )
    live = author.locator("#broadcast-live")
    expect(live.get_by_role("columnheader", name=str(words["delivered"]))).to_be_visible()
    expect(live.locator("tbody tr").first.locator("td.delivered")).to_have_text("3", timeout=15_000)
    assert_accessible(author)


TRICKY = [
    "Harga naik {10} [x] ~ | ^ \\ €",  # extension characters count double
    "Restez à l'abri, évitez la côte.",  # ô: the whole SMS becomes UCS-2
    "地震。请留在室外。😀",  # Chinese and an emoji (two UTF-16 units)
    "a" * 150 + "€€€",  # an escape pair is never cut between two parts
]


def test_the_live_counter_counts_as_the_server_does(new_page: NewPage) -> None:
    crisis_id = _crisis()
    page = _desk(new_page, "en-GB", "hq1@example.org")
    page.goto(f"/officer/crises/{crisis_id}/broadcasts/new")
    counter = page.locator("#compose-message_fr-length")
    for text in TRICKY:
        page.locator("#compose-message_fr").fill(text)
        typed = counter.inner_text()
        page.get_by_role("button", name="Count the SMS again").click()
        expect(page.locator("#compose-message_fr")).to_have_value(text)
        assert page.locator("#compose-message_fr-length").inner_text() == typed, text
