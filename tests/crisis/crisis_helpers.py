"""Builders for crisis tests: people with stays placed at given points, written directly."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from peduli.core.db import utcnow
from peduli.crisis import broadcasts, service
from peduli.crisis.models import Broadcast, Crisis
from peduli.crisis.schemas import BroadcastCreate, CrisisCreate
from peduli.notify import outcomes
from peduli.notify.models import OutboxMessage, OutboxStatus
from peduli.notify.outcomes import RetryPolicy
from peduli.notify.ports import DeliveryResult, DeliveryStatus
from peduli.registry.models import ContactPoint, Person, Stay
from peduli.registry.report_records import h3_cell


@dataclass(frozen=True)
class Placed:
    person_id: uuid.UUID
    stay_id: uuid.UUID
    latitude: float
    longitude: float
    phone: str


def add_person(
    db: Session,
    *,
    latitude: float,
    longitude: float,
    country: str = "MY",
    subdivision: str | None = "MY-14",
    city: str = "Kuala Lumpur",
    post: str | None = "kbri-kuala-lumpur",
    language: str = "id",
    purpose: str = "work",
    phone: str | None = None,
    email: str | None = None,
    status: str = "active",
    name: str = "Siti Aminah",
    trusted: bool = True,
) -> Placed:
    """One person with one stay at the point, a phone and optionally an e-mail (trusted
    contacts unless ``trusted=False``)."""
    person_id, stay_id = uuid.uuid4(), uuid.uuid4()
    phone = phone or f"+6012{person_id.int % 10**7:07d}"
    db.add(
        Person(
            id=person_id, full_name=name, name_key=name.lower(), sex="F",
            date_of_birth=date(1990, 1, 1), preferred_language=language,
        )
    )  # fmt: skip
    db.flush()
    # Trusted unless asked: as an officer entered them, or a code came back from them.
    trust = {"trusted_at": utcnow(), "trust_source": "officer"} if trusted else {}
    db.add(ContactPoint(id=uuid.uuid4(), person_id=person_id, kind="phone", value=phone, **trust))
    if email:
        db.add(
            ContactPoint(id=uuid.uuid4(), person_id=person_id, kind="email", value=email, **trust)
        )
    db.add(
        Stay(
            id=stay_id, person_id=person_id, country=country, subdivision=subdivision, city=city,
            latitude=latitude, longitude=longitude, h3_cell=h3_cell(latitude, longitude),
            purpose=purpose, arrival_date=date(2024, 1, 1), status=status,
            representation_code=post, created_at=utcnow(), language=language,
        )
    )  # fmt: skip
    db.flush()
    return Placed(person_id, stay_id, latitude, longitude, phone)


KL = (3.139, 101.687)
MESSAGES = {
    "id": "Gempa kuat di Kuala Lumpur. Jauhi bangunan.",
    "en": "Strong earthquake in Kuala Lumpur. Stay away from buildings.",
    "zh": "吉隆坡发生强烈地震。远离建筑物。",
    "fr": "Fort séisme à Kuala Lumpur. Éloignez-vous des bâtiments.",
}


def declare_crisis(db: Session, author: object) -> Crisis:
    """A severe earthquake within 30 km of Kuala Lumpur."""
    body = CrisisCreate(
        title="Gempa Kuala Lumpur", kind="earthquake", severity="severe",
        area={"circle": {"lat": KL[0], "lon": KL[1], "radius_km": 30}},
    )  # fmt: skip
    return service.declare(db, body=body, actor=author)  # type: ignore[arg-type]


def draft_broadcast(
    db: Session, crisis: Crisis, author: object, channels: list[str] | None = None
) -> Broadcast:
    body = BroadcastCreate(messages=MESSAGES, channels=channels or ["sms", "email"])
    return broadcasts.draft(db, crisis_id=crisis.id, body=body, actor=author)  # type: ignore[arg-type]


def sent_by_sms(db: Session, *, author: object, second: object) -> Crisis:
    """The Kuala Lumpur earthquake declared by ``author``, and a short SMS broadcast approved
    by ``second`` and sent to everyone in the area."""
    crisis = declare_crisis(db, author)
    body = BroadcastCreate(messages={"id": "Gempa kuat."}, channels=["sms"])
    broadcast = broadcasts.draft(db, crisis_id=crisis.id, body=body, actor=author)  # type: ignore[arg-type]
    broadcasts.approve(db, crisis_id=crisis.id, broadcast_id=broadcast.id, actor=second)  # type: ignore[arg-type]
    broadcasts.send(db, crisis_id=crisis.id, broadcast_id=broadcast.id, actor=author)  # type: ignore[arg-type]
    return crisis


def crisis_outbox(db: Session) -> list[OutboxMessage]:
    """Every outbox row, highest priority first."""
    return list(db.scalars(select(OutboxMessage).order_by(OutboxMessage.priority)))


def gateway_took_every_sms(db: Session) -> list[str]:
    """Every SMS of the outbox sent, recorded as a worker records it, each with the
    gateway's id (``sms-0``, ``sms-1``…); returns those ids, for the delivery reports to
    name."""
    ids = worker_recorded(db, channel="sms", status=DeliveryStatus.SENT)
    return [f"sms-{number}" for number in range(len(ids))]


def worker_recorded(db: Session, *, channel: str, status: DeliveryStatus) -> list[int]:
    """Every message of ``channel`` claimed and its outcome recorded (sent as ``sms-<n>``,
    or refused: dead) through the worker's own ``notify.outcomes``, so each tally counts it
    as it would in service; returns the messages' ids in sending order."""
    claimed_at = utcnow()
    ids = list(
        db.scalars(
            select(OutboxMessage.id)
            .where(OutboxMessage.channel == channel)
            .order_by(OutboxMessage.id)
        )
    )
    db.execute(
        update(OutboxMessage)
        .where(OutboxMessage.id.in_(ids))
        .values(status=OutboxStatus.SENDING, claimed_by="test-worker", claimed_at=claimed_at)
    )
    sent = status is DeliveryStatus.SENT
    outcomes.record(
        db,
        results=[
            DeliveryResult(i, status, provider_message_id=f"{channel}-{n}" if sent else None)
            for n, i in enumerate(ids)
        ],
        attempts=dict.fromkeys(ids, 1),
        senders={},
        worker_id="test-worker",
        claimed_at=claimed_at,
        policy=RetryPolicy(),
    )
    db.flush()
    return ids
