"""Emergency use-cases: an SOS, a hotline call, acknowledging, and the lists of them.

Every emergency becomes a critical case through the cases intake (channel ``emergency``,
danger to life) in the representation serving where the person is, and alerts the officer
on duty in the same transaction (``alerting``). A repeat from the same call-back number
while the first is recent joins it instead of being refused: a person who presses "send"
again on a bad connection is never blocked. Services never commit.
"""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from peduli.auth import audit
from peduli.auth.actor import Actor, Role
from peduli.cases import casework, taxonomy
from peduli.cases import service as cases_service
from peduli.cases.models import Case, EventKind, IntakeChannel, Visibility
from peduli.cases.timeline import add_event
from peduli.core import ratelimit
from peduli.core.crypto import get_cipher
from peduli.core.db import utcnow
from peduli.core.errors import (
    Forbidden,
    NotFound,
)
from peduli.core.i18n import LANGUAGES, _
from peduli.emergency import access, alerting, reports, repository, roster, texts, workflow
from peduli.emergency.models import Emergency, EmergencyKind, EmergencySource
from peduli.emergency.schemas import EmergencyCreate, HotlineCallCreate
from peduli.emergency.texts import Caller
from peduli.reference.places import country_name, directory
from peduli.reference.representations import Representation
from peduli.registry.models import Person

REPEAT_WINDOW = timedelta(hours=2)
SUMMARY_LANGUAGE = "en"
PER_IP_PER_HOUR = 10
PER_CONTACT_PER_DAY = 5
HOUR, DAY = 3600, 86400
CONTACT_PURPOSE = "emergency_contact"

# What happened → the case category it is filed under (all critical: danger to life).
CATEGORY_OF: dict[EmergencyKind, tuple[str, str | None]] = {
    EmergencyKind.VIOLENCE: ("labour", "employer_abuse"),
    EmergencyKind.DETAINED: ("detention", None),
    EmergencyKind.TRAFFICKING: ("trafficking", None),
    EmergencyKind.HOSTAGE: ("hostage", None),
    EmergencyKind.SCAM_COMPOUND: ("online_scam", "scam_compound"),
    EmergencyKind.ACCIDENT: ("illness_death", "illness"),
    EmergencyKind.DISASTER: ("disaster_conflict", None),
    EmergencyKind.OTHER: ("illness_death", None),
}


@dataclass(frozen=True)
class Reported:
    emergency: Emergency
    representation: Representation
    repeat: bool


def _person_name(session: Session, actor: Actor | None) -> str | None:
    if actor is None or actor.person_id is None:
        return None
    return session.scalar(select(Person.full_name).where(Person.id == actor.person_id))


def citizen_name(session: Session, actor: Actor | None) -> str | None:
    """A signed-in citizen's name from their record, to prefill the SOS form."""
    return _person_name(session, actor)


def _summary(data: EmergencyCreate, checked: reports.CheckedReport, kind: EmergencyKind) -> str:
    """The case's summary, in English like the platform's other stored notes, with the kind
    and the country by name (a case screen never shows "(detained)" or "KR")."""
    country = country_name(checked.country, SUMMARY_LANGUAGE) if checked.country else None
    place = ", ".join(p for p in (data.city, country) if p) or "an unknown place"
    lines = [f"Emergency: {texts.kind_name(kind, SUMMARY_LANGUAGE)}, in {place}."]
    if data.latitude is not None and data.longitude is not None:
        lines.append(f"Location: {data.latitude:.5f}, {data.longitude:.5f}.")
    if checked.whatsapp:
        lines.append(f"WhatsApp: {checked.whatsapp}.")
    if data.details:
        lines.append(data.details)
    return "\n".join(lines)


def repeat_of(session: Session, contact_index: str, now: datetime) -> Emergency | None:
    """The latest emergency from this call-back number (blind index) within the repeat
    window, which a new call for help joins instead of paging again."""
    return session.scalar(
        select(Emergency)
        .where(
            Emergency.contact_index == contact_index,
            Emergency.created_at >= now - REPEAT_WINDOW,
        )
        .order_by(Emergency.created_at.desc())
        .limit(1)
    )


def _join_repeat(
    session: Session, emergency: Emergency, data: EmergencyCreate, actor: Actor | None
) -> None:
    session.execute(
        update(Emergency)
        .where(Emergency.id == emergency.id)
        .values(repeats=Emergency.repeats + 1)
        .execution_options(synchronize_session=False)
    )
    case = session.get_one(Case, emergency.case_id)
    add_event(
        session,
        case,
        kind=EventKind.NOTE,
        actor=actor,
        text="SOS sent again" + (f": {data.details}" if data.details else "."),
        data={"emergency_repeat": True},
    )
    session.refresh(emergency)


