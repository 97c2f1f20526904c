"""``notify.receipts``: delivery and read receipts found by the provider's message id, one
statement per batch; an unknown id or a repeated receipt changes nothing."""

from __future__ import annotations

import time
from datetime import UTC, datetime, timedelta

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import select, text, update
from sqlalchemy.orm import Session

from peduli.core.db import utcnow
from peduli.notify import receipts, service
from peduli.notify.dispatcher import dispatch_once
from peduli.notify.models import OutboxMessage, OutboxStatus
from peduli.notify.ports import Channel
from peduli.notify.receipts import Receipt
from peduli.notify.sandbox import SandboxHandles, delivery_reports_url
from tests.browser.harness import LiveServer
from tests.notify.notify_helpers import SessionFactory, outbox

DLR_URL = "/api/v1/channels/sms/delivery-reports"
GATEWAY = {"X-Gateway-Token": "sandbox"}
T0 = datetime(2026, 12, 5, 8, 0, tzinfo=UTC)


def _sent(db: Session, channel: str, provider_ids: list[str]) -> None:
    """One sent outbox row per provider id, as the dispatcher leaves them."""
    for provider_id in provider_ids:
        service.enqueue(
            db,
            channel=channel,
            recipient="+6281234567890",
            subject="",
            body="Peringatan",
            idempotency_key=f"{channel}:{provider_id}",
        )
        db.execute(
            update(OutboxMessage)
            .where(OutboxMessage.idempotency_key == f"{channel}:{provider_id}")
            .values(status=OutboxStatus.SENT, sent_at=utcnow(), provider_message_id=provider_id)
        )
    db.commit()


def _times(db: Session) -> dict[str, tuple[datetime | None, datetime | None]]:
    db.expire_all()
    rows = db.scalars(select(OutboxMessage)).all()
    return {row.provider_message_id or "": (row.delivered_at, row.read_at) for row in rows}


def test_whatsapp_statuses_mark_delivered_and_read_by_wamid(db: Session) -> None:
    _sent(db, "whatsapp", ["wamid.A", "wamid.B", "wamid.C"])
    statuses = [
        {"id": "wamid.A", "status": "delivered", "timestamp": str(int(T0.timestamp()))},
        {"id": "wamid.B", "status": "read", "timestamp": str(int(T0.timestamp()) + 60)},
        {"id": "wamid.C", "status": "sent", "timestamp": str(int(T0.timestamp()))},
    ]

    assert receipts.record_whatsapp_statuses(db, statuses) == 2
    db.commit()

    times = _times(db)
    assert times["wamid.A"] == (T0, None)
    # Read implies delivered, at the read's time when no delivery receipt came first.
    assert times["wamid.B"] == (T0 + timedelta(minutes=1), T0 + timedelta(minutes=1))
    assert times["wamid.C"] == (None, None)


def test_a_repeated_or_unknown_receipt_changes_nothing(db: Session) -> None:
    _sent(db, "whatsapp", ["wamid.A"])
    first = [{"id": "wamid.A", "status": "delivered", "timestamp": str(int(T0.timestamp()))}]
    assert receipts.record_whatsapp_statuses(db, first) == 1
    db.commit()

    later = [
        {"id": "wamid.A", "status": "delivered", "timestamp": str(int(T0.timestamp()) + 99)},
        {"id": "wamid.nobody", "status": "delivered", "timestamp": "1"},
    ]
    assert receipts.record_whatsapp_statuses(db, later) == 0
    db.commit()

    assert _times(db) == {"wamid.A": (T0, None)}


def test_a_read_after_delivery_keeps_the_delivery_time(db: Session) -> None:
    _sent(db, "whatsapp", ["wamid.A"])
    receipts.record(db, channel="whatsapp", receipts=[Receipt("wamid.A", T0)])
    later = T0 + timedelta(hours=1)

    assert receipts.record(db, channel="whatsapp", receipts=[Receipt("wamid.A", later, True)]) == 1
    db.commit()

    assert _times(db)["wamid.A"] == (T0, later)


def test_a_receipt_of_another_channel_with_the_same_id_changes_nothing(db: Session) -> None:
    _sent(db, "sms", ["sms-1"])

    assert receipts.record(db, channel="whatsapp", receipts=[Receipt("sms-1", T0)]) == 0


def test_the_sms_gateway_reports_deliveries_with_its_token(client: TestClient, db: Session) -> None:
    _sent(db, "sms", ["sms-1", "sms-2"])
    body = {
        "reports": [
            {"id": "sms-1", "status": "delivered", "at": T0.isoformat()},
            {"id": "sms-2", "status": "expired", "at": T0.isoformat()},
            {"id": "sms-404", "status": "delivered"},
        ]
    }

    assert client.post(DLR_URL, json=body).status_code == 401
    assert client.post(DLR_URL, json=body, headers={"X-Gateway-Token": "x"}).status_code == 401
    answer = client.post(DLR_URL, json=body, headers=GATEWAY)
    assert answer.status_code == 200, answer.text
    assert answer.json() == {"recorded": 2}  # sms-1 delivered, sms-2 dead (below)
    assert client.post(DLR_URL, json=body, headers=GATEWAY).json() == {"recorded": 0}

    times = _times(db)
    assert times["sms-1"] == (T0, None)
    assert times["sms-2"] == (None, None)


