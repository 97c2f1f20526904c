"""What the HTTP gateway adapters share: a POST with a short bounded retry."""

from __future__ import annotations

import time
from collections.abc import Callable, Mapping
from email.utils import parsedate_to_datetime
from typing import Any

import httpx

from peduli.core.db import utcnow
from peduli.notify.ports import (
    ChannelError,
    DeliveryResult,
    DeliveryStatus,
    PermanentError,
    RetryableError,
)

# Retry-After values up to this many seconds are waited out inside the call; longer ones
# are left to the dispatcher's schedule so a worker never sleeps on one batch.
MAX_INLINE_WAIT = 1.0


def post_with_retries(
    client: httpx.Client,
    url: str,
    *,
    payload: Any = None,
    content: bytes | None = None,
    headers: Mapping[str, str],
    max_tries: int,
    name: str,
    classify: Callable[[httpx.Response, str], ChannelError] | None = None,
) -> httpx.Response:
    """POST ``payload`` as JSON, or ``content`` as it is (a signed body must travel byte for
    byte); retry timeouts, 408, 429 and 5xx a few times; raise what remains.

    ``classify`` reads a refusal for an API that says more than its status (Telegram puts
    the wait in its JSON body); by default ``error_for``.
    """
    classify = classify or error_for
    body: dict[str, Any] = {"json": payload} if content is None else {"content": content}
    error: ChannelError = RetryableError(f"the {name} was not called")
    for attempt in range(1, max_tries + 1):
        try:
            response = client.post(url, headers=dict(headers), **body)
        except httpx.TransportError as exc:
            error = RetryableError(f"{name} unreachable: {type(exc).__name__}")
        else:
            if response.is_success:
                return response
            error = classify(response, name)
            if isinstance(error, PermanentError):
                raise error
        wait = error.retry_after if error.retry_after is not None else 0.025 * 2**attempt
        if attempt == max_tries or wait > MAX_INLINE_WAIT:
            break
        time.sleep(wait)
    raise error


def error_for(response: httpx.Response, name: str) -> ChannelError:
    """Map a refusal to retryable (408, 429, 5xx) or permanent (other 4xx)."""
    text = f"{name} answered {response.status_code}: {response.text[:300]}"
    if response.status_code in (408, 429) or response.status_code >= 500:
        return RetryableError(text, retry_after=retry_after(response))
    return PermanentError(text)


def retry_after(response: httpx.Response) -> float | None:
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


def failed(message_id: int, error: ChannelError) -> DeliveryResult:
    """One message's result after ``error``: tried again later, or a dead letter."""
    status = DeliveryStatus.RETRY if isinstance(error, RetryableError) else DeliveryStatus.REJECTED
    return DeliveryResult(message_id, status, error=str(error), retry_after=error.retry_after)


def get_once(client: httpx.Client, url: str, *, name: str) -> httpx.Response:
    """GET ``url`` once (a media download): network failures, 429 and 5xx are temporary
    (``RetryableError``, tried again next round), other 4xx final (``PermanentError``)."""
    try:
        response = client.get(url)
    except httpx.HTTPError as error:
        raise RetryableError(f"{name}: {error}") from error
    if response.status_code >= 400:
        raise error_for(response, name)
    return response
