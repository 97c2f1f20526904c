"""Local stand-ins for the providers that really listen: an SMTP server, an SMS gateway and a
WhatsApp Cloud API (in-app notices need none: their table is the delivery).

Used by ``peduli demo``, ``peduli sandbox`` and the tests; what they receive is stored in
the database and shown on the demo mailbox page.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass

from sqlalchemy.orm import Session

from peduli.core.db import get_sessionmaker
from peduli.notify.sandbox.sms_gateway import SmsGateway
from peduli.notify.sandbox.smtp_server import SandboxSmtpServer
from peduli.notify.sandbox.whatsapp_gateway import WhatsAppGateway


@dataclass
class SandboxHandles:
    """The running sandboxes; ``stop()`` shuts them down."""

    smtp: SandboxSmtpServer
    sms: SmsGateway
    whatsapp: WhatsAppGateway

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

    def stop(self) -> None:
        """Stop the servers and free their ports."""
        self.smtp.stop()
        self.sms.stop()
        self.whatsapp.stop()


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
    session_factory: Callable[[], Session] | None = None,
) -> SandboxHandles:
    """Start the sandbox SMTP server, SMS gateway and WhatsApp API (port 0: a free port)."""
    factory = session_factory or get_sessionmaker()
    sms = SmsGateway(
        session_factory=factory, host=host, port=sms_port, path=sms_path, token=sms_token
    )
    try:
        whatsapp = WhatsAppGateway(
            session_factory=factory,
            host=host,
            port=whatsapp_port,
            prefix=whatsapp_prefix,
            token=whatsapp_token,
        )
    except BaseException:
        sms.stop()
        raise
    smtp = SandboxSmtpServer(session_factory=factory, host=host, port=smtp_port)
    try:
        smtp.start()
    except BaseException:
        sms.stop()
        whatsapp.stop()
        raise
    sms.start()
    whatsapp.start()
    return SandboxHandles(smtp=smtp, sms=sms, whatsapp=whatsapp)


__all__ = ["SandboxHandles", "start_sandboxes"]
