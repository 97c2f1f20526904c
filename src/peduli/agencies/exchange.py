"""The bilateral "one channel" exchange with partner states (Malaysia, Saudi Arabia…).

Outbound: an officer asks a partner state something about one of a case's people (a
worker's status, consular access, a repatriation). The request is stored (its document
sealed: it names the citizen), written on the case's timeline, audited as a disclosure of
the person, and queued in the outbox (channel ``partner_state``); the worker signs it with
our Ed25519 key and posts it (``exchange_channel``), retrying with backoff.

Inbound: a partner posts a signed answer to ``/api/v1/exchange/messages``; once the
signature, the timestamp window and the message id (never seen before) are checked, the
answer lands on the case of the request it replies to, on its timeline.
"""

from __future__ import annotations

import json
import uuid
from dataclasses import dataclass
from typing import cast as cast_kind_type

from sqlalchemy import literal, select
from sqlalchemy.orm import Session

from peduli.agencies import exchange_workflow as workflow
from peduli.agencies import message_log
from peduli.agencies.envelope import Envelope, Purpose, request_hash
from peduli.agencies.models import (
    AgencyMessage,
    Direction,
    ExchangeDirection,
    ExchangeMessage,
    ExchangePartner,
)
from peduli.agencies.schemas import ExchangeMessageRead, ExchangeRequestCreate, InboundMessage
from peduli.auth import audit
from peduli.auth.actor import Actor
from peduli.cases import timeline
from peduli.cases.access import load_case
from peduli.cases.models import Case, CasePerson, EventKind
from peduli.core.config import get_settings
from peduli.core.crypto import get_cipher
from peduli.core.db import utcnow
from peduli.core.errors import Conflict, FieldProblem, NotFound, ValidationFailed, require_valid
from peduli.core.i18n import _
from peduli.notify import service as notify_service
from peduli.notify.models import ChannelName, MessagePriority
from peduli.reference.profile import get_profile
from peduli.registry.models import PASSPORT_PURPOSE, Passport, Person, Stay

# The case timeline's kind for the exchange (the column is free text, as partners' are).
TIMELINE_KIND = "exchange"
INBOUND_PATH = "/api/v1/exchange/messages"
# How the message log names the partner states (its ``agency``).
LOG_AGENCY = "partner_state"
# A partner's message id, turned into the message log's id of its entry (stable, so a
# message is logged once).
INBOUND_NAMESPACE = uuid.UUID("5f1e2c3a-8b7d-4e6f-9a0b-1c2d3e4f5a6b")


def request_envelope_id(message_id: str) -> uuid.UUID | None:
    """The message log's id of our request ``ID-<uuid>`` (None for another form)."""
    try:
        return uuid.UUID(message_id.split("-", 1)[1])
    except (IndexError, ValueError):
        return None


def cast_kind(kind: str) -> EventKind:
    """Our timeline kind: the cases domain's kinds do not list it (the column is free text)."""
    return cast_kind_type(EventKind, kind)


def outbox_key(message_id: object) -> str:
    return f"exchange:{message_id}"


def register_partner(
    session: Session, *, code: str, name: str, url: str, key_id: str, public_key: str
) -> ExchangePartner:
    """Add a partner state or change its address and key (``peduli demo``, operators)."""
    partner = session.get(ExchangePartner, code) or ExchangePartner(code=code)
    partner.name, partner.url, partner.key_id, partner.public_key = name, url, key_id, public_key
    partner.active = True
    session.add(partner)
    return partner


def active_partners(session: Session) -> list[ExchangePartner]:
    return list(
        session.scalars(
            select(ExchangePartner)
            .where(ExchangePartner.active.is_(True))
            .order_by(ExchangePartner.code)
        )
    )


def _subject(session: Session, person: CasePerson, partner_code: str) -> dict[str, str]:
    """What the partner needs to find the citizen: name, birth date, current passport and,
    for a worker, the employer in that country; no NIK, address or phone."""
    subject = {"name": person.name or "", "nationality": get_profile().country}
    if person.person_id is None:
        return subject
    found = session.get(Person, person.person_id)
    if found is None:
        return subject
    subject.update(name=found.full_name, birth_date=found.date_of_birth.isoformat())
    passport = session.scalar(
        select(Passport.number_encrypted).where(
            Passport.person_id == found.id, Passport.is_current.is_(True)
        )
    )
    if passport:
        subject["passport_number"] = get_cipher().decrypt(passport, purpose=PASSPORT_PURPOSE)
    employer = session.scalar(
        select(Stay.employer)
        .where(Stay.person_id == found.id, Stay.country == partner_code, Stay.employer.is_not(None))
        .order_by(Stay.arrival_date.desc())
        .limit(1)
    )
    if employer:
        subject["employer"] = employer
    return subject


