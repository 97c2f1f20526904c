"""What the agencies' two outbox channels share (``webhook``, ``partner_state``): one pooled
HTTP client, and one signed POST a delivery, its body sent byte for byte (the signature is
over those bytes). 2xx is delivered; a time-out, 408, 429 or 5xx is tried again by the outbox
with its backoff (``Retry-After`` honoured); any other answer is final (a dead letter).
"""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from typing import ClassVar, Self

import httpx
from sqlalchemy.orm import Session

from peduli.core.config import Settings
from peduli.notify.channels.http_common import failed, post_with_retries
from peduli.notify.ports import ChannelError, DeliveryResult


class SignedDelivery:
    """The base of a channel delivering signed documents to partner systems."""

    receiver: ClassVar[str] = "the partner system"  # who answered, in an error
    user_agent: ClassVar[str | None] = None

    def __init__(
        self,
        session_factory: Callable[[], Session],
        *,
        timeout: float,
        transport: httpx.BaseTransport | None = None,
        clock: Callable[[], float] = time.time,
    ) -> None:
        self._sessions = session_factory
        self._clock = clock
        headers = {"User-Agent": self.user_agent} if self.user_agent else None
        self._client = httpx.Client(timeout=timeout, transport=transport, headers=headers)

    @classmethod
    def from_settings(cls, settings: Settings, session_factory: Callable[[], Session]) -> Self:
        return cls(session_factory, timeout=settings.adapter_timeout_seconds)

    def close(self) -> None:
        """Release the pooled connections."""
        self._client.close()

    def post_signed(
        self, message_id: int, url: str, body: bytes, headers: Mapping[str, str]
    ) -> httpx.Response | DeliveryResult:
        """POST ``body`` once (the outbox retries): the answer, or the failed delivery."""
        try:
            return post_with_retries(
                self._client, url, content=body, max_tries=1, name=self.receiver,
                headers={"Content-Type": "application/json", **headers},
            )  # fmt: skip
        except ChannelError as error:
            return failed(message_id, error)
