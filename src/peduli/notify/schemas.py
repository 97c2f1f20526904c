"""What the notify pages and API show: sandbox mailbox entries, one page at a time."""

from __future__ import annotations

from datetime import datetime

from pydantic import BaseModel, ConfigDict


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


class MailboxPage(BaseModel):
    """One page of one channel's sandbox mailbox, newest first."""

    channel: str
    page: int
    per_page: int
    total: int
    pages: int
    counts: dict[str, int]
    messages: list[SandboxMessageRead]
