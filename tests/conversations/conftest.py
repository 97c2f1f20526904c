"""Fixtures of the conversations tests: platform webhooks as the platforms send them."""

from __future__ import annotations

import json
from itertools import count
from typing import Any

from fastapi.testclient import TestClient
from httpx import Response

from peduli.conversations.platforms import whatsapp_signature
from peduli.core.config import get_settings
from tests.partners.conftest import officer, scene  # noqa: F401 (fixtures for partner tests)

WEBHOOK = "/api/v1/channels/whatsapp/webhook"
TELEGRAM_WEBHOOK = "/api/v1/channels/telegram/webhook"
_ids = count(1)


def whatsapp_message(phone: str, text: str | None = None, **content: Any) -> dict[str, Any]:
    """One Cloud API inbound message: text, or another type given as ``type=…`` + content."""
    message: dict[str, Any] = {
        "from": phone.lstrip("+"),
        "id": f"wamid.test{next(_ids)}",
        "timestamp": "1764979200",
    }
    if text is not None:
        message |= {"type": "text", "text": {"body": text}}
    message |= content
    return message


def whatsapp_payload(
    *messages: dict[str, Any], statuses: list[Any] | None = None
) -> dict[str, Any]:
    """A Cloud API webhook carrying ``messages`` (and delivery ``statuses``)."""
    value: dict[str, Any] = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": "6281100000001", "phone_number_id": "100000000001"},
        "contacts": [{"profile": {"name": "Siti"}, "wa_id": m["from"]} for m in messages],
        "messages": list(messages),
    }
    if statuses is not None:
        value["statuses"] = statuses
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": "WABA", "changes": [{"value": value, "field": "messages"}]}],
    }


def post_whatsapp(
    client: TestClient, payload: dict[str, Any], *, secret: str | None = None
) -> Response:
    """POST the payload signed with the app secret, as Meta does."""
    body = json.dumps(payload).encode()
    signature = whatsapp_signature(body, secret or get_settings().whatsapp_app_secret)
    return client.post(
        WEBHOOK,
        content=body,
        headers={"Content-Type": "application/json", "X-Hub-Signature-256": signature},
    )


def telegram_update(chat_id: int, **message: Any) -> dict[str, Any]:
    """A Bot API ``Update`` with a private message from user ``chat_id``."""
    number = next(_ids)
    return {
        "update_id": number,
        "message": {
            "message_id": number,
            "from": {"id": chat_id, "is_bot": False, "first_name": "Siti", "language_code": "id"},
            "chat": {"id": chat_id, "type": "private", "first_name": "Siti"},
            "date": 1764979200,
            **message,
        },
    }


def post_telegram(
    client: TestClient, update: dict[str, Any], secret: str | None = None
) -> Response:
    return client.post(
        TELEGRAM_WEBHOOK,
        json=update,
        headers={
            "X-Telegram-Bot-Api-Secret-Token": secret or get_settings().telegram_webhook_secret
        },
    )
