"""Bodies and answers of the agencies' API."""

from __future__ import annotations

import json
import uuid
from datetime import datetime

from pydantic import BaseModel, ConfigDict, Field

from peduli.agencies.envelope import MAX_CAUSE, Purpose
from peduli.agencies.models import AgencyMessage, PersonVerification, Source
from peduli.core.schemas import RequestBody


class VerificationRequest(RequestBody):
    """Queue a check of a person at an agency; the worker runs it (202)."""

    source: Source = Field(default=Source.CIVIL_REGISTRY, description="Where to check.")
    purpose: Purpose = Field(description="Why the agency is asked (sent in the envelope).")
    cause: str = Field(
        min_length=1,
        max_length=MAX_CAUSE,
        description="The case or application that causes the check, e.g. a case number.",
        examples=["case 2026-KL-0042"],
    )


class VerificationRead(BaseModel):
    """A person's state at one source: verified at T / mismatch on fields F / not found /
    agency unavailable, retry at T; or queued, or not checkable."""

    source: str
    subject: str = Field(description='"record", or the id of an identity claim checked.')
    claim_id: uuid.UUID | None
    state: str
    fields: list[str] = Field(description="The fields that did not match (mismatch).")
    name_score: float | None
    detail: str | None
    purpose: str
    cause: str
    requested_at: datetime
    checked_at: datetime | None
    retry_at: datetime | None

    @classmethod
    def of(cls, row: PersonVerification) -> VerificationRead:
        return cls(
            source=row.source,
            subject=row.subject,
            claim_id=row.claim_id,
            state=row.state,
            fields=list(json.loads(row.fields or "[]")),
            name_score=row.name_score,
            detail=row.detail,
            purpose=row.purpose,
            cause=row.cause,
            requested_at=row.requested_at,
            checked_at=row.checked_at,
            retry_at=row.retry_at,
        )


class VerificationList(BaseModel):
    person_id: uuid.UUID
    items: list[VerificationRead]


class MessageLogEntry(BaseModel):
    """One message of the log, without its body (sealed; the hash covers it)."""

    model_config = ConfigDict(from_attributes=True)

    seq: int
    message_id: uuid.UUID
    direction: str
    at: datetime
    agency: str
    operation: str
    client: str
    actor: str
    purpose: str
    cause: str
    person_id: uuid.UUID | None
    status: int
    outcome: str
    request_hash: str
    body_hash: str
    prev_hash: str
    hash: str

    @classmethod
    def of(cls, row: AgencyMessage) -> MessageLogEntry:
        return cls.model_validate(row)


class MessageLogPage(BaseModel):
    items: list[MessageLogEntry]
    next_before: int | None = Field(
        description="Pass as `before` for the next (older) page; null on the last page."
    )


class AgencyTrailEntry(BaseModel):
    """One time an agency was asked about the citizen: which, when, why."""

    at: datetime
    agency: str
    operation: str
    purpose: str
    cause: str
    outcome: str


class AgencyTrailPage(BaseModel):
    total: int
    items: list[AgencyTrailEntry]
