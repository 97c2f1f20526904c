"""Check-ins: by API, by SMS reply, and the help they open."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select

from peduli.core.db import session_scope
from peduli.crisis import links
from peduli.crisis.models import CheckIn, Recipient
from peduli.crisis.schemas import CheckInRead
from tests.crisis.conftest import Sent
from tests.worker import raise_calls_for_help


def test_api_check_in_with_a_genuine_token_and_not_a_forged_one(sent: Sent) -> None:
    token = sent.tokens[sent.phones[0]]
    answer = {
        "token": token,
        "answer": "need_help",
        "latitude": 3.1,
        "longitude": 101.6,
        "note": "Rumah rusak",
    }
    done = sent.client.post("/api/v1/crises/check-ins", json=answer)
    assert done.status_code == 201, done.text
    assert done.json()["answer"] == "need_help"
    CheckInRead.model_validate(done.json())  # served pre-serialised, still the documented shape
    recipient_id = links.read_token(token)
    assert recipient_id is not None
    other = links.token_for(recipient_id + 1)[: -links.SIGNATURE_CHARS]
    forged = sent.client.post(
        "/api/v1/crises/check-ins",
        json=answer | {"token": other + token[-links.SIGNATURE_CHARS :]},
    )
    assert forged.status_code == 404
    half = sent.client.post("/api/v1/crises/check-ins", json=answer | {"longitude": None})
    assert half.status_code == 422
    with session_scope() as db:
        assert db.scalar(select(func.count()).select_from(CheckIn)) == 1


def test_sms_replies_match_the_latest_broadcast_by_phone(sent: Sent) -> None:
    gateway = {"X-Gateway-Token": "sandbox"}
    reply = {"sender": sent.phones[1], "text": "tolong air naik"}
    assert sent.client.post("/api/v1/channels/sms/inbound", json=reply).status_code == 401
    done = sent.client.post("/api/v1/channels/sms/inbound", json=reply, headers=gateway)
    assert done.status_code == 201, done.text
    assert done.json()["answer"] == "need_help"
    safe = sent.client.post(
        "/api/v1/channels/sms/inbound",
        json={"sender": sent.phones[1], "text": "AMAN"},
        headers=gateway,
    )
    assert safe.json()["answer"] == "safe"
    unknown = sent.client.post(
        "/api/v1/channels/sms/inbound",
        json={"sender": sent.phones[1], "text": "hello"},
        headers=gateway,
    )
    assert unknown.json() == {"outcome": "conversation", "answer": None}  # for the inbox
    stranger = sent.client.post(
        "/api/v1/channels/sms/inbound",
        json={"sender": "+15550000000", "text": "SAFE"},
        headers=gateway,
    )
    assert stranger.json()["outcome"] == "conversation"  # not a check-in of anyone's
    with session_scope() as db:
        answers = db.scalars(select(Recipient.answer).where(Recipient.answer.is_not(None))).all()
        assert answers == ["safe"]
        note = db.scalar(select(CheckIn.note).where(CheckIn.answer == "need_help"))
        assert note == "air naik"


def test_need_help_opens_one_critical_case_per_person(sent: Sent) -> None:
    from peduli.cases.models import Case, CasePerson

    token = sent.tokens[sent.phones[1]]
    for note in ("Air naik sampai dada", "Masih menunggu"):
        answer = {"token": token, "answer": "need_help", "note": note, "place": "Klang"}
        assert sent.client.post("/api/v1/crises/check-ins", json=answer).status_code == 201
    sent.client.post("/api/v1/crises/check-ins", json={"token": token, "answer": "safe"})
    with session_scope() as db:
        assert db.scalar(select(func.count()).select_from(Case)) == 0  # the worker opens it
    assert raise_calls_for_help() == 2
    assert raise_calls_for_help() == 0  # each call is raised once
    with session_scope() as db:
        cases = db.scalars(select(Case)).all()
        assert len(cases) == 1
        case = cases[0]
        assert case.category == "disaster_conflict" and case.subcategory == "natural_disaster"
        assert case.representation_code == "kbri-kuala-lumpur" and case.danger_to_life
        assert case.intake_channel == "emergency" and "Air naik sampai dada" in case.summary
        linked = db.scalars(select(CheckIn.case_id).where(CheckIn.answer == "need_help")).all()
        assert linked == [case.id, case.id]
        named = db.scalar(select(CasePerson.name).where(CasePerson.case_id == case.id))
        assert named == "Budi Santoso"


def _duty(post: str, name: str, *, rank: int = 0, phone: str | None = None) -> None:
    """A real officer of ``post`` on duty now (rank 0: the first alerted)."""
    from peduli.auth.actor import Role
    from tests.emergency.conftest import on_duty_now, staff_actor

    with session_scope() as db:
        on_duty_now(db, staff_actor(db, Role.OFFICER, post, name), rank=rank, phone=phone)


def _alerts(db: object) -> list[tuple[str, str]]:
    """(channel, recipient) of every emergency alert in the outbox, sorted."""
    from sqlalchemy.orm import Session

    from peduli.notify.models import MessagePriority, OutboxMessage
    from tests.outbox import opened

    assert isinstance(db, Session)
    rows = db.scalars(
        select(OutboxMessage).where(OutboxMessage.priority == MessagePriority.EMERGENCY_ALERT)
    )
    return sorted((m.channel, opened(m)) for m in rows)


def _worker_alerts_pending(db: object) -> int:
    """What the worker's every-second task does: step 0 of the calls for help recorded."""
    from peduli.core.db import utcnow
    from peduli.emergency import alerting

    return alerting.alert_pending_calls(db, utcnow())  # type: ignore[arg-type]


