"""An SOS word in a chat (WhatsApp, Telegram, SMS) as an emergency, alerted like an SOS.

The conversations domain finds the word, the person and the post, and calls these; the
case, the alerts to the duty officer (in the same transaction, as for the SOS page) and the
escalation are the emergency domain's, through the same ``service.open_emergency``.
"""

from __future__ import annotations

import uuid
from dataclasses import dataclass, replace

from sqlalchemy import update
from sqlalchemy.orm import Session

from peduli.cases import service as cases_service
from peduli.cases.models import Case, EventKind
from peduli.cases.timeline import add_event
from peduli.core.crypto import get_cipher
from peduli.core.db import utcnow
from peduli.emergency import reports, roster, service
from peduli.emergency.models import Emergency, EmergencyKind, EmergencySource
from peduli.emergency.schemas import EmergencyCreate
from peduli.reference.places import directory
from peduli.reference.profile import get_profile
from peduli.reference.representations import Representation


@dataclass(frozen=True)
class ChatSos:
    """What a chat says about the person asking for help."""

    channel: str
    representation_code: str  # a post's code, or the HQ desk's
    phone: str | None
    person_id: uuid.UUID | None
    name: str | None
    latitude: float | None = None
    longitude: float | None = None
    language: str | None = None


def raise_for_chat(session: Session, *, sos: ChatSos) -> Emergency:
    """Open the emergency of a chat SOS: a critical case at the post, its duty officer
    alerted now (step 0 in this transaction, as for the SOS page)."""
    representation = _post_or_hq_desk(sos.representation_code)
    data = EmergencyCreate(
        kind=EmergencyKind.OTHER,
        # The words stay in the conversation (sealed); the case says where to read them.
        details=f"Asked for help in a {sos.channel} chat; the messages are in the chat inbox.",
        latitude=sos.latitude,
        longitude=sos.longitude,
    )
    checked = reports.CheckedReport(
        sos.name, sos.phone, None, representation.country, representation
    )
    return service.open_emergency(
        session,
        data=data,
        checked=checked,
        source=EmergencySource.CHAT,
        actor=None,
        people=(
            cases_service.NewPerson(sos.person_id, None if sos.person_id else sos.name, sos.phone),
        ),
        requester_account_id=None,
        contact_index=get_cipher().blind_index(sos.phone, purpose=service.CONTACT_PURPOSE)
        if sos.phone
        else None,
        now=utcnow(),
        language=sos.language,
    )


def _post_or_hq_desk(code: str) -> Representation:
    """The post of the conversation; a chat no post serves (a number at home, no stay)
    goes to the HQ duty desk, which alerting reaches under its roster code."""
    if code != roster.HQ_DESK:
        return directory().get(code)
    home = get_profile().country
    return replace(directory().all()[0], code=roster.HQ_DESK, name="HQ duty desk", country=home)


def chat_sos_again(session: Session, *, emergency_id: uuid.UUID) -> None:
    """A repeated SOS in the same conversation: on the case's timeline, nobody paged again."""
    emergency = session.get_one(Emergency, emergency_id)
    session.execute(
        update(Emergency)
        .where(Emergency.id == emergency_id)
        .values(repeats=Emergency.repeats + 1)
        .execution_options(synchronize_session=False)
    )
    add_event(
        session,
        session.get_one(Case, emergency.case_id),
        kind=EventKind.NOTE,
        actor=None,
        text="SOS sent again in the chat.",
        data={"emergency_repeat": True},
    )


def place_shared(
    session: Session, *, emergency_id: uuid.UUID, latitude: float, longitude: float
) -> None:
    """A location shared in the chat after its SOS: the emergency's place, on its case."""
    emergency = session.get_one(Emergency, emergency_id)
    add_event(
        session,
        session.get_one(Case, emergency.case_id),
        kind=EventKind.NOTE,
        actor=None,
        text=f"Location: {latitude:.5f}, {longitude:.5f}.",
        data={"emergency_location": {"latitude": latitude, "longitude": longitude}},
    )
