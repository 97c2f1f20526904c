"""Builders for crisis tests: people with stays placed at given points, written directly."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.core.db import utcnow
from peduli.crisis import broadcasts, service
from peduli.crisis.models import Broadcast, Crisis
from peduli.crisis.schemas import BroadcastCreate, CrisisCreate
from peduli.notify.models import OutboxMessage, OutboxStatus
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
    """Mark every SMS of the outbox sent, as a worker would, each with the gateway's id
    (``sms-0``, ``sms-1``…); returns those ids, for the delivery reports to name."""
    rows = db.scalars(
        select(OutboxMessage).where(OutboxMessage.channel == "sms").order_by(OutboxMessage.id)
    ).all()
    for number, row in enumerate(rows):
        row.status, row.provider_message_id = OutboxStatus.SENT, f"sms-{number}"
    db.flush()
    return [f"sms-{number}" for number in range(len(rows))]
