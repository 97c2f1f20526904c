"""The demo mailbox page: what the sandboxes received, readable at a glance, never in production."""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from peduli.core.config import get_settings
from peduli.notify.pages.demo import PER_PAGE
from peduli.notify.sandbox import store
from tests.conftest import set_production_secrets


def _receive(db: Session, channel: str, count: int) -> None:
    store.record(
        db,
        [
            store.Received(
                channel=channel,
                recipient=f"+628123456{i:04d}",
                subject="",
                body=f"Kode masuk Peduli: {100000 + i}. Jangan berikan <b>kode</b> ini.",
                idempotency_key=f"k{i}",
            )
            for i in range(count)
        ],
    )
    db.commit()


def test_the_mailbox_shows_each_sms_with_its_code_highlighted(
    client: TestClient, db: Session
) -> None:
    _receive(db, "sms", 1)

    response = client.get(
        "/demo/mailbox", params={"channel": "sms"}, headers={"Accept-Language": "en-GB,en;q=0.9"}
    )

    assert response.status_code == 200
    assert response.headers["cache-control"] == "no-store"
    page = response.text
    assert "+6281234560000" in page
    assert '<mark class="code">100000</mark>' in page
    assert "&lt;b&gt;kode&lt;/b&gt;" in page  # bodies are escaped, never rendered as HTML
    assert '<html lang="en">' in page
    assert client.get("/static/peduli.css").status_code == 200


def test_the_mailbox_is_paged_newest_first(client: TestClient, db: Session) -> None:
    _receive(db, "sms", PER_PAGE + 5)

    first = client.get("/demo/mailbox.json", params={"channel": "sms"}).json()
    second = client.get("/demo/mailbox.json", params={"channel": "sms", "page": 2}).json()

    assert (first["total"], first["pages"], len(first["messages"])) == (PER_PAGE + 5, 2, PER_PAGE)
    assert first["messages"][0]["idempotency_key"] == f"k{PER_PAGE + 4}"
    assert len(second["messages"]) == 5
    assert first["counts"] == {"sms": PER_PAGE + 5}
    html = client.get("/demo/mailbox", params={"channel": "sms"}).text
    assert "page=2" in html


def test_an_empty_mailbox_says_what_will_appear(client: TestClient) -> None:
    response = client.get("/demo/mailbox", params={"lang": "en"})

    assert response.status_code == 200
    assert "Nothing received yet" in response.text


@pytest.fixture
def production(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("PEDULI_ENVIRONMENT", "production")
    set_production_secrets(monkeypatch)
    get_settings.cache_clear()
    yield
    monkeypatch.undo()
    get_settings.cache_clear()


@pytest.mark.usefixtures("production")
@pytest.mark.parametrize("path", ["/demo/mailbox", "/demo/mailbox.json"])
def test_the_mailbox_does_not_exist_in_production(client: TestClient, path: str) -> None:
    response = client.get(path)

    assert response.status_code == 404
    assert response.headers["content-type"].startswith("application/problem+json")


def test_the_mailbox_has_a_tab_per_channel_with_whatsapp_and_in_app(
    client: TestClient, db: Session
) -> None:
    from peduli.notify.channels.in_app import InAppChannel
    from peduli.notify.ports import OutboundMessage

    store.record(
        db,
        [
            store.Received(
                channel="whatsapp",
                recipient="+6281299990000",
                subject="",
                body="Gempa: balas AMAN",
                idempotency_key="wa1",
                sender="100000000001",
            )
        ],
    )
    db.commit()
    InAppChannel().send(
        [
            OutboundMessage(
                id=1,
                channel="in_app",
                recipient="person-7",
                subject="Peringatan",
                body="Tetap di dalam rumah",
                idempotency_key="n1",
            )
        ]
    )

    page = client.get("/demo/mailbox", params={"channel": "whatsapp", "lang": "en"}).text
    assert "Gempa: balas AMAN" in page and "100000000001" in page
    assert "?channel=in_app" in page and "In-app notices" in page
    notices = client.get("/demo/mailbox.json", params={"channel": "in_app"}).json()
    assert notices["counts"] == {"whatsapp": 1, "in_app": 1}
    assert notices["messages"][0]["recipient"] == "person-7"
    assert notices["messages"][0]["body"] == "Tetap di dalam rumah"


def test_a_sign_in_code_goes_through_the_outbox_to_the_mailbox(client: TestClient) -> None:
    from peduli.core.db import get_sessionmaker
    from peduli.notify.channels.email_smtp import SmtpEmailChannel
    from peduli.notify.dispatcher import dispatch_once
    from peduli.notify.sandbox import start_sandboxes

    requested = client.post("/api/v1/auth/citizen/code", json={"address": "ani@example.org"})
    assert requested.status_code == 202
    handles = start_sandboxes(smtp_port=0, sms_port=0)
    try:
        email = SmtpEmailChannel(
            host="127.0.0.1", port=handles.smtp_port, sender="no-reply@peduli.test", timeout=2.0
        )
        assert dispatch_once(get_sessionmaker(), channels={"email": email}, worker_id="w") == 1
    finally:
        handles.stop()

    mailbox = client.get("/demo/mailbox.json", params={"channel": "email"}).json()
    (message,) = mailbox["messages"]
    assert message["recipient"] == "ani@example.org"
    assert re.search(r"\b\d{6}\b", message["body"]), message["body"]
