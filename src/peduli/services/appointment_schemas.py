"""The appointments' API bodies and answers."""

from __future__ import annotations

import uuid
from datetime import date, datetime

from pydantic import AwareDatetime, BaseModel, Field

from peduli.core.schemas import RequestBody

POST = Field(min_length=2, max_length=64, pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")
SERVICE = Field(min_length=2, max_length=40, pattern=r"^[a-z0-9]+(-[a-z0-9]+)*$")


class SlotRead(BaseModel):
    starts_at: datetime
    ends_at: datetime
    local_start: str = Field(description="The start in the post's time zone (ISO 8601).")
    capacity: int
    free: int


class SlotsRead(BaseModel):
    representation: str
    service: str
    timezone: str
    slots: list[SlotRead]


class AppointmentCreate(RequestBody):
    representation: str = POST
    service: str = SERVICE
    starts_at: AwareDatetime
    party_size: int = Field(default=1, ge=1, le=20, description="People coming (a family).")


class AppointmentMove(RequestBody):
    starts_at: AwareDatetime


class AppointmentRead(BaseModel):
    id: uuid.UUID
    reference: str
    representation: str
    service: str
    starts_at: datetime
    ends_at: datetime
    local_day: date
    party_size: int
    state: str
    sequence: int
    ticket: int | None
    calendar_url: str
