"""The demo mailbox page: what the sandboxes received, readable at a glance, never in production."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy.orm import Session

from peduli.core.config import get_settings
from peduli.notify.pages import PER_PAGE
from peduli.notify.sandbox import store


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