def _limit(session: Session, *, ip: str, contact_index: str) -> None:
    ratelimit.hit(session, key=f"sos:ip:{ip}", limit=PER_IP_PER_HOUR, window_seconds=HOUR)
    ratelimit.hit(
        session, key=f"sos:contact:{contact_index}", limit=PER_CONTACT_PER_DAY, window_seconds=DAY
    )


def report_emergency(
    session: Session,
    *,
    data: EmergencyCreate,
    actor: Actor | None,
    ip: str,
    language: str | None = None,
) -> Reported:
    """A citizen's SOS: a critical case in the right representation, the duty officer alerted.

    ``language`` is the one the person asked for help in (the page's or the app's): the
    alerts tell the duty officer which language to call back in."""
    if actor is not None and actor.role != Role.CITIZEN:
        raise Forbidden(
            _("Staff record emergencies with POST /api/v1/emergencies/calls."),
            code="citizens_only",
        )
    checked = reports.check(data, need_name=actor is None or actor.person_id is None)
    callback = checked.phone or checked.whatsapp
    assert callback is not None
    contact_index = get_cipher().blind_index(callback, purpose=CONTACT_PURPOSE)
    now = utcnow()
    earlier = repeat_of(session, contact_index, now)
    if earlier is not None:
        _join_repeat(session, earlier, data, actor)
        return Reported(earlier, directory().get(earlier.representation_code), repeat=True)
    _limit(session, ip=ip, contact_index=contact_index)
    person_id = actor.person_id if actor is not None else None
    name = checked.name or _person_name(session, actor)
    emergency = open_emergency(
        session,
        data=data,
        checked=checked,
        source=EmergencySource.SOS,
        actor=actor,
        people=(cases_service.NewPerson(person_id, None if person_id else name, callback),),
        requester_account_id=actor.account_id if actor is not None else None,
        contact_index=contact_index,
        now=now,
        language=language if language in LANGUAGES else None,
    )
    return Reported(emergency, checked.representation, repeat=False)


def record_hotline_call(session: Session, *, data: HotlineCallCreate, actor: Actor) -> Reported:
    """An emergency an officer took by phone: the same critical case, the call on its timeline."""
    access.require_responder(session, actor, action="emergency.hotline_call")
    checked = reports.check(data, need_name=True)
    code = data.representation_code or actor.representation_code
    if not access.acts_for_post(actor, code):
        raise Forbidden(
            _("Officers record calls for their own representation only."), code="other_post"
        )
    representation = directory().get(code) if code else checked.representation
    checked = reports.CheckedReport(checked.name, checked.phone, checked.whatsapp, checked.country,
                       representation)  # fmt: skip
    callback = checked.phone or checked.whatsapp
    now = utcnow()
    emergency = open_emergency(
        session,
        data=data,
        checked=checked,
        source=EmergencySource.HOTLINE,
        actor=actor,
        people=(cases_service.NewPerson(None, checked.name, callback),),
        requester_account_id=None,
        contact_index=get_cipher().blind_index(callback, purpose=CONTACT_PURPOSE)
        if callback
        else None,
        now=now,
        language=data.language,
    )
    case = session.get_one(Case, emergency.case_id)
    add_event(session, case, kind=EventKind.CALL, actor=actor, text=data.call_notes,
              data={"emergency_call": "hotline"}, at=now)  # fmt: skip
    return Reported(emergency, representation, repeat=False)


def open_emergency(
    session: Session,
    *,
    data: EmergencyCreate,
    checked: reports.CheckedReport,
    source: EmergencySource,
    actor: Actor | None,
    people: tuple[cases_service.NewPerson, ...],
    requester_account_id: uuid.UUID | None,
    contact_index: str | None,
    now: datetime,
    language: str | None = None,
    summary: str | None = None,
) -> Emergency:
    """The critical case and its emergency, the duty officer alerted (step 0) in this
    transaction, for every door: the SOS, a hotline call, a voice call, an SOS word in a chat;
    ``summary`` replaces the one written from the report (a voice call has its own)."""
    category_code, subcategory = CATEGORY_OF[data.kind]
    category = taxonomy.load().get(category_code)
    assert category is not None
    case = cases_service.intake_case(
        session,
        intake=cases_service.Intake(
            category=category,
            subcategory=subcategory,
            summary=summary or _summary(data, checked, data.kind),
            representation_code=checked.representation.code,
            channel=IntakeChannel.EMERGENCY,
            danger_to_life=True,
            people=people,
            contact_phone=checked.phone or checked.whatsapp,
            contact_country=checked.country,
            contact_city=data.city,
            requester_account_id=requester_account_id,
        ),
        actor=actor,
    )
    emergency = Emergency(
        id=uuid.uuid4(),
        case_id=case.id,
        case_reference=case.reference,
        representation_code=case.representation_code,
        source=source.value,
        kind=data.kind.value,
        contact_index=contact_index,
        created_at=now,
        escalation_level=0,
        ack_due_at=now + workflow.ack_window(),
        caller_language=language,
    )
    session.add(emergency)
    session.flush()
    alerting.alert_on_duty(session, emergency, now)
    return emergency


