"""A real SMTP server (aiosmtpd) that keeps every mail it receives, once per Message-ID."""

from __future__ import annotations

import asyncio
import hashlib
from collections.abc import Callable
from email import policy
from email.message import EmailMessage
from email.parser import BytesParser
from typing import Any, cast

from aiosmtpd.controller import Controller
from sqlalchemy.orm import Session

from peduli.notify.models import ChannelName
from peduli.notify.sandbox import store
from peduli.notify.sandbox.faults import FaultInjector


class _Handler:
    def __init__(self, session_factory: Callable[[], Session], faults: FaultInjector) -> None:
        self._session_factory = session_factory
        self._faults = faults

    async def handle_DATA(self, server: Any, session: Any, envelope: Any) -> str:  # noqa: N802
        fault = self._faults.take()
        if fault is not None:
            return f"{fault.status} 4.3.0 Sandbox fault injected, try again later"
        content: bytes = envelope.original_content or envelope.content
        mail = BytesParser(policy=policy.default).parsebytes(content)
        assert isinstance(mail, EmailMessage)
        message_id = str(mail["Message-ID"] or "") or hashlib.sha256(content).hexdigest()
        recipients: list[str] = list(envelope.rcpt_tos)
        items = [
            store.Received(
                channel=ChannelName.EMAIL.value,
                recipient=recipient,
                subject=str(mail["Subject"] or ""),
                body=_plain_text(mail),
                idempotency_key=message_id if len(recipients) == 1 else f"{message_id} {recipient}",
            )
            for recipient in recipients
        ]
        await asyncio.to_thread(self._store, items)
        return "250 2.0.0 Message accepted"

    def _store(self, items: list[store.Received]) -> None:
        with self._session_factory() as session, session.begin():
            store.record(session, items)


def _plain_text(mail: EmailMessage) -> str:
    part = mail.get_body(preferencelist=("plain", "html"))
    return str(part.get_content()) if part is not None else ""


class _Controller(Controller):
    """aiosmtpd's controller, able to listen on a free port (port 0) chosen by the OS."""

    def _trigger_server(self) -> None:
        if self.port == 0 and self.server is not None:
            self.port = cast(asyncio.Server, self.server).sockets[0].getsockname()[1]
        super()._trigger_server()


class SandboxSmtpServer:
    """The sandbox mail server, listening in a background thread until ``stop()``."""

    def __init__(
        self, *, session_factory: Callable[[], Session], host: str = "127.0.0.1", port: int = 0
    ) -> None:
        self.faults = FaultInjector(status=451)
        self._controller = _Controller(
            _Handler(session_factory, self.faults),
            hostname=host,
            port=port,
            server_hostname="sandbox.peduli.local",
            enable_SMTPUTF8=True,
        )

    @property
    def port(self) -> int:
        """The port it listens on (the real one when started on port 0)."""
        return int(self._controller.port)

    def start(self) -> None:
        """Start listening; returns once the server answers."""
        self._controller.start()

    def stop(self) -> None:
        """Stop listening and end the thread."""
        self._controller.stop()
