"""The voice line's use cases: each platform event moves a call on and says what to do next.

Every event is recorded once (``VoiceCallEvent``, keyed per call), and the call row is
changed only by the first delivery of an event; a repeated webhook gets the same answer
and changes nothing. The call is created by whichever of its events comes first, so a lost
"incoming" or a status arriving early still builds one call. Services never commit.
"""

from __future__ import annotations

import uuid
from datetime import datetime, timedelta

import phonenumbers
from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.core.config import get_settings
from peduli.core.db import insert_on_conflict, is_postgres
from peduli.core.i18n import DEFAULT_LANGUAGE
from peduli.emergency import roster, voice_calls
from peduli.emergency.models import Emergency, EmergencyKind
from peduli.reference.places import directory
from peduli.reference.representations import Representation
from peduli.registry import repository as registry_repository
from peduli.voice import ivr, workflow
from peduli.voice.ivr import Step
from peduli.voice.models import VoiceCall, VoiceCallEvent
from peduli.voice.ports import Hangup, Instruction
from peduli.voice.schemas import CallEvent
from peduli.voice.workflow import CallbackState, CallState, EndReason

# The platform's final call statuses: the line is down, whoever hung up.
FINAL_STATUSES = frozenset({"completed", "busy", "failed", "no-answer", "canceled"})


def incoming(session: Session, *, event: CallEvent, now: datetime) -> list[Instruction]:
    """A call rings on the line: answer it with the language menu."""
    call = _call(session, event, now)
    if _recorded(session, call, key="incoming", kind="answered", now=now):
        call.answered_at = call.answered_at or now
        if call.state == CallState.RINGING:
            call.state = CallState.MENU
    return [Hangup()] if call.ended_at else ivr.language_menu()


def gathered(
    session: Session, *, event: CallEvent, step: Step, attempt: int, now: datetime
) -> list[Instruction]:
    """The keys pressed at a menu (or none): the next menu, the emergency, or the officer."""
    call = _call(session, event, now)
    first = _recorded(session, call, key=f"gather:{step}:{attempt}", kind="dtmf", now=now,
                      digits=event.digits)  # fmt: skip
    if call.ended_at is not None:
        return [Hangup()]
    if step == Step.LANGUAGE:
        return _chose_language(call, event.digits, attempt, first=first)
    if step == Step.KIND:
        return _chose_kind(session, call, event.digits, attempt, now=now, first=first)
    language = call.language or DEFAULT_LANGUAGE
    if event.digits != ivr.CONNECT_KEY:
        return ivr.call_back_later(language)
    phone = duty_phone(session, call.representation_code, now)
    if first and phone is not None:
        call.state = CallState.CONNECTING
    return ivr.connect(language, phone)


def _chose_language(
    call: VoiceCall, digits: str, attempt: int, *, first: bool
) -> list[Instruction]:
    chosen = ivr.LANGUAGE_KEYS.get(digits)
    if chosen is None and attempt < ivr.TRIES:
        return ivr.language_menu(attempt + 1)
    if first:
        call.language = chosen or DEFAULT_LANGUAGE
    return ivr.kind_menu(call.language or DEFAULT_LANGUAGE)


def _chose_kind(
    session: Session, call: VoiceCall, digits: str, attempt: int, *, now: datetime, first: bool
) -> list[Instruction]:
    language = call.language or DEFAULT_LANGUAGE
    kind = ivr.KIND_KEYS.get(digits)
    if kind is None and attempt < ivr.TRIES:
        return ivr.kind_menu(language, attempt + 1)
    if first and call.emergency_id is None:
        call.kind, call.language = (kind or EmergencyKind.OTHER).value, language
        call.emergency_id = _raise_emergency(session, call, kind or EmergencyKind.OTHER, now).id
    return ivr.connect_offer(language)


def _raise_emergency(
    session: Session, call: VoiceCall, kind: EmergencyKind, now: datetime
) -> Emergency:
    representation = directory().get(call.representation_code)
    return voice_calls.open_for_call(
        session,
        caller=voice_calls.VoiceCaller(
            number=call.caller_number,
            person_id=call.person_id,
            country=_country_for(call.caller_number, representation),
            representation_code=call.representation_code,
            language=call.language or DEFAULT_LANGUAGE,
            kind=kind,
            rang_at=call.started_at,
        ),
        now=now,
    )


def dialled(session: Session, *, event: CallEvent, now: datetime) -> list[Instruction]:
    """The transfer to the duty officer ended: talked, or nobody picked up."""
    call = _call(session, event, now)
    talked = event.dial_status == "completed"
    if _recorded(session, call, key="dial", kind="transfer", now=now):
        if talked:
            call.connected_at = now - timedelta(seconds=event.dial_seconds)
        else:
            call.end_reason = EndReason.MISSED.value
        if call.ended_at is None:
            call.state = CallState.CONNECTED if talked else CallState.MENU
        else:  # the hang-up came first (events may arrive out of order): settle it again
            _settle(session, call, call.ended_at, dropped=call.end_reason == EndReason.DROPPED)
    language = call.language or DEFAULT_LANGUAGE
    return ivr.goodbye(language) if talked else ivr.call_back_later(language)


