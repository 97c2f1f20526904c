"""Fixtures of the notify tests: the real sandbox servers on free ports, and adapters to them."""

from __future__ import annotations

from collections.abc import Callable, Iterator

import pytest
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from peduli.notify.channels.email_smtp import SmtpEmailChannel
from peduli.notify.channels.in_app import InAppChannel
from peduli.notify.channels.sms_http import HttpSmsChannel
from peduli.notify.channels.telegram_bot import TelegramBotChannel
from peduli.notify.channels.whatsapp_cloud import WhatsAppCloudChannel
from peduli.notify.ports import Channel
from peduli.notify.sandbox import SandboxHandles, start_sandboxes

SessionFactory = Callable[[], Session]


@pytest.fixture
def session_factory(clean_engine: Engine) -> SessionFactory:
    """Fresh sessions on the emptied test database, one per unit of work."""
    from peduli.core.db import get_sessionmaker

    return get_sessionmaker()


@pytest.fixture
def sandboxes(session_factory: SessionFactory) -> Iterator[SandboxHandles]:
    """The sandbox SMTP server and the SMS, WhatsApp and Telegram APIs, really listening on
    free ports."""
    handles = start_sandboxes(smtp_port=0, sms_port=0, session_factory=session_factory)
    yield handles
    handles.stop()


@pytest.fixture
def channels(sandboxes: SandboxHandles) -> Iterator[dict[str, Channel]]:
    """The production adapters, pointed at the sandboxes."""
    sms = HttpSmsChannel(url=sandboxes.sms_url, token="sandbox", timeout=2.0, batch_size=50)
    email = SmtpEmailChannel(
        host="127.0.0.1",
        port=sandboxes.smtp_port,
        sender="Peduli <no-reply@peduli.test>",
        timeout=2.0,
    )
    whatsapp = WhatsAppCloudChannel(
        api_url=sandboxes.whatsapp_url,
        token="sandbox",
        timeout=2.0,
        default_sender="100000000001",
        batch_size=50,
    )
    telegram = TelegramBotChannel(api_url=sandboxes.telegram_url, token="sandbox", timeout=2.0)
    yield {
        "email": email,
        "sms": sms,
        "whatsapp": whatsapp,
        "telegram": telegram,
        "in_app": InAppChannel(),
    }
    sms.close()
    whatsapp.close()
    telegram.close()
