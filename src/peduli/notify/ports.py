"""The one interface every outbound channel (email, SMS, WhatsApp) implements."""

from __future__ import annotations

import hashlib
from collections.abc import Sequence
from dataclasses import dataclass
from enum import StrEnum
from typing import Protocol


@dataclass(frozen=True)
class OutboundMessage:
    """A claimed outbox row, as handed to an adapter."""

    id: int
    channel: str
    recipient: str
    subject: str
    body: str
    idempotency_key: str
    # The sending identity the claim assigned (None on channels without senders).
    sender: str | None = None


class DeliveryStatus(StrEnum):
    """What the provider did with one message."""

    SENT = "sent"  # accepted by the provider
    RETRY = "retry"  # not accepted this time; try again later
    REJECTED = "rejected"  # never will be accepted (bad address, refused content)


@dataclass(frozen=True)
class DeliveryResult:
    """The outcome of one message; ``retry_after`` is the provider's wish in seconds."""

    message_id: int
    status: DeliveryStatus
    provider_message_id: str | None = None
    error: str | None = None
    retry_after: float | None = None


class ChannelError(Exception):
    """A failure of a whole batch, raised by an adapter."""

    def __init__(self, message: str, *, retry_after: float | None = None) -> None:
        super().__init__(message)
        self.retry_after = retry_after


class RetryableError(ChannelError):
    """The provider may accept the batch later (timeout, 4xx SMTP reply, HTTP 429/5xx)."""


class PermanentError(ChannelError):
    """The provider will never accept the batch as sent (5xx SMTP reply, HTTP 4xx)."""


class Channel(Protocol):
    """Delivers messages of one channel; returns one result per message, in any order."""

    def send(self, messages: Sequence[OutboundMessage]) -> list[DeliveryResult]:
        """Hand ``messages`` to the provider, carrying each one's idempotency key."""
        ...


@dataclass(frozen=True)
class Media:
    """A file a citizen sent on a chat platform, as fetched."""

    data: bytes
    content_type: str


class MediaSource(Protocol):
    """Fetches the photos and documents citizens send, by the platform's media id."""

    def fetch(self, media_id: str) -> Media:
        """The file; ``RetryableError`` to try later, ``PermanentError`` when it is gone."""
        ...

    def close(self) -> None:
        """Release the connections."""
        ...


def email_message_id(idempotency_key: str, domain: str) -> str:
    """The SMTP ``Message-ID`` of an outbox message: stable, so a re-send is recognisable."""
    digest = hashlib.sha256(idempotency_key.encode()).hexdigest()[:40]
    return f"<{digest}@{domain}>"


def batch_idempotency_key(messages: Sequence[OutboundMessage]) -> str:
    """One key for a batch request, derived from the keys of the messages in it."""
    joined = "\n".join(sorted(m.idempotency_key for m in messages))
    return hashlib.sha256(joined.encode()).hexdigest()
