"""What the notify pages and API show: sandbox mailbox entries, one page at a time."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict

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