def acknowledge(session: Session, *, emergency_id: uuid.UUID, actor: Actor) -> Emergency:
    """Take an emergency on: escalation stops, and its case is assigned to the officer who
    took it (an officer or supervisor of its post; an HQ admin takes it on without being
    assigned, as cases belong to a post's staff). Acknowledging twice changes nothing."""
    access.require_responder(session, actor, action="emergency.acknowledge")
    emergency = _load(session, emergency_id, actor, action="emergency.acknowledge")
    now = utcnow()
    taken = session.execute(
        update(Emergency)
        .where(Emergency.id == emergency_id, Emergency.acknowledged_at.is_(None))
        .values(acknowledged_at=now, acknowledged_by_account_id=actor.account_id, ack_due_at=None)
        .returning(Emergency.id)
        .execution_options(synchronize_session=False)
    ).first()
    if taken is not None:
        case = session.get_one(Case, emergency.case_id)
        add_event(session, case, kind=EventKind.NOTE, actor=actor, at=now,
                  text="Emergency acknowledged.", visibility=Visibility.INTERNAL,
                  data={"emergency_acknowledged": True})  # fmt: skip
        if access.may_take_case(actor, emergency.representation_code):
            casework.assign(
                session, case_id=emergency.case_id, actor=actor, officer_id=actor.account_id
            )
        audit.record(
            session,
            actor=actor,
            action="emergency.acknowledge",
            entity_type="emergency",
            entity_id=str(emergency_id),
        )
    session.refresh(emergency)
    return emergency


@dataclass(frozen=True)
class EmergencyView:
    """One emergency as its acknowledge screen shows it: who to call back, and where."""

    emergency: Emergency
    caller: Caller
    acknowledged_by: str | None


def read_emergency(session: Session, *, emergency_id: uuid.UUID, actor: Actor) -> EmergencyView:
    """An emergency with the person behind it (the acknowledge screen); the read is audited."""
    access.require_responder(session, actor, action="emergency.read")
    emergency = _load(session, emergency_id, actor, action="emergency.read")
    caller = repository.callers(session, [emergency.id]).get(emergency.id) or Caller(
        None, None, None, None, None
    )
    by = None
    if emergency.acknowledged_by_account_id is not None:
        by = roster.officer_name(session, emergency.acknowledged_by_account_id)
    audit.record(
        session,
        actor=actor,
        action="emergency.read",
        entity_type="emergency",
        entity_id=str(emergency.id),
        subject_person_id=caller.person_id,
    )
    return EmergencyView(emergency, caller, by)


def callers_of(
    session: Session, *, actor: Actor, emergencies: Sequence[Emergency]
) -> dict[uuid.UUID, Caller]:
    """The people behind a list of emergencies, for those who answer them (HQ analysts see
    no personal data); the read is audited once for the list."""
    if not emergencies or not access.sees_callers(actor):
        return {}
    found = repository.callers(session, [e.id for e in emergencies])
    audit.record(
        session,
        actor=actor,
        action="emergency.list_callers",
        entity_type="emergency",
        fields=["name", "phone", "place", "language"],
    )
    return found


def _load(session: Session, emergency_id: uuid.UUID, actor: Actor, *, action: str) -> Emergency:
    found = session.scalar(
        select(Emergency).where(Emergency.id == emergency_id, access.emergency_scope(actor))
    )
    if found is None:
        if session.scalar(select(Emergency.id).where(Emergency.id == emergency_id)) is not None:
            audit.record_denial(
                session, actor=actor, action=action, entity_type="emergency",
                entity_id=str(emergency_id),
            )  # fmt: skip
        raise NotFound(_("There is no emergency with this id in your representation."))
    return found


def list_emergencies(
    session: Session,
    *,
    actor: Actor,
    open_only: bool = True,
    escalated_only: bool = False,
    limit: int = 100,
    offset: int = 0,
) -> tuple[int, Sequence[Emergency]]:
    """Emergencies the actor may see, newest first (open = not acknowledged)."""
    access.require_reader(session, actor, action="emergency.list")
    return repository.emergency_queue(
        session, actor=actor, open_only=open_only, escalated_only=escalated_only,
        limit=limit, offset=offset,
    )  # fmt: skip
