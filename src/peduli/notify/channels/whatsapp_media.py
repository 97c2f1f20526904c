"""Fetching a photo or document a citizen sent on WhatsApp (Cloud API media).

Two requests, both with ``Authorization: Bearer <token>``: ``GET {api}/{media_id}`` answers
``{"url": …, "mime_type": …}``, then ``GET <url>`` answers the bytes (the URL is short-lived,
so the two follow each other). 429, 5xx and network failures are temporary; other 4xx final.
"""

from __future__ import annotations

import httpx

from peduli.core.config import Settings
from peduli.notify.channels.http_common import get_once
from peduli.notify.ports import Media, PermanentError, RetryableError

MAX_MEDIA_BYTES = 16 * 1024 * 1024  # WhatsApp's own limit for images and documents


class WhatsAppMedia:
    """The media download of the WhatsApp Cloud API."""

    def __init__(
        self,
        *,
        api_url: str,
        token: str,
        timeout: float,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._api = api_url.rstrip("/")
        self._client = httpx.Client(
            timeout=timeout, headers={"Authorization": f"Bearer {token}"}, transport=transport
        )

    @classmethod
    def from_settings(cls, settings: Settings) -> WhatsAppMedia:
        """The media download of the configured account (``PEDULI_WHATSAPP_*``)."""
        return cls(
            api_url=settings.whatsapp_api_url,
            token=settings.whatsapp_token,
            timeout=settings.adapter_timeout_seconds,
        )

    def close(self) -> None:
        """Release the pooled connections."""
        self._client.close()

    def fetch(self, media_id: str) -> Media:
        """The file behind ``media_id``; ``RetryableError`` or ``PermanentError`` otherwise."""
        described = self._get(f"{self._api}/{media_id}")
        try:
            info = described.json()
            url, content_type = str(info["url"]), str(info.get("mime_type") or "")
        except (ValueError, KeyError, TypeError) as error:
            raise RetryableError("the media description is not the Cloud API's") from error
        file = self._get(url)
        if len(file.content) > MAX_MEDIA_BYTES:
            raise PermanentError("the media file is larger than WhatsApp allows")
        return Media(file.content, content_type or "application/octet-stream")

    def _get(self, url: str) -> httpx.Response:
        return get_once(self._client, url, name="WhatsApp media")