def send_request(
    session: Session, *, case_id: uuid.UUID, data: ExchangeRequestCreate, actor: Actor
) -> ExchangeMessage:
    """Queue a signed request to a partner state about one of the case's people."""
    case = load_case(session, case_id=case_id, actor=actor, action="exchange.send")
    partner = session.get(ExchangePartner, data.partner_code)
    person = session.get(CasePerson, data.case_person_id)
    problems = []
    if partner is None or not partner.active:
        problems.append(
            FieldProblem(
                "partner_code",
                "unknown_partner",
                _("There is no partner state with this code."),
                _("Pick one of the partner states listed."),
            )
        )
    if person is None or person.case_id != case.id:
        problems.append(
            FieldProblem(
                "case_person_id",
                "not_on_case",
                _("This person is not on the case."),
                _("Pick one of the case's people."),
            )
        )
    require_valid(problems)
    assert partner is not None and person is not None
    now = utcnow()
    envelope_id = uuid.uuid4()
    message_id = f"{get_profile().country}-{envelope_id}"
    document = {
        "message_id": message_id,
        "kind": data.kind.value,
        "from": get_profile().country,
        "to": partner.code,
        "sent_at": now.isoformat(),
        "case_reference": case.reference,
        "subject": _subject(session, person, partner.code),
        "note": data.note,
        "reply_to": get_settings().public_url.rstrip("/") + INBOUND_PATH,
    }
    row = ExchangeMessage(
        id=uuid.uuid4(),
        message_id=message_id,
        partner_code=partner.code,
        direction=ExchangeDirection.OUTBOUND,
        kind=data.kind.value,
        case_id=case.id,
        body=json.dumps(document, sort_keys=True),
        actor_account_id=actor.account_id,
        actor_display=actor.display,
        created_at=now,
        note=data.note or None,
    )
    session.add(row)
    notify_service.enqueue(
        session,
        channel=ChannelName.PARTNER_STATE.value,
        recipient=partner.code,
        subject=data.kind.value,
        body=str(row.id),
        idempotency_key=outbox_key(message_id),
        priority=MessagePriority.ORDINARY,
    )
    _on_timeline(session, case, actor, row, partner.name)
    envelope = Envelope(
        envelope_id,
        get_settings().agency_client,
        actor.display,
        Purpose.BILATERAL_EXCHANGE,
        f"case:{case.reference}",
        request_hash(document),
    )
    message_log.append(
        session,
        envelope=envelope,
        direction=Direction.REQUEST,
        agency=LOG_AGENCY,
        operation=f"{partner.code}:{data.kind.value}",
        person_id=person.person_id,
        outcome="queued",
        body=document,
    )
    audit.record(
        session,
        actor=actor,
        action="exchange.send",
        entity_type="case",
        entity_id=str(case.id),
        subject_person_id=person.person_id,
        fields=sorted(document["subject"]),
        reason=f"{partner.code}:{data.kind.value}",
    )
    return row


def _on_timeline(
    session: Session, case: Case, actor: Actor | None, row: ExchangeMessage, partner: str
) -> None:
    timeline.add_event(
        session,
        case,
        kind=cast_kind(TIMELINE_KIND),
        actor=actor,
        text=row.note,
        data={
            "partner": partner,
            "kind": row.kind,
            "message_id": row.message_id,
            "direction": row.direction,
            "in_reply_to": row.in_reply_to,
        },
    )


@dataclass(frozen=True)
class Received:
    message: ExchangeMessage
    settled: bool


