"""What the platform posts (form fields, Twilio's names) and what the callback list shows."""

from __future__ import annotations

import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field


class CallEvent(BaseModel):
    """One webhook of the platform about a call: only the fields the voice line reads."""

    model_config = ConfigDict(populate_by_name=True, extra="ignore")

    call_id: str = Field(alias="CallSid", min_length=1, max_length=64)
    caller: str | None = Field(default=None, alias="From", max_length=64)
    status: str | None = Field(default=None, alias="CallStatus", max_length=20)
    digits: str = Field(default="", alias="Digits", max_length=8)
    dial_status: str | None = Field(default=None, alias="DialCallStatus", max_length=20)
    dial_seconds: int = Field(default=0, alias="DialCallDuration", ge=0, le=86400)


class CallbackRead(BaseModel):
    """A call somebody must return, as the officers' list shows it."""

    id: uuid.UUID
    number: str | None
    person_id: uuid.UUID | None
    person_name: str | None
    language: str | None
    kind: str | None
    started_at: datetime
    ended_at: datetime | None
    end_reason: str | None
    callback_state: str
    emergency_id: uuid.UUID | None