def test_need_help_by_link_api_and_sms_alerts_the_duty_officer_like_an_sos(sent: Sent) -> None:
    from peduli.cases.models import Case
    from peduli.emergency.models import CRISIS_HELP_KIND, Emergency

    _duty("kbri-kuala-lumpur", "duty-kl", phone="+60123456789")
    _duty("kjri-johor-bahru", "duty-jb")
    by_link = sent.client.post(
        f"/c/{sent.tokens[sent.phones[0]]}", data={"answer": "need_help", "note": "Atap runtuh"}
    )
    assert by_link.status_code == 200, by_link.text
    by_api = sent.client.post(
        "/api/v1/crises/check-ins",
        json={"token": sent.tokens[sent.phones[1]], "answer": "need_help"},
    )
    assert by_api.status_code == 201, by_api.text
    by_sms = sent.client.post(
        "/api/v1/channels/sms/inbound",
        json={"sender": sent.phones[2], "text": "TOLONG banjir"},
        headers={"X-Gateway-Token": "sandbox"},
    )
    assert by_sms.status_code == 201, by_sms.text
    assert raise_calls_for_help() == 3
    with session_scope() as db:
        emergencies = db.scalars(select(Emergency).order_by(Emergency.created_at)).all()
        assert [(e.source, e.kind) for e in emergencies] == [("crisis", CRISIS_HELP_KIND)] * 3
        posts = [e.representation_code for e in emergencies]
        assert posts == ["kbri-kuala-lumpur", "kbri-kuala-lumpur", "kjri-johor-bahru"]
        for emergency in emergencies:
            case = db.get_one(Case, emergency.case_id)
            assert case.reference == emergency.case_reference and case.danger_to_life
            assert emergency.ack_due_at is not None and emergency.acknowledged_at is None
        linked = db.scalars(select(CheckIn.case_id).order_by(CheckIn.created_at)).all()
        assert linked == [e.case_id for e in emergencies]
        assert _alerts(db) == []  # the check-in only records the call: the worker alerts
        assert _worker_alerts_pending(db) == 3
        assert _worker_alerts_pending(db) == 0  # each call's step 0 is taken once
        assert _alerts(db) == [
            ("email", "duty-jb@kemlu.example"),
            ("email", "duty-kl@kemlu.example"),
            ("email", "duty-kl@kemlu.example"),
            ("sms", "+60123456789"),
            ("sms", "+60123456789"),
        ]


def test_a_second_need_help_adds_to_the_case_and_pages_nobody_again(sent: Sent) -> None:
    from peduli.cases.models import CaseEvent
    from peduli.emergency.models import Emergency

    _duty("kbri-kuala-lumpur", "duty-kl", phone="+60123456789")
    token = sent.tokens[sent.phones[0]]
    first = {"token": token, "answer": "need_help", "note": "Air naik"}
    assert sent.client.post("/api/v1/crises/check-ins", json=first).status_code == 201
    raise_calls_for_help()
    with session_scope() as db:
        _worker_alerts_pending(db)
        paged = _alerts(db)
    assert len(paged) == 2
    again = sent.client.post(
        "/api/v1/channels/sms/inbound",
        json={"sender": sent.phones[0], "text": "HELP still waiting on the roof"},
        headers={"X-Gateway-Token": "sandbox"},
    )
    assert again.status_code == 201, again.text
    assert raise_calls_for_help() == 1
    with session_scope() as db:
        assert _worker_alerts_pending(db) == 0
        assert _alerts(db) == paged
        emergency = db.scalars(select(Emergency)).one()
        assert emergency.repeats == 1
        notes = db.scalars(
            select(CaseEvent.text).where(CaseEvent.case_id == emergency.case_id)
        ).all()
        assert "Asked for help again: still waiting on the roof" in notes


