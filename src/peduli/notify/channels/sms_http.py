"""SMS through an HTTP gateway with a batch API shaped like the common providers'.

``POST {url}`` with ``Authorization: Bearer <token>``, ``Idempotency-Key: <batch key>`` and
``{"messages": [{"to": "+62…", "from": "<sender id>", "text": "…", "reference": "<outbox
idempotency key>"}]}`` (``from`` only when the channel has senders);
the gateway answers ``{"messages": [{"reference": …, "id": …, "status": "accepted" |
"rejected", "error": …}]}``. 429 and 5xx are temporary (``Retry-After`` honoured), other
4xx are final.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import httpx

from peduli.core.config import Settings
from peduli.notify.channels.http_common import post_with_retries
from peduli.notify.ports import (
    ChannelError,
    DeliveryResult,
    DeliveryStatus,
    OutboundMessage,
    RetryableError,
    batch_idempotency_key,
)


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
        response = post_with_retries(
            self._client,
            self._url,
            payload={"messages": [_item(m) for m in chunk]},
            headers={"Idempotency-Key": batch_idempotency_key(chunk)},
            max_tries=self._max_tries,
            name="SMS gateway",
        )
        return _parse_answer(chunk, response)


def _item(message: OutboundMessage) -> dict[str, str]:
    item = {"to": message.recipient, "text": message.body, "reference": message.idempotency_key}
    if message.sender:
        item["from"] = message.sender
    return item


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
