"""WhatsApp through an HTTP gateway shaped like the WhatsApp Cloud API (Meta Graph API).

One message is ``POST {api}/{phone_number_id}/messages`` with ``Authorization: Bearer
<token>`` and ``{"messaging_product": "whatsapp", "to": "62…", "type": "text", "text":
{"body": "…"}, "biz_opaque_callback_data": "<outbox idempotency key>"}``; the answer carries
``{"messages": [{"id": "wamid.…"}]}``. The phone number id is the sender, so each
configured WhatsApp number has its own rate limit.

With ``batch_size`` above 1 the adapter sends a Graph API batch instead: ``POST {api}/``
with ``{"batch": [{"method": "POST", "relative_url": "<phone_number_id>/messages", "body":
"<the message as JSON>"}, …]}``, answered by one ``{"code": …, "body": "…"}`` per request,
in order (``null`` for a request the platform did not finish). Meta caps a batch at 50; the
sandbox takes up to 1,000. 429, 5xx and the throttling error codes are temporary, other
4xx final.
"""

from __future__ import annotations

import json
from collections import defaultdict
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
from peduli.notify.service import TEMPLATE_SUBJECT

# Cloud API error codes that mean "slow down / try later" rather than "never".
_THROTTLED = frozenset({4, 80007, 130429, 131048, 131056, 131000, 133004})


class WhatsAppCloudChannel:
    """Sends WhatsApp text messages per sender number, batched when ``batch_size`` > 1."""

    def __init__(
        self,
        *,
        api_url: str,
        token: str,
        timeout: float,
        default_sender: str,
        batch_size: int = 50,
        max_tries: int = 3,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._api = api_url.rstrip("/")
        self._default_sender = default_sender
        self._batch_size = max(batch_size, 1)
        self._max_tries = max_tries
        self._client = httpx.Client(
            timeout=timeout, headers={"Authorization": f"Bearer {token}"}, transport=transport
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> WhatsAppCloudChannel:
        """The channel the operator configured (``PEDULI_WHATSAPP_*``)."""
        first = settings.whatsapp_senders.split(",")[0].rpartition("=")[0].strip()
        return cls(
            api_url=settings.whatsapp_api_url,
            token=settings.whatsapp_token,
            timeout=settings.adapter_timeout_seconds,
            default_sender=first or "0",
            batch_size=settings.whatsapp_batch_size,
        )

    def close(self) -> None:
        """Release the pooled connections."""
        self._client.close()

    def send(self, messages: Sequence[OutboundMessage]) -> list[DeliveryResult]:
        """Deliver ``messages``, grouped by sender number; a failed request fails only itself."""
        by_sender: dict[str, list[OutboundMessage]] = defaultdict(list)
        for message in messages:
            by_sender[message.sender or self._default_sender].append(message)
        results: list[DeliveryResult] = []
        for sender, group in by_sender.items():
            for start in range(0, len(group), self._batch_size):
                chunk = group[start : start + self._batch_size]
                try:
                    if self._batch_size == 1:
                        results.append(self._send_one(sender, chunk[0]))
                    else:
                        results.extend(self._send_batch(sender, chunk))
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

    def _send_one(self, sender: str, message: OutboundMessage) -> DeliveryResult:
        response = post_with_retries(
            self._client,
            f"{self._api}/{sender}/messages",
            payload=cloud_message(message),
            headers={"Idempotency-Key": message.idempotency_key},
            max_tries=self._max_tries,
            name="WhatsApp API",
        )
        return _result(message, response.status_code, response.text)

    def _send_batch(self, sender: str, chunk: Sequence[OutboundMessage]) -> list[DeliveryResult]:
        payload = {
            "batch": [
                {
                    "method": "POST",
                    "relative_url": f"{sender}/messages",
                    "body": json.dumps(cloud_message(m), ensure_ascii=False),
                }
                for m in chunk
            ]
        }
        response = post_with_retries(
            self._client,
            f"{self._api}/",
            payload=payload,
            headers={"Idempotency-Key": batch_idempotency_key(chunk)},
            max_tries=self._max_tries,
            name="WhatsApp API",
        )
        try:
            answers: list[Any] = response.json()
            if not isinstance(answers, list):
                raise TypeError
        except (ValueError, TypeError) as exc:
            raise RetryableError("the WhatsApp API's batch answer is not a JSON list") from exc
        results = []
        for message, answer in zip(chunk, answers, strict=False):
            if not isinstance(answer, dict):
                results.append(
                    DeliveryResult(message.id, DeliveryStatus.RETRY, error="batch item timed out")
                )
                continue
            results.append(_result(message, int(answer.get("code") or 0), answer.get("body")))
        return results  # messages without an answer are retried by the dispatcher


def cloud_message(message: OutboundMessage) -> dict[str, Any]:
    """The Cloud API body of a text or template message, carrying the idempotency key."""
    content: dict[str, Any] = {"type": "text", "text": {"preview_url": False, "body": message.body}}
    if message.subject.startswith(TEMPLATE_SUBJECT):
        name, _, language = message.subject.removeprefix(TEMPLATE_SUBJECT).partition(":")
        content = {"type": "template",
                   "template": {"name": name, "language": {"code": language or "id"}}}  # fmt: skip
    return {
        "messaging_product": "whatsapp",
        "recipient_type": "individual",
        "to": message.recipient.lstrip("+"),
        **content,
        "biz_opaque_callback_data": message.idempotency_key,
    }


def _result(message: OutboundMessage, code: int, body: Any) -> DeliveryResult:
    """One message's outcome from its HTTP code and JSON body (Graph error shape)."""
    try:
        data = json.loads(body) if isinstance(body, str) else (body or {})
    except ValueError:
        data = {}
    if 200 <= code < 300:
        try:
            provider_id = str(data["messages"][0]["id"])
        except (KeyError, IndexError, TypeError):
            return DeliveryResult(message.id, DeliveryStatus.RETRY, error="no message id given")
        return DeliveryResult(message.id, DeliveryStatus.SENT, provider_message_id=provider_id)
    error = data.get("error") if isinstance(data, dict) else None
    error = error if isinstance(error, dict) else {}
    text = f"WhatsApp API answered {code}: {str(error.get('message') or body)[:300]}"
    if code == 429 or code >= 500 or code == 0 or error.get("code") in _THROTTLED:
        return DeliveryResult(message.id, DeliveryStatus.RETRY, error=text)
    return DeliveryResult(message.id, DeliveryStatus.REJECTED, error=text)
