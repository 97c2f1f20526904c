"""Fetching a photo or document a citizen sent to the Telegram bot (Bot API files).

Two requests: ``GET {api}/bot<token>/getFile?file_id=…`` answers ``{"ok": true, "result":
{"file_path": …}}``, then ``GET {api}/file/bot<token>/<file_path>`` answers the bytes (the
path is valid for an hour, so the two follow each other). 429, 5xx and network failures are
temporary; other 4xx final (a file the bot may no longer read).
"""

from __future__ import annotations

import mimetypes
from urllib.parse import quote

import httpx

from peduli.core.config import Settings
from peduli.notify.channels.http_common import get_once
from peduli.notify.ports import Media, PermanentError, RetryableError

MAX_FILE_BYTES = 20 * 1024 * 1024  # what the Bot API lets a bot download


class TelegramMedia:
    """The file download of the Telegram Bot API."""

    def __init__(
        self,
        *,
        api_url: str,
        token: str,
        timeout: float,
        transport: httpx.BaseTransport | None = None,
    ) -> None:
        self._api = api_url.rstrip("/")
        self._token = token
        self._client = httpx.Client(timeout=timeout, transport=transport)

    @classmethod
    def from_settings(cls, settings: Settings) -> TelegramMedia:
        """The file download of the configured bot (``PEDULI_TELEGRAM_*``)."""
        return cls(
            api_url=settings.telegram_api_url,
            token=settings.telegram_bot_token,
            timeout=settings.adapter_timeout_seconds,
        )

    def close(self) -> None:
        """Release the pooled connections."""
        self._client.close()

    def fetch(self, media_id: str) -> Media:
        """The file behind the ``file_id``; ``RetryableError`` or ``PermanentError`` otherwise."""
        described = get_once(
            self._client,
            f"{self._api}/bot{self._token}/getFile?file_id={quote(media_id, safe='')}",
            name="Telegram getFile",
        )
        try:
            path = str(described.json()["result"]["file_path"])
        except (ValueError, KeyError, TypeError) as error:
            raise RetryableError("the file description is not the Bot API's") from error
        file = get_once(
            self._client, f"{self._api}/file/bot{self._token}/{path}", name="Telegram file"
        )
        if len(file.content) > MAX_FILE_BYTES:
            raise PermanentError("the file is larger than the Bot API lets a bot download")
        content_type = mimetypes.guess_type(path)[0] or "application/octet-stream"
        return Media(file.content, content_type)
