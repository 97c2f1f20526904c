"""A call to the voice line as an emergency: alerted and escalated like an SOS.

The voice domain runs the call (menu, transfer, callbacks) and calls this once the caller
has said what happened; the case, the alerts to the duty officer and the escalation are the
emergency domain's, exactly as for an SOS. The caller is linked to a person only through a
verified phone of the registry (the voice domain looks it up); an unverified number stays a
number.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from peduli.cases import service as cases_service
from peduli.cases.models import Case, EventKind
from peduli.cases.timeline import add_event, add_event_to_each
from peduli.core.crypto import get_cipher
from peduli.emergency import reports, service, texts
from peduli.emergency.models import Emergency, EmergencyKind, EmergencySource
from peduli.emergency.schemas import EmergencyCreate
from peduli.reference.places import country_name, directory

SUMMARY_LANGUAGE = service.SUMMARY_LANGUAGE
CALLBACK_NOTE = (
    "The voice call ended before an officer spoke with the caller: call them back "
    "(Calls to return)."
)


@dataclass(frozen=True)
class VoiceCaller:
    """What the voice line knows of a call when the caller has said what happened."""

    number: str | None  # E.164, or None when withheld
    person_id: uuid.UUID | None  # only from a verified phone
    country: str  # where the call is placed (the person's stay, or the number's country)
    representation_code: str
    language: str
    kind: EmergencyKind
    rang_at: datetime


def _summary(caller: VoiceCaller) -> str:
    country = country_name(caller.country, SUMMARY_LANGUAGE)
    kind = texts.kind_name(caller.kind, SUMMARY_LANGUAGE)
    return f"Emergency: {kind}, by a call to the voice line (caller's country: {country})."


def open_for_call(session: Session, *, caller: VoiceCaller, now: datetime) -> Emergency:
    """A critical case and its emergency for a call, the duty officer alerted (step 0); the
    call's times, language and menu choice go on the case timeline as a call. A call from
    the number of a recent emergency (SOS or call) joins it, as a repeated SOS does: a
    caller whose line dropped and who calls again is not paged twice."""
    contact_index = (
        get_cipher().blind_index(caller.number, purpose=service.CONTACT_PURPOSE)
        if caller.number
        else None
    )
    earlier = service.repeat_of(session, contact_index, now) if contact_index else None
    if earlier is not None:
        session.execute(
            update(Emergency)
            .where(Emergency.id == earlier.id)
            .values(repeats=Emergency.repeats + 1)
            .execution_options(synchronize_session=False)
        )
        _call_on_timeline(session, earlier, caller, now, again=True)
        return earlier
    representation = directory().get(caller.representation_code)
    data = EmergencyCreate.model_validate({"kind": caller.kind.value, "country": caller.country})
    checked = reports.CheckedReport(None, caller.number, None, caller.country, representation)
    emergency = service.open_emergency(
        session,
        data=data,
        checked=checked,
        source=EmergencySource.VOICE,
        actor=None,
        people=(cases_service.NewPerson(caller.person_id, None, caller.number),),
        requester_account_id=None,
        contact_index=contact_index,
        now=now,
        language=caller.language,
        summary=_summary(caller),
    )
    _call_on_timeline(session, emergency, caller, now, again=False)
    return emergency


def _call_on_timeline(
    session: Session, emergency: Emergency, caller: VoiceCaller, now: datetime, *, again: bool
) -> None:
    """The call on the case's timeline: when it rang, the menu's language, what was pressed."""
    lead = "Called the voice line again" if again else "Voice line"
    add_event(
        session,
        session.get_one(Case, emergency.case_id),
        kind=EventKind.CALL,
        actor=None,
        at=now,
        text=f"{lead}: rang at {caller.rang_at:%H:%M:%S} UTC, menu in {caller.language}, "
        f"what happened: {texts.kind_name(caller.kind, SUMMARY_LANGUAGE)}.",
        data={"voice_call": True, "language": caller.language, "kind": caller.kind.value,
              "repeat": again},
    )  # fmt: skip


def callbacks_due(session: Session, *, emergency_ids: Sequence[uuid.UUID], at: datetime) -> None:
    """Note on the case of each emergency that its call ended before an officer spoke with
    the caller, so whoever opens the case knows a callback is owed (one INSERT … SELECT)."""
    if not emergency_ids:
        return
    add_event_to_each(
        session,
        select(Emergency.case_id).where(Emergency.id.in_(list(emergency_ids))),
        kind=EventKind.NOTE,
        at=at,
        text=CALLBACK_NOTE,
        data={"voice_callback_due": True},
    )
