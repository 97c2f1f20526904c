"""The platforms' webhook shapes, read into one inbound message each, and their signatures.

WhatsApp (Cloud API): ``X-Hub-Signature-256: sha256=<hex HMAC-SHA256 of the raw body under
the app secret>``; ``entry[].changes[].value.messages[]`` of type text, image, document or
location (``statuses[]`` are delivery receipts, handled with the outbox, not here).
Telegram (Bot API): ``X-Telegram-Bot-Api-Secret-Token`` equal to the secret given with
``setWebhook``; an ``Update`` whose ``message`` has text, a location, photos or a contact.
"""

from __future__ import annotations

import hashlib
import hmac
from dataclasses import dataclass
from functools import partial
from typing import Any

from peduli.conversations.models import ChatChannel, MessageKind
from peduli.core.errors import FieldProblem, NotAuthenticated, ValidationFailed
from peduli.core.i18n import _


@dataclass(frozen=True)
class Inbound:
    """One message a citizen sent, whatever the platform."""

    channel: ChatChannel
    address: str  # a phone in E.164, or a Telegram chat id
    platform_message_id: str
    kind: MessageKind
    text: str | None = None
    latitude: float | None = None
    longitude: float | None = None
    media_id: str | None = None
    media_type: str | None = None
    # A phone the sender shared as their own (Telegram's contact of the sender himself).
    shared_phone: str | None = None
    language: str | None = None


def whatsapp_signature(body: bytes, app_secret: str) -> str:
    """The ``X-Hub-Signature-256`` header Meta sends with ``body``."""
    digest = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    return f"sha256={digest}"


def check_whatsapp_signature(body: bytes, header: str | None, app_secret: str) -> None:
    """Refuse a webhook not signed with the app secret (anyone can find the URL)."""
    if not header or not hmac.compare_digest(header, whatsapp_signature(body, app_secret)):
        raise NotAuthenticated(
            _("The X-Hub-Signature-256 header does not match the body and the app secret.")
        )


def check_telegram_secret(header: str | None, secret: str) -> None:
    """Refuse an update without the secret token given to Telegram with ``setWebhook``."""
    if not header or not hmac.compare_digest(header.encode(), secret.encode()):
        raise NotAuthenticated(_("The X-Telegram-Bot-Api-Secret-Token header is not ours."))


def _malformed(field: str) -> ValidationFailed:
    return ValidationFailed(
        [
            FieldProblem(
                field, "malformed_update", _("The update does not have the platform's shape.")
            )
        ]
    )


def _dict(value: Any, field: str) -> dict[str, Any]:
    if not isinstance(value, dict):
        raise _malformed(field)
    return value


def _list(value: Any, field: str) -> list[Any]:
    if value is None:
        return []
    if not isinstance(value, list):
        raise _malformed(field)
    return value


def _float(value: Any, field: str) -> float:
    if isinstance(value, bool) or not isinstance(value, int | float):
        raise _malformed(field)
    return float(value)


def _whatsapp_values(payload: Any) -> list[dict[str, Any]]:
    """The ``entry[].changes[].value`` objects of a Cloud API webhook."""
    return [
        _dict(_dict(change, "entry.changes").get("value"), "value")
        for entry in _list(_dict(payload, "body").get("entry"), "entry")
        for change in _list(_dict(entry, "entry").get("changes"), "entry.changes")
    ]


def whatsapp_messages(payload: Any) -> list[Inbound]:
    """The messages of a Cloud API webhook (none for a delivery receipt)."""
    return [
        _whatsapp_message(_dict(message, "value.messages"))
        for value in _whatsapp_values(payload)
        for message in _list(value.get("messages"), "value.messages")
    ]


def whatsapp_statuses(payload: Any) -> list[dict[str, Any]]:
    """The delivery receipts of a Cloud API webhook (``value.statuses``)."""
    return [
        _dict(status, "value.statuses")
        for value in _whatsapp_values(payload)
        for status in _list(value.get("statuses"), "value.statuses")
    ]


def _whatsapp_message(message: dict[str, Any]) -> Inbound:
    sender, message_id, kind = message.get("from"), message.get("id"), message.get("type")
    if not isinstance(sender, str) or not sender.isdigit() or not isinstance(message_id, str):
        raise _malformed("value.messages.from")
    base = partial(Inbound, ChatChannel.WHATSAPP, "+" + sender, message_id)
    if kind == "text":
        text = _dict(message.get("text"), "text").get("body")
        return base(kind=MessageKind.TEXT, text=str(text or ""))
    if kind == "location":
        place = _dict(message.get("location"), "location")
        return base(
            kind=MessageKind.LOCATION,
            latitude=_float(place.get("latitude"), "location.latitude"),
            longitude=_float(place.get("longitude"), "location.longitude"),
            text=place.get("name") or place.get("address"),
        )
    if kind in ("image", "document"):
        media = _dict(message.get(kind), kind)
        return base(
            kind=MessageKind(kind),
            media_id=str(media.get("id") or ""),
            media_type=str(media.get("mime_type") or "application/octet-stream"),
            text=media.get("caption"),
        )
    # Stickers, reactions, audio…: kept as a message the officer sees, without content.
    return base(kind=MessageKind.TEXT, text=None)


def telegram_message(update: Any) -> Inbound | None:
    """The message of a Bot API ``Update`` (None for updates that are not a new message)."""
    message = _dict(update, "body").get("message")
    if message is None:
        return None
    message = _dict(message, "message")
    chat = _dict(message.get("chat"), "message.chat")
    sender = _dict(message.get("from") or {}, "message.from")
    chat_id, message_id = chat.get("id"), message.get("message_id")
    if not isinstance(chat_id, int) or not isinstance(message_id, int):
        raise _malformed("message.message_id")
    # A message id is unique within its chat only.
    base = partial(
        Inbound,
        ChatChannel.TELEGRAM,
        str(chat_id),
        f"{chat_id}:{message_id}",
        language=sender.get("language_code"),
    )
    if "location" in message:
        place = _dict(message["location"], "message.location")
        return base(
            kind=MessageKind.LOCATION,
            latitude=_float(place.get("latitude"), "message.location.latitude"),
            longitude=_float(place.get("longitude"), "message.location.longitude"),
        )
    if "contact" in message:
        contact = _dict(message["contact"], "message.contact")
        own = contact.get("user_id") is not None and contact.get("user_id") == sender.get("id")
        phone = str(contact.get("phone_number") or "")
        return base(
            kind=MessageKind.CONTACT,
            shared_phone=("+" + phone.lstrip("+")) if own and phone else None,
        )
    if "photo" in message:
        sizes = _list(message["photo"], "message.photo")
        largest = _dict(sizes[-1], "message.photo") if sizes else {}
        return base(
            kind=MessageKind.IMAGE,
            media_id=str(largest.get("file_id") or ""),
            media_type="image/jpeg",
            text=message.get("caption"),
        )
    return base(kind=MessageKind.TEXT, text=message.get("text"))
