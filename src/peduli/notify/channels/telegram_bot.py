"""Telegram through the Bot API: one ``sendMessage`` per message.

``POST {api}/bot{token}/sendMessage`` with ``{"chat_id": <the person's chat id>, "text":
"…"}`` answers ``{"ok": true, "result": {"message_id": 42, "chat": {"id": …}, …}}``. A
refusal is ``{"ok": false, "error_code": 429, "description": "Too Many Requests: retry
after 5", "parameters": {"retry_after": 5}}``: 429 waits ``retry_after`` (in the body, not
a header), 5xx is temporary, 400 and 403 ("bot was blocked by the user", "chat not found")
are final. The Bot API has no idempotency key; the adapter still sends the outbox key in an
``Idempotency-Key`` header, which Telegram ignores and the sandbox uses to count re-sends.
A message id is unique only within its chat, so the provider id is ``<chat>:<message>``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import httpx

from peduli.core.config import Settings
from peduli.notify.channels.http_common import MAX_INLINE_WAIT, post_with_retries
from peduli.notify.ports import (
    ChannelError,
    DeliveryResult,
    DeliveryStatus,
    OutboundMessage,
    PermanentError,
    RetryableError,
)


class TelegramBotChannel:
    """Sends Telegram text messages as the ministry's bot, one request per message."""

    def __init__(
        self,
        *,
        api_url: str,
        token: str,
        timeout: float,
        max_tries: int = 3,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._send_url = f"{api_url.rstrip('/')}/bot{token}/sendMessage"
        self._max_tries = max_tries
        self._client = httpx.Client(timeout=timeout, transport=transport)

    @classmethod
    def from_settings(cls, settings: Settings) -> TelegramBotChannel:
        """The channel the operator configured (``PEDULI_TELEGRAM_*``)."""
        return cls(
            api_url=settings.telegram_api_url,
            token=settings.telegram_bot_token,
            timeout=settings.adapter_timeout_seconds,
        )

    def close(self) -> None:
        """Release the pooled connections."""
        self._client.close()

    def send(self, messages: Sequence[OutboundMessage]) -> list[DeliveryResult]:
        """Deliver ``messages`` one by one; a refusal fails only its own message.

        Flood control (a 429 asking for a longer wait than is waited inline) is the bot's,
        not the chat's: the rest of the batch is handed back with the same wait, unsent.
        """
        results: list[DeliveryResult] = []
        for index, message in enumerate(messages):
            try:
                results.append(self._send_one(message))
            except ChannelError as exc:
                retryable = isinstance(exc, RetryableError)
                status = DeliveryStatus.RETRY if retryable else DeliveryStatus.REJECTED
                results.append(
                    DeliveryResult(message.id, status, error=str(exc), retry_after=exc.retry_after)
                )
                if retryable and (exc.retry_after or 0) > MAX_INLINE_WAIT:
                    results.extend(
                        DeliveryResult(
                            m.id, DeliveryStatus.RETRY, error=str(exc), retry_after=exc.retry_after
                        )
                        for m in messages[index + 1 :]
                    )
                    break
        return results

    def _send_one(self, message: OutboundMessage) -> DeliveryResult:
        response = post_with_retries(
            self._client,
            self._send_url,
            payload={"chat_id": chat_id(message.recipient), "text": message.body},
            headers={"Idempotency-Key": message.idempotency_key},
            max_tries=self._max_tries,
            name="Telegram Bot API",
            classify=bot_api_error,
        )
        try:
            result = response.json()["result"]
            provider_id = f"{result['chat']['id']}:{result['message_id']}"
        except (ValueError, KeyError, TypeError):
            return DeliveryResult(message.id, DeliveryStatus.RETRY, error="no message id given")
        return DeliveryResult(message.id, DeliveryStatus.SENT, provider_message_id=provider_id)


def chat_id(recipient: str) -> int | str:
    """A private chat's numeric id as a number, a ``@channel`` name as it is."""
    try:
        return int(recipient)
    except ValueError:
        return recipient


def bot_api_error(response: httpx.Response, name: str) -> ChannelError:
    """Read a Bot API refusal: 429 (with ``parameters.retry_after``) and 5xx are temporary,
    every other refusal (400 bad chat, 403 blocked by the user) final."""
    try:
        data: Any = response.json()
    except ValueError:
        data = {}
    data = data if isinstance(data, dict) else {}
    text = f"{name} answered {response.status_code}: {str(data.get('description'))[:300]}"
    if response.status_code == 429 or response.status_code >= 500:
        parameters = data.get("parameters")
        wait = parameters.get("retry_after") if isinstance(parameters, dict) else None
        return RetryableError(
            text, retry_after=float(wait) if isinstance(wait, int | float) else None
        )
    return PermanentError(text)
