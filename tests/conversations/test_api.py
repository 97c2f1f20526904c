"""The platforms' webhooks: only genuine ones are read, and a retry is one message."""

from __future__ import annotations

from datetime import UTC, datetime

from fastapi.testclient import TestClient
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from peduli.conversations.models import Conversation, ConversationMessage
from peduli.core.db import utcnow
from peduli.emergency.models import Emergency
from peduli.notify import service as notify_service
from peduli.notify.models import OutboxMessage, OutboxStatus
from tests.conversations.conftest import (
    TELEGRAM_WEBHOOK,
    WEBHOOK,
    post_telegram,
    post_whatsapp,
    telegram_update,
    whatsapp_message,
    whatsapp_payload,
)

SMS_INBOUND = "/api/v1/channels/sms/inbound"
GATEWAY = {"X-Gateway-Token": "sandbox"}


def _messages(db: Session) -> int:
    return db.scalar(select(func.count()).select_from(ConversationMessage)) or 0


def test_a_webhook_with_a_bad_signature_is_refused(client: TestClient, db: Session) -> None:
    payload = whatsapp_payload(whatsapp_message("+821012345678", "Halo"))
    answer = post_whatsapp(client, payload, secret="not-the-app-secret")
    assert answer.status_code == 401
    assert answer.headers["content-type"].startswith("application/problem+json")
    unsigned = client.post(WEBHOOK, json=payload)
    assert unsigned.status_code == 401
    assert _messages(db) == 0


def test_a_webhook_delivered_twice_makes_one_message(client: TestClient, db: Session) -> None:
    payload = whatsapp_payload(whatsapp_message("+821012345678", "Halo, saya butuh paspor"))
    assert post_whatsapp(client, payload).status_code == 200
    assert post_whatsapp(client, payload).status_code == 200
    assert _messages(db) == 1
    conversation = db.scalars(select(Conversation)).one()
    assert conversation.address == "+821012345678"
    assert conversation.representation_code == "kbri-seoul"  # from the phone's country


def test_delivery_statuses_mark_our_messages_delivered(client: TestClient, db: Session) -> None:
    notify_service.enqueue(
        db,
        channel="whatsapp",
        recipient="+821012345678",
        subject="",
        body="Kami sudah menerima pesan Anda.",
        idempotency_key="reply:1",
    )
    db.execute(
        update(OutboxMessage)
        .where(OutboxMessage.idempotency_key == "reply:1")
        .values(status=OutboxStatus.SENT, sent_at=utcnow(), provider_message_id="wamid.ours")
    )
    db.commit()
    delivered = {"id": "wamid.ours", "status": "delivered", "timestamp": "1764979200"}
    payload = whatsapp_payload(statuses=[delivered])
    assert post_whatsapp(client, payload).status_code == 200
    assert _messages(db) == 0, "a receipt is no message of the citizen's"
    db.expire_all()
    row = db.scalars(select(OutboxMessage)).one()
    assert row.delivered_at == datetime.fromtimestamp(1764979200, UTC)


def test_an_sms_that_answers_nothing_lands_in_the_inbox(client: TestClient, db: Session) -> None:
    text = {"sender": "+821012345678", "text": "Paspor saya hilang, bagaimana?", "id": "in-1"}
    assert client.post(SMS_INBOUND, json=text).status_code == 401, "the gateway's token first"
    for _ in range(2):  # the gateway sent it twice
        answer = client.post(SMS_INBOUND, json=text, headers=GATEWAY)
        assert answer.status_code == 201, answer.text
        assert answer.json() == {"outcome": "conversation", "answer": None}
    conversation = db.scalars(select(Conversation)).one()
    assert (conversation.channel, conversation.representation_code) == ("sms", "kbri-seoul")
    assert _messages(db) == 1
    assert db.scalars(select(Emergency)).all() == []


def test_an_sms_sos_from_any_number_opens_an_emergency(client: TestClient, db: Session) -> None:
    text = {"sender": "+821055554444", "text": "TOLONG saya dikurung majikan"}
    answer = client.post(SMS_INBOUND, json=text, headers=GATEWAY)
    assert answer.json()["outcome"] == "conversation"
    emergency = db.scalars(select(Emergency)).one()
    assert (emergency.source, emergency.representation_code) == ("chat", "kbri-seoul")


def test_the_verification_echoes_the_challenge_only_for_our_token(client: TestClient) -> None:
    good = {"hub.mode": "subscribe", "hub.verify_token": "sandbox", "hub.challenge": "1158201444"}
    answer = client.get(WEBHOOK, params=good)
    assert (answer.status_code, answer.text) == (200, "1158201444")
    bad = client.get(WEBHOOK, params=good | {"hub.verify_token": "guess"})
    assert bad.status_code == 403


def test_telegram_needs_the_secret_token(client: TestClient, db: Session) -> None:
    update = telegram_update(5550001, text="Halo")
    assert post_telegram(client, update, secret="wrong").status_code == 401
    assert client.post(TELEGRAM_WEBHOOK, json=update).status_code == 401
    assert post_telegram(client, update).status_code == 200
    assert post_telegram(client, update).status_code == 200
    assert _messages(db) == 1


def test_a_malformed_update_is_a_problem_not_a_crash(client: TestClient) -> None:
    answer = post_whatsapp(client, {"entry": [{"changes": [{"value": {"messages": [42]}}]}]})
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/problem+json")


def test_a_telegram_sos_from_nobody_s_phone_reaches_the_hq_desk(
    client: TestClient, db: Session
) -> None:
    assert post_telegram(client, telegram_update(5550002, text="救命！")).status_code == 200
    emergency = db.scalars(select(Emergency)).one()
    assert (emergency.source, emergency.representation_code) == ("chat", "hq")
    assert db.scalars(select(Conversation.emergency_id)).one() == emergency.id
