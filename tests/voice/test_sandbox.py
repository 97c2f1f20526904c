"""Scripted calls played by the sandbox platform against the live voice webhook."""

from __future__ import annotations

from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.cases.models import CaseEvent, CasePerson
from peduli.emergency.models import Emergency
from peduli.emergency.voice_calls import CALLBACK_NOTE
from peduli.registry.models import ContactPoint
from peduli.voice.jobs import close_silent_calls
from peduli.voice.models import VoiceCall, VoiceCallEvent
from peduli.voice.sandbox import TelephonySandbox
from peduli.voice.workflow import SILENCE
from tests.outbox import recipients
from tests.voice.conftest import DUTY_PHONE, KOREAN_CALLER, SEOUL, duty_officer, play
from tests.web.officer_support import reported

MANDARIN, DETAINED, CONNECT = "3", "2", "1"


def _call(db: Session) -> VoiceCall:
    db.expire_all()
    return db.scalars(select(VoiceCall)).one()


def test_a_full_call_in_mandarin_is_an_emergency_alerted_in_its_kind_and_language(
    db: Session, telephony: TelephonySandbox
) -> None:
    duty_officer(db)
    played = play(telephony, caller=KOREAN_CALLER, keys=[MANDARIN, DETAINED, CONNECT])
    assert played["pressed"] == [MANDARIN, DETAINED, CONNECT]
    assert played["dialled"] == [DUTY_PHONE]
    spoken = dict(played["said"])
    assert "cmn-CN" in spoken and "id-ID" in spoken and "fr-FR" in spoken
    assert any("被捕或被拘留" in text for language, text in played["said"])
    call = _call(db)
    emergency = db.scalars(select(Emergency)).one()
    assert (emergency.source, emergency.kind, emergency.caller_language) == (
        "voice", "detained", "zh",
    )  # fmt: skip
    assert emergency.representation_code == SEOUL == call.representation_code
    assert "duty@kemlu.example" in recipients(db), "the duty officer is alerted like an SOS"
    assert (call.end_reason, call.callback_state) == ("completed", None)
    assert call.connected_at is not None and call.ended_at is not None
    kinds = set(db.scalars(select(VoiceCallEvent.kind)))
    assert {"ringing", "answered", "dtmf", "transfer", "hangup"} <= kinds


def _people_of_the_case(db: Session, call: VoiceCall) -> list[object]:
    return list(
        db.scalars(
            select(CasePerson.person_id)
            .join(Emergency, Emergency.case_id == CasePerson.case_id)
            .where(Emergency.id == call.emergency_id)
        )
    )


def test_a_verified_phone_shows_the_person(db: Session, telephony: TelephonySandbox) -> None:
    duty_officer(db)
    person_id = reported(db, phone=KOREAN_CALLER)
    play(telephony, caller=KOREAN_CALLER, keys=["1", "1", "2"])
    call = _call(db)
    assert call.person_id == person_id
    assert _people_of_the_case(db, call) == [person_id]


def test_an_unverified_phone_shows_only_a_number(db: Session, telephony: TelephonySandbox) -> None:
    duty_officer(db)
    reported(db, phone=KOREAN_CALLER)
    contact = db.scalars(select(ContactPoint).where(ContactPoint.kind == "phone")).one()
    contact.trusted_at = None  # the number is only claimed: no code came back from it
    db.commit()
    play(telephony, caller=KOREAN_CALLER, keys=["1", "1", "2"])
    call = _call(db)
    assert call.person_id is None
    assert _people_of_the_case(db, call) == [None]


def test_hanging_up_at_the_menu_leaves_a_callback(db: Session, telephony: TelephonySandbox) -> None:
    duty_officer(db)
    played = play(telephony, caller=KOREAN_CALLER, keys=["2"], ending="early")
    assert played["ended"] == "early"
    call = _call(db)
    assert (call.language, call.emergency_id) == ("en", None)
    assert (call.end_reason, call.callback_state) == ("abandoned", "due")


def test_an_unanswered_transfer_leaves_a_missed_callback(
    db: Session, telephony: TelephonySandbox
) -> None:
    duty_officer(db)
    play(telephony, caller=KOREAN_CALLER, keys=["4", "6", CONNECT], officer_answers=False)
    call = _call(db)
    assert (call.end_reason, call.callback_state, call.kind) == ("missed", "due", "accident")
    assert _callback_notes(db, call) == 1


def _callback_notes(db: Session, call: VoiceCall) -> int:
    emergency = db.get_one(Emergency, call.emergency_id)
    notes = db.scalars(
        select(CaseEvent.text).where(
            CaseEvent.case_id == emergency.case_id, CaseEvent.kind == "note"
        )
    )
    return list(notes).count(CALLBACK_NOTE)


def test_a_dropped_line_is_closed_by_the_job_and_called_back(
    db: Session, telephony: TelephonySandbox
) -> None:
    duty_officer(db)
    play(telephony, caller=KOREAN_CALLER, keys=[MANDARIN, DETAINED], ending="drop")
    call = _call(db)
    assert call.ended_at is None, "no hang-up event came: the call is still open"
    assert call.emergency_id is not None, "what the caller said already raised the emergency"
    quiet = call.last_event_at
    assert close_silent_calls(db, quiet + SILENCE - timedelta(seconds=1)) == 0
    assert close_silent_calls(db, quiet + SILENCE) == 1
    db.commit()
    call = _call(db)
    assert (call.end_reason, call.callback_state) == ("dropped", "due")
    assert _callback_notes(db, call) == 1, "the emergency's case says a callback is owed"
    assert close_silent_calls(db, quiet + 2 * SILENCE) == 0


def test_calling_again_joins_the_first_emergency(db: Session, telephony: TelephonySandbox) -> None:
    duty_officer(db)
    play(telephony, caller=KOREAN_CALLER, keys=[MANDARIN, DETAINED], ending="drop")
    alerts = len(recipients(db))
    db.commit()
    play(telephony, caller=KOREAN_CALLER, keys=[MANDARIN, DETAINED, CONNECT])
    db.expire_all()
    emergency = db.scalars(select(Emergency)).one()
    assert emergency.repeats == 1
    calls = db.scalars(select(VoiceCall.emergency_id)).all()
    assert calls == [emergency.id, emergency.id]
    assert len(recipients(db)) == alerts, "the duty officer is not paged twice"
