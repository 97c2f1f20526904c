"""A citizen writes on WhatsApp (the sandbox posts the signed webhook to the live server),
"TOLONG" opens an emergency, and an officer answers from the inbox in a real browser, with
and without JavaScript; the answer reaches the sandbox WhatsApp API through the outbox."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from playwright.sync_api import expect
from sqlalchemy import select

from peduli.core.config import get_settings
from peduli.core.db import get_sessionmaker, session_scope
from peduli.emergency.models import Emergency
from peduli.notify.channels.whatsapp_cloud import WhatsAppCloudChannel
from peduli.notify.dispatcher import dispatch_once
from peduli.notify.sandbox import store
from peduli.notify.sandbox.whatsapp_gateway import WhatsAppGateway, citizen_writes
from tests.browser.conftest import (
    LiveServer,
    NewPage,
    assert_accessible,
    make_staff,
    sign_in_staff_api,
)

PHONE = "+821012345678"


@pytest.fixture
def gateway() -> Iterator[WhatsAppGateway]:
    """The sandbox WhatsApp Cloud API, listening on a free port."""
    server = WhatsAppGateway(session_factory=get_sessionmaker())
    server.start()
    yield server
    server.stop()


def _write(site: LiveServer, message: dict[str, object]) -> None:
    webhook = site("/api/v1/channels/whatsapp/webhook")
    secret = get_settings().whatsapp_app_secret
    answer = citizen_writes(webhook, app_secret=secret, phone=PHONE, message=message)
    assert answer.status_code == 200, answer.text


@pytest.mark.parametrize("js", [True, False])
def test_an_officer_answers_a_chat_sos_from_the_inbox(
    new_page: NewPage, site: LiveServer, gateway: WhatsAppGateway, js: bool
) -> None:
    _write(site, {"type": "text", "text": {"body": "TOLONG, majikan mengunci saya"}})
    with session_scope() as db:
        assert db.scalars(select(Emergency.source)).one() == "chat"
    officer = make_staff("officer.seoul@example.org", representation_code="kbri-seoul")
    page = new_page(js=js, locale="id-ID")
    sign_in_staff_api(page, officer)
    page.goto("/officer/conversations")
    expect(page.locator("h1")).to_contain_text("Obrolan dengan warga")
    expect(page.locator("#chat-inbox")).to_contain_text("Menunggu jawaban")
    assert_accessible(page)
    page.locator("#chat-inbox a").first.click()
    expect(page.locator("#chat-thread")).to_contain_text("majikan mengunci saya")
    assert_accessible(page)
    page.fill("#reply-text", "Kami sudah menerima pesan Anda. Petugas menelepon sekarang.")
    page.get_by_role("button", name="Kirim", exact=True).click()
    expect(page.locator("[role=status]")).to_contain_text("Terkirim")
    expect(page.locator("#chat-thread")).to_contain_text("Petugas menelepon sekarang")
    channel = WhatsAppCloudChannel(api_url=gateway.url, token="sandbox", timeout=5.0,
                                   default_sender="100000000001")  # fmt: skip
    try:
        dispatch_once(get_sessionmaker(), channels={"whatsapp": channel}, worker_id="browser")
    finally:
        channel.close()
    with session_scope() as db:
        delivered = store.latest_for(db, channel="whatsapp", recipient=PHONE)
        assert delivered is not None and "Petugas menelepon sekarang" in delivered.body
