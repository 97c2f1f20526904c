"""The voice webhooks: signatures refused as problem+json, events recorded once each."""

from __future__ import annotations

from fastapi.testclient import TestClient
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from peduli.emergency.models import Emergency
from peduli.notify.models import OutboxMessage
from peduli.voice.models import VoiceCall, VoiceCallEvent
from peduli.voice.platform import WEBHOOK_PATH
from peduli.voice.twiml import SIGNATURE_HEADER
from tests.voice.conftest import KOREAN_CALLER, duty_officer, signed_post

CALL = {"CallSid": "CA0001", "From": KOREAN_CALLER, "To": "+62215000000", "CallStatus": "ringing"}


def _count(db: Session, model: type) -> int:
    return db.scalar(select(func.count()).select_from(model)) or 0


def test_a_webhook_without_a_signature_is_refused_401(client: TestClient, db: Session) -> None:
    answer = client.post(WEBHOOK_PATH, data=CALL)
    assert answer.status_code == 401
    assert answer.headers["content-type"].startswith("application/problem+json")
    assert _count(db, VoiceCall) == 0


def test_a_webhook_with_a_wrong_signature_is_refused_403(client: TestClient, db: Session) -> None:
    signed = signed_post(client, "", CALL).request.headers[SIGNATURE_HEADER]
    tampered = {**CALL, "From": "+821000000000"}
    answer = client.post(WEBHOOK_PATH, data=tampered, headers={SIGNATURE_HEADER: signed})
    assert answer.status_code == 403
    assert answer.json()["code"] == "bad_signature"
    db.expire_all()
    assert _count(db, VoiceCall) == 1, "only the genuine call"


def test_events_delivered_twice_are_recorded_once(client: TestClient, db: Session) -> None:
    duty_officer(db)
    events = [
        ("", CALL),
        ("/gather?step=language&attempt=1", {**CALL, "Digits": "2"}),
        ("/gather?step=kind&attempt=1", {**CALL, "Digits": "1"}),
    ]
    for path, params in events:
        first, again = signed_post(client, path, params), signed_post(client, path, params)
        assert first.text == again.text, "a replay gets the same answer"
    db.expire_all()
    alerts = _count(db, OutboxMessage)
    assert alerts > 0 and (_count(db, VoiceCall), _count(db, Emergency)) == (1, 1)
    db.commit()  # SQLite: a reading transaction would hold the write lock
    hang_up = {**CALL, "CallStatus": "completed"}
    assert [signed_post(client, "/status", hang_up).status_code for _ in "ab"] == [204, 204]
    db.expire_all()
    assert _count(db, VoiceCallEvent) == 4
    assert _count(db, OutboxMessage) == alerts, "no second alert"
    call = db.scalars(select(VoiceCall)).one()
    assert (call.end_reason, call.callback_state) == ("abandoned", "due")


def test_a_menu_left_unanswered_is_asked_again_then_goes_on(
    client: TestClient, db: Session
) -> None:
    duty_officer(db)
    signed_post(client, "", CALL)
    again = signed_post(client, "/gather?step=language&attempt=1", {**CALL, "Digits": ""})
    assert "attempt=2" in again.text and "step=language" in again.text
    on = signed_post(client, "/gather?step=language&attempt=2", {**CALL, "Digits": "9"})
    assert 'language="id-ID"' in on.text and "step=kind" in on.text
    signed_post(client, "/gather?step=kind&attempt=1", {**CALL, "Digits": ""})
    signed_post(client, "/gather?step=kind&attempt=2", {**CALL, "Digits": ""})
    db.expire_all()
    emergency = db.scalars(select(Emergency)).one()
    assert (emergency.kind, emergency.caller_language) == ("other", "id")


def test_a_bad_step_is_a_problem_not_an_error(client: TestClient) -> None:
    answer = signed_post(client, "/gather?step=nowhere", CALL)
    assert answer.status_code == 422
    assert answer.headers["content-type"].startswith("application/problem+json")


def test_a_transfer_reported_after_the_hang_up_still_counts(
    client: TestClient, db: Session
) -> None:
    duty_officer(db)
    signed_post(client, "", CALL)
    signed_post(client, "/gather?step=language&attempt=1", {**CALL, "Digits": "1"})
    signed_post(client, "/gather?step=kind&attempt=1", {**CALL, "Digits": "3"})
    signed_post(client, "/gather?step=connect&attempt=1", {**CALL, "Digits": "1"})
    signed_post(client, "/status", {**CALL, "CallStatus": "completed"})
    db.expire_all()
    assert db.scalars(select(VoiceCall.callback_state)).one() == "due"
    db.commit()
    talked = {**CALL, "DialCallStatus": "completed", "DialCallDuration": "60"}
    signed_post(client, "/dial", talked)
    db.expire_all()
    call = db.scalars(select(VoiceCall)).one()
    assert (call.state, call.end_reason, call.callback_state) == ("ended", "completed", None)
