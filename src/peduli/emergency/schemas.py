"""Request and response shapes of the emergency API."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Literal

from pydantic import BaseModel, Field

from peduli.core.schemas import RequestBody
from peduli.emergency.models import EmergencyKind

Kind = Field(description="What happened.", examples=[EmergencyKind.VIOLENCE.value])


class EmergencyCreate(RequestBody):
    """An SOS: who, where, what and how to call back. Signed-in citizens may leave out the name."""

    name: str | None = Field(default=None, max_length=200, examples=["Siti Aminah"])
    country: str | None = Field(
        default=None,
        max_length=2,
        description="ISO 3166-1 alpha-2 of where you are; may be left out with coordinates.",
        examples=["KR"],
    )
    city: str | None = Field(default=None, max_length=120, examples=["Ansan"])
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    kind: EmergencyKind = Kind
    details: str | None = Field(default=None, max_length=2000)
    phone: str | None = Field(default=None, max_length=32, examples=["+821012345678"])
    whatsapp: str | None = Field(default=None, max_length=32, examples=["+6281234567890"])


class HotlineCallCreate(EmergencyCreate):
    """An emergency an officer took by phone; the call notes go on the case timeline."""

    call_notes: str = Field(min_length=1, max_length=5000)
    language: Literal["id", "en", "zh", "fr"] | None = Field(
        default=None, description="The language the caller speaks, for whoever calls back."
    )
    representation_code: str | None = Field(
        default=None,
        max_length=64,
        description="Defaults to the officer's own representation; HQ may route elsewhere.",
    )


class RepresentationContact(BaseModel):
    code: str
    name: str
    hotline: str | None


class EmergencyCreated(BaseModel):
    id: uuid.UUID
    case_id: uuid.UUID
    reference: str
    repeat: bool = Field(description="True when this joined an open emergency of yours.")
    representation: RepresentationContact
    next_steps: str


class CallerRead(BaseModel):
    """Who to call back: shown to those who answer emergencies (never to HQ analysts)."""

    name: str | None
    phone: str | None
    city: str | None
    country: str | None = Field(description="ISO 3166-1 alpha-2.")
    language: str | None = Field(description="The language the person asked for help in.")
    person_id: uuid.UUID | None


class EmergencyRead(BaseModel):
    id: uuid.UUID
    case_id: uuid.UUID
    reference: str
    representation_code: str
    source: str
    kind: str
    state: Literal["alerting", "escalated", "acknowledged"]
    escalation_level: int
    created_at: datetime
    ack_due_at: datetime | None
    acknowledged_at: datetime | None
    repeats: int
    caller: CallerRead | None = None


class EmergencyPage(BaseModel):
    items: list[EmergencyRead]
    total: int


class ShiftCreate(RequestBody):
    """A shift in the representation's local time (no offset): a night shift ends next day."""

    account_id: uuid.UUID
    starts_local: datetime = Field(examples=["2026-11-24T22:00:00"])
    ends_local: datetime = Field(examples=["2026-11-25T06:00:00"])
    rank: int = Field(default=0, description="0 = primary, 1 = first backup, …")
    phone: str | None = Field(default=None, max_length=32, description="Duty phone for SMS.")
    note: str | None = Field(default=None, max_length=500)


class ShiftRead(BaseModel):
    """A shift; ``*_local`` are the same instants as ``*_at``, with the post's offset."""

    id: uuid.UUID
    account_id: uuid.UUID
    officer: str
    starts_local: datetime = Field(examples=["2026-11-24T22:00:00+09:00"])
    ends_local: datetime = Field(examples=["2026-11-25T06:00:00+09:00"])
    starts_at: datetime
    ends_at: datetime
    rank: int
    phone: str | None
    note: str | None


class RosterRead(BaseModel):
    representation_code: str
    timezone: str
    now_local: datetime
    on_duty: list[ShiftRead]
    shifts: list[ShiftRead]
