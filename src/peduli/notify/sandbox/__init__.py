"""Local stand-ins for the providers that really listen: an SMTP server, an SMS gateway, a
WhatsApp Cloud API and a Telegram Bot API (in-app notices need none: their table is the
delivery).

Used by ``peduli demo``, ``peduli sandbox`` and the tests; what they receive is stored in
the database and shown on the demo mailbox page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from peduli.core.db import get_sessionmaker
from peduli.notify.sandbox.sms_gateway import DELIVERY_REPORTS_PATH, SmsGateway
from peduli.notify.sandbox.smtp_server import SandboxSmtpServer
from peduli.notify.sandbox.telegram_gateway import TelegramGateway
from peduli.notify.sandbox.whatsapp_gateway import WhatsAppGateway


@dataclass
class SandboxHandles:
    """The running sandboxes; ``stop()`` shuts them down."""

    smtp: SandboxSmtpServer
    sms: SmsGateway
    whatsapp: WhatsAppGateway
    telegram: TelegramGateway

    @property
    def smtp_port(self) -> int:
        """Where the sandbox mail server listens."""
        return self.smtp.port

    @property
    def sms_url(self) -> str:
        """Where the sandbox SMS gateway takes batches."""
        return self.sms.url

    @property
    def whatsapp_url(self) -> str:
        """The sandbox WhatsApp API base (``PEDULI_WHATSAPP_API_URL``)."""
        return self.whatsapp.url

    @property
    def telegram_url(self) -> str:
        """The sandbox Telegram Bot API base (``PEDULI_TELEGRAM_API_URL``)."""
        return self.telegram.url

    def stop(self) -> None:
        """Stop the servers and free their ports."""
        self.smtp.stop()
        self.sms.stop()
        self.whatsapp.stop()
        self.telegram.stop()


def start_sandboxes(
    *,
    smtp_port: int,
    sms_port: int,
    host: str = "127.0.0.1",
    sms_token: str = "sandbox",  # noqa: S107 - the sandbox's well-known token, not a secret
    sms_path: str = "/sms",
    whatsapp_port: int = 0,
    whatsapp_prefix: str = "/v19.0",
    whatsapp_token: str = "sandbox",  # noqa: S107 - the sandbox's well-known token
    telegram_port: int = 0,
    telegram_token: str = "sandbox",  # noqa: S107 - the sandbox's well-known token
    delivery_reports_url: str | None = None,
    session_factory: Callable[[], Session] | None = None,
) -> SandboxHandles:
    """Start the sandbox SMTP server, SMS gateway, WhatsApp API and Telegram Bot API (port 0:
    a free port). With ``delivery_reports_url`` the SMS gateway posts a delivery report of
    each accepted message there, as a real gateway does."""
    factory = session_factory or get_sessionmaker()
    started: list[SandboxSmtpServer | SmsGateway | WhatsAppGateway | TelegramGateway] = []
    try:
        sms = SmsGateway(
            session_factory=factory,
            host=host,
            port=sms_port,
            path=sms_path,
            token=sms_token,
            delivery_reports_url=delivery_reports_url,
        )
        started.append(sms)
        whatsapp = WhatsAppGateway(
            session_factory=factory,
            host=host,
            port=whatsapp_port,
            prefix=whatsapp_prefix,
            token=whatsapp_token,
        )
        started.append(whatsapp)
        telegram = TelegramGateway(
            session_factory=factory, host=host, port=telegram_port, token=telegram_token
        )
        started.append(telegram)
        smtp = SandboxSmtpServer(session_factory=factory, host=host, port=smtp_port)
        smtp.start()
        started.append(smtp)
    except BaseException:
        for server in started:
            server.stop()
        raise
    sms.start()
    whatsapp.start()
    telegram.start()
    return SandboxHandles(smtp=smtp, sms=sms, whatsapp=whatsapp, telegram=telegram)


def delivery_reports_url(public_url: str) -> str:
    """Where the sandbox SMS gateway posts its delivery reports: the app at ``public_url``."""
    return public_url.rstrip("/") + DELIVERY_REPORTS_PATH


__all__ = ["SandboxHandles", "delivery_reports_url", "start_sandboxes"]