def test_a_report_of_failure_makes_a_sent_sms_a_dead_letter_once(
    client: TestClient, db: Session
) -> None:
    _sent(db, "sms", ["sms-1", "sms-2", "sms-3"])
    client.post(
        DLR_URL, json={"reports": [{"id": "sms-3", "status": "delivered"}]}, headers=GATEWAY
    )
    body = {
        "reports": [
            {"id": "sms-1", "status": "expired"},
            {"id": "sms-2", "status": "failed"},
            {"id": "sms-3", "status": "failed"},  # delivered already: a late contradiction
        ]
    }

    assert client.post(DLR_URL, json=body, headers=GATEWAY).json() == {"recorded": 2}
    assert client.post(DLR_URL, json=body, headers=GATEWAY).json() == {"recorded": 0}

    db.expire_all()
    rows = {r.provider_message_id: r for r in db.scalars(select(OutboxMessage))}
    assert rows["sms-1"].status is OutboxStatus.DEAD
    assert rows["sms-1"].last_error == "the SMS gateway reported it expired"
    assert rows["sms-2"].last_error == "the SMS gateway reported it failed"
    assert rows["sms-3"].status is OutboxStatus.SENT


@pytest.mark.parametrize(
    "report",
    [
        {"id": "sms-1", "status": "arrived"},
        {"id": "", "status": "delivered"},
        {"id": "sms-1", "status": "delivered", "at": "2026-12-05T08:00:00"},  # no offset
    ],
)
def test_a_malformed_report_is_a_problem_not_a_guess(
    client: TestClient, db: Session, report: dict[str, str]
) -> None:
    _sent(db, "sms", ["sms-1"])

    answer = client.post(DLR_URL, json={"reports": [report]}, headers=GATEWAY)

    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert _times(db)["sms-1"] == (None, None)


def test_the_sandbox_gateway_reports_each_sent_sms_back_over_http(
    session_factory: SessionFactory,
    sandboxes: SandboxHandles,
    channels: dict[str, Channel],
    live_server: LiveServer,
) -> None:
    """The whole loop: the worker sends, the sandbox gateway posts its DLR to the live app a
    moment later, and the outbox row learns it was delivered."""
    sandboxes.sms.delivery_reports_url = delivery_reports_url(live_server.url)
    with session_factory() as session, session.begin():
        for i in range(3):
            service.enqueue(
                session,
                channel="sms",
                recipient=f"+6281234567{i:03d}",
                subject="",
                body="Peringatan",
                idempotency_key=f"dlr:{i}",
            )

    assert dispatch_once(session_factory, channels=channels, worker_id="w") == 3

    deadline = time.monotonic() + 10
    while any(row.delivered_at is None for row in outbox(session_factory)):
        assert time.monotonic() < deadline, "no delivery report reached the app"
        time.sleep(0.1)
    assert {row.status for row in outbox(session_factory)} == {OutboxStatus.SENT}


def test_a_report_that_overtakes_the_record_of_the_send_finds_it_by_reference(
    client: TestClient, db: Session
) -> None:
    """The gateway answered, but the worker has not yet written the gateway's id: the
    report's reference (the idempotency key it was sent with) still names the message."""
    service.enqueue(
        db, channel="sms", recipient="+6281234567890", subject="", body="x", idempotency_key="k1"
    )
    db.commit()
    body = {"reports": [{"id": "sms-77", "reference": "k1", "status": "delivered"}]}

    assert client.post(DLR_URL, json=body, headers=GATEWAY).json() == {"recorded": 1}
    assert client.post(DLR_URL, json=body, headers=GATEWAY).json() == {"recorded": 0}

    db.expire_all()
    (row,) = db.scalars(select(OutboxMessage)).all()
    assert row.delivered_at is not None and row.provider_message_id is None


def test_a_batch_of_receipts_finds_its_messages_by_index_whatever_the_statistics_say(
    db: Session,
) -> None:
    """At the start of a crisis the planner's statistics know only the delivered messages of
    before; the batch must still be read through the indexes, never by a loop over the
    outbox (19-29 s a batch in the load test)."""
    if db.get_bind().dialect.name != "postgresql":
        pytest.skip("PostgreSQL's planner; SQLite updates receipt by receipt")
    _sent(db, "sms", [f"before-{n}" for n in range(20)])
    db.execute(update(OutboxMessage).values(delivered_at=T0))
    db.commit()
    db.execute(text("ANALYZE outbox_message"))  # every SMS delivered, as far as it knows
    db.execute(
        text(
            "INSERT INTO outbox_message (channel, recipient, body, idempotency_key,"
            " provider_message_id, status, sent_at)"
            " SELECT 'sms', 'sealed', 'Gempa', 'crisis:' || n || '\\:sms', 'sms-' || n,"
            " 'sent', now()"
            " FROM generate_series(1, 20000) AS n"
        )
    )
    arrays = {
        "channel": "sms",
        "ids": [f"sms-{n}" for n in range(1, 301)],
        "keys": [f"crisis:{n}:sms" for n in range(1, 301)],
        "delivered": [T0] * 300,
        "read": [None] * 300,
    }
    for statement in (receipts.DELIVERED_PG, receipts.READ_PG):
        plan = db.execute(text("EXPLAIN " + statement.text), arrays).scalars().all()
        assert not [step for step in plan if "Seq Scan on outbox_message" in step], plan
    assert len(db.execute(receipts.DELIVERED_PG, arrays).all()) == 300
