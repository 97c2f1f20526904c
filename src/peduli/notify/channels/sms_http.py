"""SMS through an HTTP gateway with a batch API shaped like the common providers'.

``POST {url}`` with ``Authorization: Bearer <token>``, ``Idempotency-Key: <batch key>`` and
``{"messages": [{"to": "+62…", "from": "<sender id>", "text": "…", "reference": "<outbox
idempotency key>"}]}`` (``from`` only when the channel has senders);
the gateway answers ``{"messages": [{"reference": …, "id": …, "status": "accepted" |
"rejected", "error": …}]}``. 429 and 5xx are temporary (``Retry-After`` honoured), other
4xx are final.
"""

from __future__ import annotations

import time
from collections.abc import Sequence
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from peduli.core.config import Settings
from peduli.core.db import utcnow
from peduli.notify.ports import (
    ChannelError,
    DeliveryResult,
    DeliveryStatus,
    OutboundMessage,
    PermanentError,
    RetryableError,
    batch_idempotency_key,
)

# Retry-After values up to this many seconds are waited out inside the call; longer ones
# are left to the dispatcher's schedule so a worker never sleeps on one batch.
_MAX_INLINE_WAIT = 1.0


class HttpSmsChannel:
    """Sends SMS in batches over one pooled HTTP connection, with a short bounded retry."""

    def __init__(
        self,
        *,
        url: str,
        token: str,
        timeout: float,
        batch_size: int = 500,
        max_tries: int = 3,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._url = url
        self._batch_size = batch_size
        self._max_tries = max_tries
        self._client = httpx.Client(
            timeout=timeout,
            headers={"Authorization": f"Bearer {token}"},
            transport=transport,
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> HttpSmsChannel:
        """The channel the operator configured (``PEDULI_SMS_GATEWAY_*``)."""
        return cls(
            url=settings.sms_gateway_url,
            token=settings.sms_gateway_token,
            timeout=settings.adapter_timeout_seconds,
            batch_size=settings.sms_batch_size,
        )

    def close(self) -> None:
        """Release the pooled connections."""
        self._client.close()

    def send(self, messages: Sequence[OutboundMessage]) -> list[DeliveryResult]:
        """Deliver ``messages`` in gateway-sized batches; a failed batch fails only itself."""
        results: list[DeliveryResult] = []
        for start in range(0, len(messages), self._batch_size):
            chunk = messages[start : start + self._batch_size]
            try:
                results.extend(self._send_batch(chunk))
            except ChannelError as exc:
                status = (
                    DeliveryStatus.RETRY
                    if isinstance(exc, RetryableError)
                    else DeliveryStatus.REJECTED
                )
                results.extend(
                    DeliveryResult(m.id, status, error=str(exc), retry_after=exc.retry_after)
                    for m in chunk
                )
        return results

    def _send_batch(self, chunk: Sequence[OutboundMessage]) -> list[DeliveryResult]:
        payload = {"messages": [_item(m) for m in chunk]}
        headers = {"Idempotency-Key": batch_idempotency_key(chunk)}
        error: ChannelError = RetryableError("the SMS gateway was not called")
        for attempt in range(1, self._max_tries + 1):
            try:
                response = self._client.post(self._url, json=payload, headers=headers)
            except httpx.TransportError as exc:
                error = RetryableError(f"SMS gateway unreachable: {type(exc).__name__}")
            else:
                if response.is_success:
                    return _parse_answer(chunk, response)
                error = _error_for(response)
                if isinstance(error, PermanentError):
                    raise error
            wait = error.retry_after if error.retry_after is not None else 0.025 * 2**attempt
            if attempt == self._max_tries or wait > _MAX_INLINE_WAIT:
                break
            time.sleep(wait)
        raise error


def _item(message: OutboundMessage) -> dict[str, str]:
    item = {"to": message.recipient, "text": message.body, "reference": message.idempotency_key}
    if message.sender:
        item["from"] = message.sender
    return item


def _error_for(response: httpx.Response) -> ChannelError:
    """Map a gateway's refusal to retryable (429, 5xx) or permanent (other 4xx)."""
    text = f"SMS gateway answered {response.status_code}: {response.text[:300]}"
    if response.status_code == 429 or response.status_code >= 500:
        return RetryableError(text, retry_after=_retry_after(response))
    return PermanentError(text)


def _retry_after(response: httpx.Response) -> float | None:
    """Read ``Retry-After`` as seconds or as an HTTP date."""
    value = response.headers.get("retry-after")
    if not value:
        return None
    if value.strip().isdigit():
        return float(value)
    try:
        return max((parsedate_to_datetime(value) - utcnow()).total_seconds(), 0.0)
    except (TypeError, ValueError):
        return None


def _parse_answer(
    chunk: Sequence[OutboundMessage], response: httpx.Response
) -> list[DeliveryResult]:
    try:
        answers: list[dict[str, Any]] = response.json()["messages"]
    except (ValueError, KeyError, TypeError) as exc:
        raise RetryableError("the SMS gateway's answer is not the expected JSON") from exc
    by_reference = {m.idempotency_key: m for m in chunk}
    results = []
    for answer in answers:
        message = by_reference.get(str(answer.get("reference")))
        if message is None:
            continue
        if answer.get("status") == "accepted":
            results.append(
                DeliveryResult(message.id, DeliveryStatus.SENT, provider_message_id=answer["id"])
            )
        else:
            error = str(answer.get("error") or "rejected by the SMS gateway")[:300]
            results.append(DeliveryResult(message.id, DeliveryStatus.REJECTED, error=error))
    return results
