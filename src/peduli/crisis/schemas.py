"""Crisis request and response bodies."""

from __future__ import annotations

import uuid
from datetime import datetime
from typing import Any

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from peduli.core.schemas import RequestBody
from peduli.crisis.models import Answer, CrisisKind, ReachOutcome, Severity


class CrisisCreate(RequestBody):
    """Declare a crisis; ``area`` is GeoJSON, ``{"circle": …}`` or ``{"countries": […]}``."""

    title: str = Field(min_length=3, max_length=200)
    kind: CrisisKind
    severity: Severity
    area: dict[str, Any] = Field(
        description=(
            'A GeoJSON Polygon or MultiPolygon geometry, {"circle": {"lat": …, "lon": …, '
            '"radius_km": …}}, or {"countries": ["MY", …], "subdivisions": ["MY-10", …]}.'
        ),
        examples=[{"circle": {"lat": 3.139, "lon": 101.687, "radius_km": 50}}],
    )
    description: str | None = Field(default=None, max_length=4000)
    # With its offset: a time without one would be read in whatever zone the server is in.
    started_at: AwareDatetime | None = Field(default=None, examples=["2026-11-24T21:05:00+07:00"])
    representation_codes: list[str] | None = Field(default=None, max_length=50)


class CrisisRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    title: str
    description: str | None
    kind: str
    severity: str
    status: str
    started_at: datetime
    closed_at: datetime | None
    area: dict[str, Any]
    area_kind: str
    representation_codes: list[str]
    created_by_display: str
    cap_identifier: str | None


class Audience(BaseModel):
    """Who the crisis reaches, counted before anything is sent."""

    total: int = Field(description="Active stays inside the area.")
    approximate: int = Field(
        default=0,
        description="Of these, stays placed only at their city's centre (no GPS or address).",
    )
    by_representation: dict[str, int]
    by_purpose: dict[str, int]
    by_language: dict[str, int]


class BroadcastCreate(RequestBody):
    """A message per language (``id`` is required: the fallback) and the channels to use."""

    messages: dict[str, str] = Field(
        description="Text per language: id (required), en, zh, fr.",
        examples=[{"id": "Gempa kuat. Jauhi bangunan.", "en": "Strong earthquake. Stay outside."}],
    )
    channels: list[str] = Field(min_length=1, max_length=3, examples=[["sms", "email"]])
    remind_after_minutes: int = Field(default=120, ge=5, le=7 * 24 * 60)
    representation_code: str | None = Field(
        default=None,
        max_length=40,
        description="HQ only: send to one affected post's people, so that post's supervisor "
        "may approve it. A supervisor's broadcast always goes to their own post's people.",
    )


class BroadcastRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    crisis_id: uuid.UUID
    status: str
    messages: dict[str, str]
    channels: list[str]
    representation_code: str | None
    remind_after_minutes: int
    created_by_display: str
    approved_by: uuid.UUID | None
    approved_at: datetime | None
    sent_at: datetime | None
    recipients: int


class SendResult(BaseModel):
    broadcast: BroadcastRead
    recipients: int = Field(description="People targeted by this broadcast (all sends).")
    queued: dict[str, int] = Field(
        description="Outbox messages written by this call, per channel (none yet while the "
        "worker writes a large broadcast: status `sending`)."
    )


class ChannelDelivery(BaseModel):
    """One channel's messages of a broadcast so far."""

    model_config = ConfigDict(from_attributes=True)

    channel: str
    queued: int = Field(description="Waiting: queued, being sent or to be retried.")
    sent: int = Field(description="Taken by the provider.")
    delivered: int | None = Field(
        description="Of the sent, reported delivered to the phone (null: the channel sends "
        "no delivery receipts)."
    )
    failed: int = Field(description="Given up on (dead letters).")


class BroadcastDelivery(BaseModel):
    """A sent broadcast's delivery per channel and its people's answers (the caller's posts)."""

    model_config = ConfigDict(from_attributes=True)

    status: str = Field(description="`sending` while the worker writes a large broadcast.")
    recipients: int
    safe: int
    need_help: int
    no_answer: int
    channels: list[ChannelDelivery]


class CheckInCreate(RequestBody):
    """An answer from a personal link: safe or need help, optionally where and a note."""

    token: str = Field(min_length=3, max_length=60)
    answer: Answer
    latitude: float | None = Field(default=None, ge=-90, le=90)
    longitude: float | None = Field(default=None, ge=-180, le=180)
    place: str | None = Field(default=None, max_length=200)
    note: str | None = Field(default=None, max_length=2000)


class CheckInRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    crisis_id: uuid.UUID
    answer: str
    created_at: datetime


class BoardRow(BaseModel):
    key: str
    targeted: int
    delivered: int
    failed: int
    safe: int
    need_help: int
    no_answer: int


class Board(BaseModel):
    crisis_id: uuid.UUID
    totals: BoardRow
    by_representation: list[BoardRow]
    by_area: list[BoardRow]


class ReachAttemptCreate(RequestBody):
    """What a call or visit to a person still silent after the reminder came to.

    ``reached_safe`` and ``need_help`` answer for the person (a need-help answer opens a
    case); ``unreachable`` needs a note and keeps them on the list to try again.
    """

    outcome: ReachOutcome
    note: str | None = Field(default=None, max_length=2000)


class ReachAttemptRead(BaseModel):
    model_config = ConfigDict(from_attributes=True)

    id: uuid.UUID
    crisis_id: uuid.UUID
    person_id: uuid.UUID
    outcome: ReachOutcome
    note: str | None
    case_id: uuid.UUID | None
    recorded_by_display: str
    created_at: datetime


class ReachCounts(BaseModel):
    """Still silent after the reminder (of whom tried and unreachable), and reached by staff."""

    not_reached: int
    unreachable: int
    reached_safe: int
    need_help: int


class UnreachedRow(BaseModel):
    person_id: uuid.UUID
    full_name: str
    phone: str | None
    country: str | None
    city: str | None
    representation_code: str | None
    language: str
    message_status: str  # delivered | pending | failed | none
    attempts: int
    last_attempt_at: datetime | None
    last_note: str | None


class UnreachedList(BaseModel):
    total: int
    page: int
    per_page: int
    people: list[UnreachedRow]
    counts: ReachCounts
