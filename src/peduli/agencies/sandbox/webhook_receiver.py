"""A sandbox subscriber: takes ``POST /hooks/<name>`` and checks each delivery as the guide
for subscribers says (``docs/webhooks.md``): the HMAC signature with the hook's secret, the
timestamp within the 5-minute replay window, and the event id not taken before.

A good delivery is answered 200 and stored (channel ``webhook`` of the demo mailbox; an
event delivered again only counts one more delivery, and is answered 200 too, so the sender
stops); a missing or wrong signature 401, a stale one 400, an unknown hook 404. Faults (5xx,
429, slow answers) are injected through ``faults``.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable
from dataclasses import dataclass
from http import HTTPStatus

from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.agencies.models import WebhookSubscription
from peduli.agencies.sandbox.base import SandboxRequest, SandboxServer
from peduli.agencies.webhook_signing import (
    EVENT_ID_HEADER,
    SIGNATURE_HEADER,
    SignatureRejected,
    verify,
)
from peduli.notify.models import ChannelName
from peduli.notify.sandbox import store

HOOKS_PATH = "/hooks/"


@dataclass(frozen=True)
class Refusal:
    hook: str
    reason: str


class _Hook(SandboxRequest):
    server_state: WebhookReceiver

    def post(self, body: bytes) -> None:
        receiver = self.server_state
        if not self.path.startswith(HOOKS_PATH):
            self.refuse(HTTPStatus.NOT_FOUND, "unknown path")
            return
        hook = self.path[len(HOOKS_PATH) :].strip("/")
        secrets = receiver.secrets_of(hook)
        if not secrets:
            self.refuse(HTTPStatus.NOT_FOUND, "unknown hook")
            return
        try:
            verify(self.headers.get(SIGNATURE_HEADER), body, secrets, now=receiver.clock())
        except SignatureRejected as rejected:
            receiver.refused.append(Refusal(hook, rejected.reason))
            status = (
                HTTPStatus.BAD_REQUEST if rejected.reason == "stale" else HTTPStatus.UNAUTHORIZED
            )
            self.refuse(status, rejected.reason)
            return
        try:
            event = json.loads(body)
        except ValueError:
            self.refuse(HTTPStatus.BAD_REQUEST, "not JSON")
            return
        event_id = str(event.get("id") or self.headers.get(EVENT_ID_HEADER) or "")
        with receiver.session_factory() as session, session.begin():
            store.record(
                session,
                [
                    store.Received(
                        channel=ChannelName.WEBHOOK.value,
                        recipient=hook,
                        subject=str(event.get("type") or ""),
                        body=body.decode(),
                        idempotency_key=event_id,
                    )
                ],
            )
        self.answer(HTTPStatus.OK, {"received": event_id})


class WebhookReceiver(SandboxServer):
    """The sandbox subscriber; ``trust(hook, secret)`` gives a hook its secret."""

    thread_name = "sandbox-webhook-receiver"
    handler = _Hook

    def __init__(
        self,
        session_factory: Callable[[], Session],
        *,
        host: str = "127.0.0.1",
        port: int = 8034,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(session_factory, host=host, port=port)
        self.clock = clock
        self.refused: list[Refusal] = []
        self._secrets: dict[str, list[str]] = {}
        self._lock = threading.Lock()

    def trust(self, hook: str, secret: str) -> str:
        """Take deliveries at ``/hooks/<hook>`` signed with ``secret`` (one more, during a
        rotation); returns the hook's URL."""
        with self._lock:
            self._secrets.setdefault(hook, []).insert(0, secret)
        return self.hook_url(hook)

    def hook_url(self, hook: str) -> str:
        return f"{self.url}{HOOKS_PATH}{hook}"

    def secrets_of(self, hook: str) -> list[str]:
        """The hook's secrets: those it was given, else (a sandbox sharing the platform's
        database, as in ``peduli sandbox``) the secrets of the subscriptions at its URL."""
        with self._lock:
            given = list(self._secrets.get(hook, []))
        if given:
            return given
        with self.session_factory() as session:
            subs = session.scalars(
                select(WebhookSubscription).where(
                    WebhookSubscription.url.like(f"%{HOOKS_PATH}{hook}")
                )
            ).all()
            return [sub.secret for sub in subs]


def start_webhook_receiver(
    session_factory: Callable[[], Session], *, port: int = 8034
) -> WebhookReceiver:
    receiver = WebhookReceiver(session_factory, port=port)
    receiver.start()
    return receiver
