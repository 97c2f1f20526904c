"""Local stand-ins for the providers that really listen: an SMTP server and an SMS gateway.

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


@dataclass
class SandboxHandles:
    """The running sandboxes; ``stop()`` shuts both down."""

    smtp: SandboxSmtpServer
    sms: SmsGateway

    @property
    def smtp_port(self) -> int:
        """Where the sandbox mail server listens."""
        return self.smtp.port

    @property
    def sms_url(self) -> str:
        """Where the sandbox SMS gateway takes batches."""
        return self.sms.url

    def stop(self) -> None:
        """Stop both servers and free their ports."""
        self.smtp.stop()
        self.sms.stop()


def start_sandboxes(
    *,
    smtp_port: int,
    sms_port: int,
    host: str = "127.0.0.1",
    sms_token: str = "sandbox",  # noqa: S107 - the sandbox's well-known token, not a secret
    sms_path: str = "/sms",
    session_factory: Callable[[], Session] | None = None,
) -> SandboxHandles:
    """Start the sandbox SMTP server and SMS gateway (port 0 picks a free port)."""
    factory = session_factory or get_sessionmaker()
    sms = SmsGateway(
        session_factory=factory, host=host, port=sms_port, path=sms_path, token=sms_token
    )
    smtp = SandboxSmtpServer(session_factory=factory, host=host, port=smtp_port)
    try:
        smtp.start()
    except BaseException:
        sms.stop()
        raise
    sms.start()
    return SandboxHandles(smtp=smtp, sms=sms)


__all__ = ["SandboxHandles", "start_sandboxes"]