def status_changed(session: Session, *, event: CallEvent, now: datetime) -> None:
    """The platform's status callback: ringing, in progress, or the line down (hang-up)."""
    call = _call(session, event, now)
    status = event.status or "unknown"
    final = status in FINAL_STATUSES
    kind = "hangup" if final else status[:16]
    if _recorded(session, call, key=f"status:{status}", kind=kind, now=now) and final:
        end(session, call, now, dropped=False)


def end(session: Session, call: VoiceCall, now: datetime, *, dropped: bool) -> None:
    """Close a call; a call no officer spoke in becomes a callback task."""
    if call.ended_at is None:
        _settle(session, call, now, dropped=dropped)


def _settle(session: Session, call: VoiceCall, ended_at: datetime, *, dropped: bool) -> None:
    """Why the call ended and whether it leaves a callback, from what its events showed so
    far; a callback an officer already answered stays answered."""
    connected = call.connected_at is not None
    reason = (
        EndReason.MISSED
        if call.end_reason == EndReason.MISSED and not connected
        else workflow.end_reason(connected=connected, dropped=dropped)
    )
    callback = workflow.callback_after(reason)
    call.ended_at, call.state, call.end_reason = ended_at, CallState.ENDED, reason.value
    if call.callback_state in (None, CallbackState.DUE):
        newly_due = callback is not None and call.callback_state is None
        call.callback_state = callback.value if callback else None
        if newly_due and call.emergency_id is not None:
            voice_calls.callbacks_due(session, emergency_ids=[call.emergency_id], at=ended_at)


def duty_phone(session: Session, representation_code: str, now: datetime) -> str | None:
    """The duty phone to connect a caller to: the post's first shift on duty with one, else
    the HQ duty desk's."""
    for code in (representation_code, roster.HQ_DESK):
        for shift in roster.on_duty(session, representation_code=code, now=now):
            if shift.shift.phone:
                return shift.shift.phone
    return None


def _call(session: Session, event: CallEvent, now: datetime) -> VoiceCall:
    """The call this event is about, created by its first event (locked on PostgreSQL, so
    two events of one call at once take turns)."""
    found = _locked(session, event.call_id)
    if found is not None:
        return found
    number = caller_number(event.caller)
    holder = registry_repository.verified_phone_holder(session, number) if number else None
    session.execute(
        insert_on_conflict(session, VoiceCall)
        .values(
            id=uuid.uuid4(),
            platform_call_id=event.call_id,
            caller_number=number,
            representation_code=_post_of(number, holder),
            person_id=holder.person_id if holder else None,
            state=CallState.RINGING.value,
            started_at=now,
            last_event_at=now,
        )
        .on_conflict_do_nothing(index_elements=["platform_call_id"])
    )
    created = _locked(session, event.call_id)
    assert created is not None
    return created


def _locked(session: Session, platform_call_id: str) -> VoiceCall | None:
    query = select(VoiceCall).where(VoiceCall.platform_call_id == platform_call_id)
    if is_postgres(session):
        query = query.with_for_update()
    return session.scalar(query.execution_options(populate_existing=True))


def _recorded(
    session: Session, call: VoiceCall, *, key: str, kind: str, now: datetime, digits: str = ""
) -> bool:
    """Record one event of ``call``; False when this event was recorded before."""
    new = session.execute(
        insert_on_conflict(session, VoiceCallEvent)
        .values(id=uuid.uuid4(), call_id=call.id, event_key=key[:40], kind=kind,
                digits=digits or None, at=now)
        .on_conflict_do_nothing(index_elements=["call_id", "event_key"])
        .returning(VoiceCallEvent.id)
    ).first()  # fmt: skip
    if new is not None:
        call.last_event_at = now
    return new is not None


def caller_number(raw: str | None) -> str | None:
    """The caller's number in E.164, or None when withheld or not a phone number."""
    try:
        parsed = phonenumbers.parse(raw or "", None)
    except phonenumbers.NumberParseException:
        return None
    if not phonenumbers.is_valid_number(parsed):
        return None
    return phonenumbers.format_number(parsed, phonenumbers.PhoneNumberFormat.E164)


def _country_of(number: str | None) -> str | None:
    return phonenumbers.region_code_for_number(phonenumbers.parse(number)) if number else None


def _country_for(number: str | None, representation: Representation) -> str:
    """Where the caller is, as far as the call tells: the number's country when the post
    serves it, else the post's own country."""
    country = _country_of(number)
    return country if country in representation.countries else representation.country


def _post_of(number: str | None, holder: registry_repository.PhoneHolder | None) -> str:
    """The post that takes the call: where the caller's verified record says they stay,
    else the post serving the number's country, else the line's default post."""
    if holder is not None and holder.representation_code:
        return holder.representation_code
    country = _country_of(number)
    served = directory().resolve(country=country) if country else None
    return served.code if served else get_settings().voice_default_representation
