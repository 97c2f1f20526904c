"""A real HTTP server playing the Telegram Bot API's side of ``channels/telegram_bot.py``.

``POST /bot<token>/sendMessage`` with ``{"chat_id", "text"}`` stores the message once per
``Idempotency-Key`` header (Telegram has none; the sandbox counts re-sends by it) and
answers ``{"ok": true, "result": {"message_id", "chat", "date", "text"}}``. Refusals are in
the Bot API's shape: a wrong token 401, a chat that blocked the bot 403, injected faults
(``faults``) 429 with ``parameters.retry_after`` or 5xx.

The platform's other side is played too: a user who writes to the bot (``user_writes``
POSTs the ``Update`` Telegram would send to the bot's webhook, with its secret token).
"""

from __future__ import annotations

import itertools
import json
import mimetypes
import re
import time
import uuid
from collections.abc import Callable
from http import HTTPStatus
from typing import Any
from urllib.parse import parse_qs

import httpx
from sqlalchemy.orm import Session

from peduli.notify.models import ChannelName
from peduli.notify.sandbox import store
from peduli.notify.sandbox.http_server import SandboxHandler, SandboxHttpServer

_SEND = re.compile(r"^/bot(?P<token>[^/]+)/sendMessage$")
_GET_FILE = re.compile(r"^/bot(?P<token>[^/]+)/getFile$")
_DOWNLOAD = re.compile(r"^/file/bot(?P<token>[^/]+)/(?P<path>.+)$")
_CHAT_ID = re.compile(r"^-?\d{1,20}$|^@\w{5,32}$")
MAX_TEXT = 4096


def bot_error(code: int, description: str, retry_after: int | None = None) -> dict[str, Any]:
    """A Bot API refusal: ``ok`` false, the code, a description, the wait for a 429."""
    body: dict[str, Any] = {"ok": False, "error_code": code, "description": description}
    if retry_after is not None:
        body["parameters"] = {"retry_after": retry_after}
    return body


class TelegramGateway(SandboxHttpServer):
    """The sandbox Telegram Bot API, serving in a background thread until ``stop()``.

    ``blocked_chats`` holds the chat ids whose person blocked the bot (answered 403).
    """

    thread_name = "telegram-gateway"

    def __init__(
        self,
        *,
        session_factory: Callable[[], Session],
        host: str = "127.0.0.1",
        port: int = 0,
        token: str = "sandbox",  # noqa: S107 - the sandbox's well-known token, not a secret
    ) -> None:
        self.blocked_chats: set[str] = set()
        # Files users "sent", by file_id: (file_path, bytes), for getFile and the download.
        self.files: dict[str, tuple[str, bytes]] = {}
        super().__init__(session_factory, host=host, port=port, token=token)

    @property
    def url(self) -> str:
        """The API base an adapter is pointed at (``PEDULI_TELEGRAM_API_URL``)."""
        return self.base_url

    def keep_file(self, data: bytes, file_name: str) -> str:
        """Hold a file a user sends (a photo, ``photos/file_1.jpg``); its ``file_id``."""
        file_id = f"AgACAgUAAx{len(self.files) + 1:06d}"
        self.files[file_id] = (file_name, data)
        return file_id

    def accept(self, data: Any, idempotency_key: str) -> tuple[int, dict[str, Any]]:
        """Validate and store one ``sendMessage``; the status and Bot API answer."""
        problem = _problem_with(data)
        if problem:
            return HTTPStatus.BAD_REQUEST, bot_error(400, f"Bad Request: {problem}")
        chat = str(data["chat_id"])
        if chat in self.blocked_chats:
            return HTTPStatus.FORBIDDEN, bot_error(403, "Forbidden: bot was blocked by the user")
        received = store.Received(
            channel=ChannelName.TELEGRAM.value,
            recipient=chat,
            subject="",
            body=data["text"],
            idempotency_key=idempotency_key or f"telegram-sandbox:{uuid.uuid4()}",
        )
        with self.session_factory() as session, session.begin():
            ids = store.record(session, [received])
        result = {
            "message_id": ids[received.idempotency_key],
            "chat": {"id": data["chat_id"], "type": "private"},
            "date": int(time.time()),
            "text": received.body,
        }
        return HTTPStatus.OK, {"ok": True, "result": result}


