"""The conversations' periodic work, run by ``peduli worker`` (listed in ``peduli.jobs``).

Photos and documents are fetched here, never inside the webhook's request: the platform's
media id is recorded with the message, and this task downloads the file through the media
port and keeps it encrypted in the attachments' storage (``cases.storage``), as a case
attachment is kept.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from datetime import datetime

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from peduli.cases.storage import get_storage
from peduli.conversations.models import ChatChannel, ConversationMessage
from peduli.core.config import Settings, get_settings
from peduli.core.periodic import PeriodicTask
from peduli.notify.channels.telegram_media import TelegramMedia
from peduli.notify.channels.whatsapp_media import WhatsAppMedia
from peduli.notify.ports import MediaSource, PermanentError, RetryableError

BATCH = 20
SessionFactory = Callable[[], Session]
# Each platform's media download, made from the settings when a file of it waits.
MEDIA_SOURCES: dict[str, Callable[[Settings], MediaSource]] = {
    ChatChannel.WHATSAPP: WhatsAppMedia.from_settings,
    ChatChannel.TELEGRAM: TelegramMedia.from_settings,
}

_WAITING = (
    ConversationMessage.channel.in_(list(MEDIA_SOURCES)),
    ConversationMessage.media_id.is_not(None),
    ConversationMessage.attachment_key.is_(None),
    ConversationMessage.media_error.is_(None),
)


def fetch_media(
    session_factory: SessionFactory,
    _now: datetime,
    *,
    sources: Mapping[str, MediaSource] | None = None,
) -> int:
    """Fetch up to ``BATCH`` waiting files; how many were stored. A temporary failure is
    tried again next round; a final one is recorded so the officer sees why. ``sources``:
    the download per channel (by default each platform's, from the settings)."""
    with session_factory() as session:
        waiting = session.execute(
            select(ConversationMessage.id, ConversationMessage.conversation_id,
                   ConversationMessage.channel, ConversationMessage.media_id)
            .where(*_WAITING)
            .order_by(ConversationMessage.created_at)
            .limit(BATCH)
        ).all()  # fmt: skip
    if not waiting:
        return 0
    opened: dict[str, MediaSource] = {}
    stored = 0
    try:
        for message_id, conversation_id, channel, media_id in waiting:
            if sources is not None:
                media = sources[channel]
            else:
                media = opened.get(channel) or opened.setdefault(
                    channel, MEDIA_SOURCES[channel](get_settings())
                )
            values: dict[str, object]
            try:
                found = media.fetch(str(media_id))
            except RetryableError:
                continue
            except PermanentError as error:
                values = {"media_error": str(error)[:200]}
            else:
                key = f"chat/{conversation_id}/{message_id}"
                get_storage().put(key, found.data)
                values = {"attachment_key": key, "media_type": found.content_type,
                          "size_bytes": len(found.data)}  # fmt: skip
                stored += 1
            with session_factory() as session, session.begin():
                session.execute(
                    update(ConversationMessage)
                    .where(ConversationMessage.id == message_id, *_WAITING)
                    .values(**values)
                )
    finally:
        for media in opened.values():
            media.close()
    return stored


PERIODIC_TASKS: tuple[PeriodicTask, ...] = (
    PeriodicTask("fetch-chat-media", 10, run_batched=fetch_media, slow=True),
)