def test_an_unacknowledged_call_for_help_in_a_crisis_escalates(sent: Sent) -> None:
    from datetime import timedelta

    from peduli.emergency import alerting
    from peduli.emergency.models import Emergency

    _duty("kbri-kuala-lumpur", "duty-kl")
    _duty("kbri-kuala-lumpur", "backup-kl", rank=1)
    answer = {"token": sent.tokens[sent.phones[1]], "answer": "need_help"}
    assert sent.client.post("/api/v1/crises/check-ins", json=answer).status_code == 201
    raise_calls_for_help()
    with session_scope() as db:
        created = db.scalars(select(Emergency.created_at)).one()
        # Step 1 never overtakes the step 0 the worker still owes.
        assert alerting.escalate_unacknowledged(db, created + timedelta(minutes=11)) == 0
        assert _worker_alerts_pending(db) == 1
        assert alerting.escalate_unacknowledged(db, created + timedelta(minutes=9)) == 0
        assert alerting.escalate_unacknowledged(db, created + timedelta(minutes=11)) == 1
    with session_scope() as db:
        assert db.scalars(select(Emergency.escalation_level)).one() == 1
        assert _alerts(db) == [
            ("email", "backup-kl@kemlu.example"),
            ("email", "duty-kl@kemlu.example"),
        ]


def test_two_workers_raising_two_first_calls_for_help_at_once_open_one_case_and_page_once(
    sent: Sent,
) -> None:
    import threading

    from peduli.crisis import checkins
    from peduli.crisis.models import Answer
    from peduli.emergency.models import Emergency

    _duty("kbri-kuala-lumpur", "duty-kl", phone="+60123456789")
    with session_scope() as db:
        person = db.scalar(select(Recipient.person_id).where(Recipient.id == 1))
        recipient_id = db.scalar(select(Recipient.id).where(Recipient.person_id == person))
        assert recipient_id is not None
        for _ in range(2):
            checkins.record(db, recipient_id=recipient_id, answer=Answer.NEED_HELP, via="api")
    barrier, failures, raised = threading.Barrier(2), [], []

    def work() -> None:
        try:
            barrier.wait(timeout=10)
            raised.append(raise_calls_for_help())
        except Exception as error:
            failures.append(error)

    threads = [threading.Thread(target=work) for _ in range(2)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == [] and sum(raised) == 2
    with session_scope() as db:
        assert db.scalar(select(func.count()).select_from(Emergency)) == 1
        cases = db.scalars(select(CheckIn.case_id).where(CheckIn.person_id == person)).all()
        assert len(cases) == 2 and len(set(cases)) == 1 and None not in cases
        assert _worker_alerts_pending(db) == 1
        assert len(_alerts(db)) == 2  # one email and one SMS to the officer on duty


def test_a_call_for_help_that_cannot_be_raised_waits_without_holding_back_the_others(
    sent: Sent, monkeypatch: pytest.MonkeyPatch
) -> None:
    from peduli.cases.models import Case
    from peduli.crisis import checkins

    stuck = {"token": sent.tokens[sent.phones[0]], "answer": "need_help", "note": "Atap"}
    other = {"token": sent.tokens[sent.phones[1]], "answer": "need_help", "note": "Air"}
    for answer in (stuck, other):
        assert sent.client.post("/api/v1/crises/check-ins", json=answer).status_code == 201
    with session_scope() as db:
        stuck_recipient = db.scalar(select(CheckIn.recipient_id).where(CheckIn.note == "Atap"))
    opening = checkins._case_for

    def failing_for_one(session: object, recipient_id: int, **given: object) -> object:
        if recipient_id == stuck_recipient:
            raise RuntimeError("the case machinery failed")
        return opening(session, recipient_id, **given)  # type: ignore[arg-type]

    monkeypatch.setattr(checkins, "_case_for", failing_for_one)
    assert raise_calls_for_help() == 1
    with session_scope() as db:
        waiting = db.scalars(select(CheckIn.note).where(CheckIn.help_raised_at.is_(None))).all()
        assert waiting == ["Atap"] and db.scalar(select(func.count()).select_from(Case)) == 1
    monkeypatch.setattr(checkins, "_case_for", opening)
    assert raise_calls_for_help() == 1  # tried again at the next turn