def receive(
    session: Session, *, partner: ExchangePartner, document: InboundMessage, raw: bytes
) -> Received:
    """File a partner's verified answer on the request's case. The same bytes sent again (our
    202 was not heard) are acknowledged and filed once; another body under a used id is a
    replay, refused."""
    request = session.scalar(
        select(ExchangeMessage).where(
            ExchangeMessage.partner_code == partner.code,
            ExchangeMessage.direction == ExchangeDirection.OUTBOUND,
            ExchangeMessage.message_id == document.in_reply_to,
        )
    )
    if request is None:
        raise NotFound(_("There is no request of ours with this id to your state."))
    seen = session.scalar(
        select(ExchangeMessage).where(
            ExchangeMessage.partner_code == partner.code,
            ExchangeMessage.direction == ExchangeDirection.INBOUND,
            ExchangeMessage.message_id == document.message_id,
        )
    )
    if seen is not None and seen.body == raw.decode():
        return Received(seen, workflow.settles(request.kind, document.kind))
    if seen is not None:
        raise Conflict(_("This message id was used before; a replay is refused."), code="replay")
    if not workflow.may_answer(request.kind, document.kind):
        problem = _("This kind of message does not answer that request.")
        raise ValidationFailed([FieldProblem("kind", "not_an_answer", problem)])
    now = utcnow()
    row = ExchangeMessage(
        id=uuid.uuid4(),
        message_id=document.message_id,
        partner_code=partner.code,
        direction=ExchangeDirection.INBOUND,
        kind=document.kind.value,
        case_id=request.case_id,
        in_reply_to=request.message_id,
        body=raw.decode(),
        actor_display=partner.name,
        created_at=now,
        note=document.note,
    )
    session.add(row)
    settled = workflow.settles(request.kind, document.kind)
    if settled and request.answered_at is None:
        request.answered_at = now
    case = session.get(Case, request.case_id)
    assert case is not None
    _on_timeline(session, case, None, row, partner.name)
    _log_inbound(session, partner, document, request, raw)
    audit.record(
        session,
        actor=None,
        action="exchange.receive",
        entity_type="case",
        entity_id=str(case.id),
        reason=f"{partner.code}:{document.kind.value}",
    )
    return Received(row, settled)


def _log_inbound(
    session: Session,
    partner: ExchangePartner,
    document: InboundMessage,
    request: ExchangeMessage,
    raw: bytes,
) -> None:
    """The partner's message in the message log, on the trail of the person asked about."""
    asked = request_envelope_id(request.message_id)
    person_id = (
        session.scalar(
            select(AgencyMessage.person_id).where(
                AgencyMessage.message_id == asked, AgencyMessage.direction == Direction.REQUEST
            )
        )
        if asked
        else None
    )
    envelope = Envelope(
        uuid.uuid5(INBOUND_NAMESPACE, f"{partner.code}:{document.message_id}"),
        partner.name[:100],
        partner.name,
        Purpose.BILATERAL_EXCHANGE,
        f"reply:{request.message_id}"[:200],
        request_hash(json.loads(raw)),
    )
    message_log.append(
        session,
        envelope=envelope,
        direction=Direction.ANSWER,
        agency=LOG_AGENCY,
        operation=f"{partner.code}:{document.kind.value}",
        person_id=person_id,
        outcome="received",
        body=raw.decode(),
    )


def case_messages(
    session: Session, *, case_id: uuid.UUID, actor: Actor
) -> list[ExchangeMessageRead]:
    """The case's exchange, oldest first, with each request's delivery (audited read)."""
    load_case(session, case_id=case_id, actor=actor, action="exchange.read")
    counts = notify_service.delivery_counts(
        group=ExchangeMessage.id,
        idempotency_keys=[literal("exchange:") + ExchangeMessage.message_id],
        where=ExchangeMessage.case_id == case_id,
    )
    rows = session.execute(
        select(ExchangeMessage, counts.c.sent, counts.c.dead)
        .outerjoin(counts, counts.c.group_key == ExchangeMessage.id)
        .where(ExchangeMessage.case_id == case_id)
        .order_by(ExchangeMessage.created_at, ExchangeMessage.direction)
    ).all()
    audit.record(
        session, actor=actor, action="exchange.read", entity_type="case", entity_id=str(case_id)
    )
    return [_read(row, sent, dead) for row, sent, dead in rows]


def message_read(row: ExchangeMessage) -> ExchangeMessageRead:
    """A message just written (not delivered yet)."""
    return _read(row, None, None)


def _read(row: ExchangeMessage, sent: int | None, dead: int | None) -> ExchangeMessageRead:
    document = json.loads(row.body)
    if row.direction == ExchangeDirection.INBOUND:
        details = {str(k): str(v) for k, v in (document.get("details") or {}).items()}
        if document.get("partner_reference"):
            details["partner_reference"] = str(document["partner_reference"])
        delivery = "received"
    else:
        details = {f"subject.{k}": str(v) for k, v in (document.get("subject") or {}).items()}
        delivery = "sent" if sent else ("failed" if dead else "queued")
    return ExchangeMessageRead(
        id=row.id,
        message_id=row.message_id,
        partner_code=row.partner_code,
        direction=row.direction,
        kind=row.kind,
        in_reply_to=row.in_reply_to,
        created_at=row.created_at,
        delivery=delivery,
        answered_at=row.answered_at,
        note=row.note,
        details=details,
    )
