"""What the notify pages and API show and take: sandbox mailbox entries, dead letters,
the SMS gateway's delivery reports."""

from __future__ import annotations

from datetime import datetime
from typing import Literal

from pydantic import AwareDatetime, BaseModel, ConfigDict, Field

from peduli.core.schemas import RequestBody
from peduli.notify.models import ChannelName


class SandboxMessageRead(BaseModel):
    """A message a sandbox received; ``deliveries`` > 1 means retries were deduplicated."""

    model_config = ConfigDict(from_attributes=True)

    id: int
    channel: str
    recipient: str
    subject: str
    body: str
    idempotency_key: str
    deliveries: int
    received_at: datetime
    sender: str | None = None


class MailboxPage(BaseModel):
    """One page of one channel's sandbox mailbox, newest first."""

    channel: str
    page: int
    per_page: int
    total: int
    pages: int
    counts: dict[str, int]
    messages: list[SandboxMessageRead]


class DeadLetterRead(BaseModel):
    """A message the outbox gave up on; the recipient is masked."""

    id: int
    channel: str
    recipient: str
    subject: str
    attempts: int
    last_error: str | None
    created_at: datetime
    failed_at: datetime


class DeadLetterPage(BaseModel):
    """One page of dead letters, newest failure first."""

    page: int
    per_page: int
    total: int
    items: list[DeadLetterRead]


class DeadLetterRetry(RequestBody):
    """Which dead letters to put back in line: all, or one channel's."""

    channel: ChannelName | None = None


class DeadLettersRetried(BaseModel):
    """How many dead letters went back in line."""

    retried: int


class SmsDeliveryReport(RequestBody):
    """A gateway's delivery report (DLR) of one message, named by the id it answered."""

    id: str = Field(min_length=1, max_length=200, examples=["sms-1234"])
    reference: str | None = Field(
        default=None, max_length=200, description="The idempotency key the message was sent with."
    )
    status: Literal["delivered", "failed", "expired", "rejected"]
    at: AwareDatetime | None = Field(
        default=None, description="When the phone took it, with its offset (default: now)."
    )


class SmsDeliveryReports(RequestBody):
    """A batch of delivery reports, as the SMS gateway posts them."""

    reports: list[SmsDeliveryReport] = Field(min_length=1, max_length=1000)


class ReceiptsRecorded(BaseModel):
    """How many messages learned of their delivery from this batch (repeats count 0)."""

    recorded: int