def _problem_with(data: Any) -> str:
    """Why the Bot API would refuse this ``sendMessage``, or "" if it is fine."""
    if not isinstance(data, dict):
        return "send a JSON object with chat_id and text"
    if not _CHAT_ID.match(str(data.get("chat_id", ""))):
        return "chat not found"
    text = data.get("text")
    if not isinstance(text, str) or not text.strip():
        return "message text is empty"
    if len(text) > MAX_TEXT:
        return "message is too long"
    return ""


class _Handler(SandboxHandler):
    gateway: TelegramGateway

    def do_GET(self) -> None:  # noqa: N802 - the name http.server dispatches to
        """Files: ``getFile?file_id=…`` describes one, ``/file/bot<token>/<path>`` serves it."""
        path, _, query = self.path.partition("?")
        match = _GET_FILE.match(path) or _DOWNLOAD.match(path)
        if match is None:
            return self.answer(HTTPStatus.NOT_FOUND, bot_error(404, "Not Found"))
        if match["token"] != self.gateway.token:
            return self.answer(HTTPStatus.UNAUTHORIZED, bot_error(401, "Unauthorized"))
        if "path" in match.groupdict():
            kept = dict(self.gateway.files.values())
            if match["path"] not in kept:
                return self.answer(HTTPStatus.NOT_FOUND, bot_error(404, "Not Found"))
            content_type = mimetypes.guess_type(match["path"])[0] or "application/octet-stream"
            return self.answer_file(kept[match["path"]], content_type)
        file_id = parse_qs(query).get("file_id", [""])[0]
        if file_id not in self.gateway.files:
            return self.answer(
                HTTPStatus.BAD_REQUEST, bot_error(400, "Bad Request: invalid file_id")
            )
        name, data = self.gateway.files[file_id]
        result = {"file_id": file_id, "file_unique_id": file_id[-8:], "file_size": len(data),
                  "file_path": name}  # fmt: skip
        self.answer(HTTPStatus.OK, {"ok": True, "result": result})

    def post(self, body: bytes) -> None:
        match = _SEND.match(self.path.split("?")[0])
        if match is None:
            return self.answer(HTTPStatus.NOT_FOUND, bot_error(404, "Not Found"))
        if match["token"] != self.gateway.token:
            return self.answer(HTTPStatus.UNAUTHORIZED, bot_error(401, "Unauthorized"))
        fault = self.gateway.faults.take()
        if fault is not None:
            description = (
                f"Too Many Requests: retry after {fault.retry_after}"
                if fault.status == HTTPStatus.TOO_MANY_REQUESTS
                else "Internal Server Error: sandbox fault injected"
            )
            return self.answer(
                fault.status, bot_error(fault.status, description, fault.retry_after)
            )
        try:
            data = json.loads(body)
        except ValueError:
            return self.answer(HTTPStatus.BAD_REQUEST, bot_error(400, "Bad Request: not JSON"))
        code, answer = self.gateway.accept(data, self.headers.get("Idempotency-Key") or "")
        self.answer_accepted(answer, code)


_update_ids = itertools.count(int(time.time()))


def user_writes(
    webhook_url: str,
    *,
    secret_token: str,
    chat_id: int,
    content: dict[str, Any],
    first_name: str = "Siti",
    timeout: float = 10.0,
) -> httpx.Response:
    """A user writes to the bot in a private chat: the ``Update`` Telegram POSTs to the bot's
    webhook, with the ``secret_token`` given to setWebhook in
    ``X-Telegram-Bot-Api-Secret-Token``. ``content``: the message's own fields, e.g.
    ``{"text": "TOLONG"}``, ``{"location": {"latitude": …, "longitude": …}}`` or
    ``{"contact": {"phone_number": "+62…", "user_id": chat_id}}`` (sharing one's own number)."""
    number = next(_update_ids)
    user = {"id": chat_id, "is_bot": False, "first_name": first_name}
    update = {
        "update_id": number,
        "message": {
            "message_id": number,
            "from": user,
            "chat": {"id": chat_id, "type": "private", "first_name": first_name},
            "date": int(time.time()),
            **content,
        },
    }
    headers = {"X-Telegram-Bot-Api-Secret-Token": secret_token}
    return httpx.post(webhook_url, json=update, headers=headers, timeout=timeout)


# Set here because the handler class is defined below the gateway it serves.
TelegramGateway.handler = _Handler
