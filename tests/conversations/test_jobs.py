"""Photos citizens send are fetched by the worker from the platform (the sandbox WhatsApp
API) and kept encrypted; a file the platform no longer has is recorded, not retried."""

from __future__ import annotations

from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.auth.actor import Role
from peduli.auth.audit import AuditEntry
from peduli.cases.storage import get_storage
from peduli.conversations import inbound, jobs, service
from peduli.conversations.models import ChatChannel, ConversationMessage, MessageKind
from peduli.conversations.platforms import Inbound
from peduli.core.config import get_settings
from peduli.core.db import get_sessionmaker, utcnow
from peduli.core.errors import NotFound
from peduli.notify.channels.telegram_media import TelegramMedia
from peduli.notify.channels.whatsapp_media import WhatsAppMedia
from peduli.notify.sandbox.telegram_gateway import TelegramGateway
from peduli.notify.sandbox.whatsapp_gateway import WhatsAppGateway
from tests.emergency.conftest import KL, SEOUL, staff_actor

PHOTO = b"\xff\xd8\xff\xe0 a photo of a passport page"


@pytest.fixture
def gateway(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> Iterator[WhatsAppGateway]:
    monkeypatch.setenv("PEDULI_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    server = WhatsAppGateway(session_factory=get_sessionmaker())
    server.start()
    yield server
    server.stop()
    get_settings.cache_clear()


def _photo(db: Session, media_id: str, number: int) -> None:
    message = Inbound(ChatChannel.WHATSAPP, "+821012345678", f"wamid.photo{number}",
                      MessageKind.IMAGE, media_id=media_id, media_type="image/jpeg")  # fmt: skip
    inbound.receive(db, inbound=message)
    db.commit()


def test_a_photo_is_fetched_and_kept_encrypted(db: Session, gateway: WhatsAppGateway) -> None:
    _photo(db, gateway.keep_media(PHOTO, "image/jpeg"), 1)
    _photo(db, "999999", 2)  # gone from the platform
    media = WhatsAppMedia(api_url=gateway.url, token="sandbox", timeout=5)
    try:
        assert jobs.fetch_media(get_sessionmaker(), utcnow(), sources={"whatsapp": media}) == 1
        assert jobs.fetch_media(get_sessionmaker(), utcnow(), sources={"whatsapp": media}) == 0
    finally:
        media.close()
    db.expire_all()
    kept, gone = db.scalars(select(ConversationMessage).order_by(ConversationMessage.created_at))
    assert kept.attachment_key is not None and kept.size_bytes == len(PHOTO)
    assert get_storage().get(kept.attachment_key) == PHOTO
    on_disk = Path(get_settings().data_dir, "attachments", *kept.attachment_key.split("/"))
    assert PHOTO not in on_disk.read_bytes(), "encrypted at rest"
    assert gone.attachment_key is None and "404" in (gone.media_error or "")


def test_an_officer_of_the_post_opens_the_photo_and_it_is_audited(
    db: Session, gateway: WhatsAppGateway
) -> None:
    _photo(db, gateway.keep_media(PHOTO, "image/jpeg"), 3)
    media = WhatsAppMedia(api_url=gateway.url, token="sandbox", timeout=5)
    try:
        jobs.fetch_media(get_sessionmaker(), utcnow(), sources={"whatsapp": media})
    finally:
        media.close()
    db.expire_all()
    message = db.scalars(select(ConversationMessage)).one()
    seoul = staff_actor(db, Role.OFFICER, SEOUL, "seoul")
    kl = staff_actor(db, Role.OFFICER, KL, "kl")
    found = service.read_file(db, conversation_id=message.conversation_id,
                              message_id=message.id, actor=seoul)  # fmt: skip
    assert found.data == PHOTO
    assert "conversation.file_read" in db.scalars(select(AuditEntry.action)).all()
    with pytest.raises(NotFound):
        service.read_file(db, conversation_id=message.conversation_id, message_id=message.id,
                          actor=kl)  # fmt: skip


def test_a_telegram_photo_is_fetched_through_the_bot_api(
    db: Session, monkeypatch: pytest.MonkeyPatch, tmp_path: Path
) -> None:
    monkeypatch.setenv("PEDULI_DATA_DIR", str(tmp_path))
    get_settings.cache_clear()
    bot = TelegramGateway(session_factory=get_sessionmaker())
    bot.start()
    media = TelegramMedia(api_url=bot.url, token="sandbox", timeout=5)
    try:
        file_id = bot.keep_file(PHOTO, "photos/file_7.jpg")
        for number, sent in enumerate((file_id, "AgACAgUAAxgone"), start=1):
            message = Inbound(ChatChannel.TELEGRAM, "770001", f"770001:{number}",
                              MessageKind.IMAGE, media_id=sent)  # fmt: skip
            inbound.receive(db, inbound=message)
        db.commit()
        assert jobs.fetch_media(get_sessionmaker(), utcnow(), sources={"telegram": media}) == 1
    finally:
        media.close()
        bot.stop()
    db.expire_all()
    kept, gone = db.scalars(select(ConversationMessage).order_by(ConversationMessage.created_at))
    assert (kept.media_type, get_storage().get(kept.attachment_key or "")) == ("image/jpeg", PHOTO)
    assert gone.attachment_key is None and "400" in (gone.media_error or "")
    get_settings.cache_clear()
