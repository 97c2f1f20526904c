"""A sandbox payment gateway that really listens: it opens virtual accounts and, when one is
"paid" (``POST /virtual-accounts/{reference}/pay``, what a citizen's bank transfer does),
posts the signed notification to our webhook, as a real gateway would.

``POST /virtual-accounts`` (bearer token) opens one; paying an unknown reference is a 404,
paying twice notifies twice (our webhook must be idempotent). Used by the tests,
``peduli sandbox`` and ``peduli demo``.
"""

from __future__ import annotations

import json
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any

import httpx
from sqlalchemy.orm import Session

from peduli.core.db import get_sessionmaker
from peduli.notify.sandbox.http_server import SandboxHandler, SandboxHttpServer
from peduli.services.ports import SIGNATURE_HEADER, sign

WEBHOOK_PATH = "/api/v1/payments/notifications"


class PaymentSandbox(SandboxHttpServer):
    """The sandbox gateway; ``accounts`` holds what was opened, by reference."""

    thread_name = "payment-sandbox"

    def __init__(
        self,
        *,
        session_factory: Callable[[], Session],
        webhook_url: str,
        webhook_secret: str,
        host: str = "127.0.0.1",
        port: int = 0,
        token: str = "sandbox",  # noqa: S107 - the sandbox's well-known token, not a secret
    ) -> None:
        self.webhook_url = webhook_url
        self.webhook_secret = webhook_secret
        self.accounts: dict[str, dict[str, Any]] = {}
        self.lock = threading.Lock()
        super().__init__(session_factory, host=host, port=port, token=token)

    def pay(self, reference: str) -> int:
        """Settle ``reference``: post the signed notification; the webhook's HTTP status."""
        with self.lock:
            account = self.accounts.get(reference)
        if account is None:
            raise KeyError(reference)
        body = json.dumps(
            {
                "reference": reference,
                "amount_cents": account["amount_cents"],
                "currency": account["currency"],
                "paid_at": datetime.now(UTC).isoformat(),
            }
        ).encode()
        response = httpx.post(
            self.webhook_url,
            content=body,
            headers={
                "Content-Type": "application/json",
                SIGNATURE_HEADER: sign(self.webhook_secret, body),
            },
            timeout=10,
        )
        return response.status_code


class _Handler(SandboxHandler):
    gateway: PaymentSandbox

    def post(self, body: bytes) -> None:
        parts = self.path.split("?")[0].strip("/").split("/")
        if self.refused(unauthorized="send 'Authorization: Bearer <token>'"):
            return None
        if parts == ["virtual-accounts"]:
            return self._open(body)
        if len(parts) == 3 and parts[0] == "virtual-accounts" and parts[2] == "pay":
            try:
                status = self.gateway.pay(parts[1])
            except KeyError:
                return self.answer(HTTPStatus.NOT_FOUND, {"error": "no such virtual account"})
            return self.answer(HTTPStatus.OK, {"reference": parts[1], "webhook_status": status})
        return self.answer(HTTPStatus.NOT_FOUND, {"error": "post to /virtual-accounts"})

    def _open(self, body: bytes) -> None:
        try:
            payload = json.loads(body or b"null")
            reference = str(payload["reference"])
            amount = int(payload["amount_cents"])
            currency = str(payload["currency"])
        except (ValueError, KeyError, TypeError):
            return self.answer(
                HTTPStatus.BAD_REQUEST, {"error": "send reference, amount_cents and currency"}
            )
        with self.gateway.lock:
            if reference in self.gateway.accounts:
                return self.answer(HTTPStatus.CONFLICT, {"error": "already open"})
            self.gateway.accounts[reference] = {"amount_cents": amount, "currency": currency}
        return self.answer(HTTPStatus.CREATED, {"reference": reference, "status": "open"})


PaymentSandbox.handler = _Handler


def start_payment_sandbox(
    *, public_url: str, webhook_secret: str, host: str = "127.0.0.1", port: int = 0
) -> PaymentSandbox:
    """Start the sandbox gateway notifying the app at ``public_url`` (port 0: a free one)."""
    sandbox = PaymentSandbox(
        session_factory=get_sessionmaker(),
        webhook_url=public_url.rstrip("/") + WEBHOOK_PATH,
        webhook_secret=webhook_secret,
        host=host,
        port=port,
    )
    sandbox.start()
    return sandbox
