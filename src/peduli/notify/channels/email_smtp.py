"""Email over SMTP: one connection per batch, one message per recipient."""

from __future__ import annotations

import smtplib
import ssl
from collections.abc import Sequence
from email.message import EmailMessage
from email.utils import formatdate, parseaddr

from peduli.core.config import Settings
from peduli.notify.ports import (
    DeliveryResult,
    DeliveryStatus,
    OutboundMessage,
    RetryableError,
    email_message_id,
)


class SmtpEmailChannel:
    """Sends through any SMTP server; the ``Message-ID`` is derived from the idempotency key."""

    def __init__(
        self,
        *,
        host: str,
        port: int,
        sender: str,
        timeout: float,
        username: str = "",
        password: str = "",
        starttls: bool = False,
    ) -> None:
        self._host = host
        self._port = port
        self._sender = sender
        self._envelope_from = parseaddr(sender)[1]
        self._domain = self._envelope_from.rpartition("@")[2] or "peduli.local"
        self._timeout = timeout
        self._username = username
        self._password = password
        self._starttls = starttls

    @classmethod
    def from_settings(cls, settings: Settings) -> SmtpEmailChannel:
        """The channel the operator configured (``PEDULI_SMTP_*``)."""
        return cls(
            host=settings.smtp_host,
            port=settings.smtp_port,
            sender=settings.smtp_sender,
            timeout=settings.adapter_timeout_seconds,
            username=settings.smtp_username,
            password=settings.smtp_password,
            starttls=settings.smtp_starttls,
        )

    def send(self, messages: Sequence[OutboundMessage]) -> list[DeliveryResult]:
        """Deliver ``messages`` over one connection; a dropped connection retries the rest."""
        smtp = self._connect()
        results: list[DeliveryResult] = []
        try:
            for index, message in enumerate(messages):
                try:
                    results.append(self._send_one(smtp, message))
                except (smtplib.SMTPServerDisconnected, OSError) as exc:
                    error = f"SMTP connection lost: {type(exc).__name__}"
                    results.extend(
                        DeliveryResult(m.id, DeliveryStatus.RETRY, error=error)
                        for m in messages[index:]
                    )
                    break
        finally:
            _quit_quietly(smtp)
        return results

    def _connect(self) -> smtplib.SMTP:
        # Connection and sign-in failures are treated as passing: an operator can fix the
        # server or the credentials, and the messages wait for it instead of dying.
        try:
            smtp = smtplib.SMTP(self._host, self._port, timeout=self._timeout)
            if self._starttls:
                smtp.starttls(context=ssl.create_default_context())
            if self._username:
                smtp.login(self._username, self._password)
        except (OSError, smtplib.SMTPException) as exc:
            raise RetryableError(f"cannot use the SMTP server: {type(exc).__name__}") from exc
        return smtp

    def _send_one(self, smtp: smtplib.SMTP, message: OutboundMessage) -> DeliveryResult:
        mail = self._compose(message)
        try:
            smtp.send_message(mail, from_addr=self._envelope_from, to_addrs=[message.recipient])
        except smtplib.SMTPRecipientsRefused as exc:
            code, reply = next(iter(exc.recipients.values()))
            return _refused(message, code, reply)
        except smtplib.SMTPResponseException as exc:
            return _refused(message, exc.smtp_code, exc.smtp_error)
        return DeliveryResult(
            message.id, DeliveryStatus.SENT, provider_message_id=mail["Message-ID"]
        )

    def _compose(self, message: OutboundMessage) -> EmailMessage:
        mail = EmailMessage()
        mail["From"] = self._sender
        mail["To"] = message.recipient
        mail["Subject"] = message.subject
        mail["Date"] = formatdate(usegmt=True)
        mail["Message-ID"] = email_message_id(message.idempotency_key, self._domain)
        mail.set_content(message.body)
        return mail


def _refused(message: OutboundMessage, code: int, reply: bytes | str) -> DeliveryResult:
    """4xx replies are temporary (try later); 5xx replies are final."""
    text = reply.decode(errors="replace") if isinstance(reply, bytes) else reply
    status = DeliveryStatus.RETRY if 400 <= code < 500 else DeliveryStatus.REJECTED
    return DeliveryResult(message.id, status, error=f"SMTP {code}: {text[:300]}")


def _quit_quietly(smtp: smtplib.SMTP) -> None:
    try:
        smtp.quit()
    except (OSError, smtplib.SMTPException):
        smtp.close()
