"""A sandbox partner state of the bilateral exchange: answers like a ministry would.

``POST /<code>/messages`` (code ``my`` or ``sa``) takes our signed request: it checks our
Ed25519 signature with our public key, the timestamp window and that the message id is new
(a replay: 409), stores it (channel ``partner_state`` of the demo mailbox) and answers 202
with its own file reference. A moment later it posts, signed with its own key, an
acknowledgement to the request's ``reply_to`` and then its answer: consular access granted
(with a date and place of visit), the worker's status (employed, with the employer it has
on file), or the repatriation cleared (exit permit). Faults are injected through ``faults``.
"""

from __future__ import annotations

import itertools
import json
import threading
import time
import uuid
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from http import HTTPStatus
from typing import Any

import httpx
from sqlalchemy.orm import Session

from peduli.agencies.exchange_signing import (
    ExchangeSignatureRejected,
    public_key_of,
    sandbox_seed,
    sign,
    verify,
)
from peduli.agencies.exchange_workflow import AnswerKind, RequestKind
from peduli.agencies.sandbox.base import SandboxRequest, SandboxServer
from peduli.core.logging import get_logger
from peduli.notify.models import ChannelName
from peduli.notify.sandbox import store

log = get_logger(__name__)


@dataclass(frozen=True)
class SandboxPartner:
    code: str
    name: str
    visit_place: str


PARTNERS = (
    SandboxPartner(
        "MY", "Malaysia: One Channel System (sandbox)", "Depot Imigresen Semenyih, Selangor"
    ),
    SandboxPartner("SA", "Saudi Arabia: Musaned (sandbox)", "Tarhil deportation centre, Riyadh"),
)


def key_id(code: str) -> str:
    return f"sandbox-{code.lower()}-1"


def partner_seed(code: str) -> bytes:
    return sandbox_seed(f"partner-{code.upper()}")


def answer_for(request: Mapping[str, Any], partner: SandboxPartner) -> tuple[str, dict[str, str]]:
    """The kind and details a ministry would answer ``request`` with."""
    kind = request.get("kind")
    subject = request.get("subject") or {}
    soon = (datetime.now(UTC) + timedelta(days=3)).date().isoformat()
    if kind == RequestKind.CONSULAR_ACCESS:
        return AnswerKind.CONSULAR_ACCESS_GRANTED, {
            "visit_date": soon,
            "place": partner.visit_place,
        }
    if kind == RequestKind.REPATRIATION:
        return AnswerKind.REPATRIATION_CLEARED, {
            "exit_permit": f"EP-{uuid.uuid4().hex[:8]}",
            "valid_until": soon,
        }
    return AnswerKind.WORKER_STATUS_REPORT, {
        "status": "employed",
        "employer": str(subject.get("employer") or "not on file"),
        "work_permit": "valid",
    }


class _Partner(SandboxRequest):
    server_state: PartnerStateSandbox

    def post(self, body: bytes) -> None:
        sandbox = self.server_state
        code = self.path.strip("/").split("/")[0].upper()
        partner = next((p for p in PARTNERS if p.code == code), None)
        if partner is None or not self.path.rstrip("/").endswith("/messages"):
            self.refuse(HTTPStatus.NOT_FOUND, "unknown partner")
            return
        try:
            verify(
                dict(self.headers.items()),
                body,
                public_keys=sandbox.our_keys,
                now=sandbox.clock(),
                window=sandbox.window,
            )
        except ExchangeSignatureRejected as rejected:
            sandbox.refused.append(rejected.reason)
            self.refuse(HTTPStatus.UNAUTHORIZED, rejected.reason)
            return
        try:
            request = json.loads(body)
            message_id = str(request["message_id"])
        except (ValueError, KeyError, TypeError):
            self.refuse(HTTPStatus.BAD_REQUEST, "not a message")
            return
        if not sandbox.first_time(code, message_id):
            self.refuse(HTTPStatus.CONFLICT, "replay")
            return
        reference = f"{code}-OCS-{next(sandbox.counter):06d}"
        with sandbox.session_factory() as session, session.begin():
            store.record(
                session,
                [
                    store.Received(
                        channel=ChannelName.PARTNER_STATE.value,
                        recipient=code,
                        subject=str(request.get("kind") or ""),
                        body=body.decode(),
                        idempotency_key=message_id,
                    )
                ],
            )
        sandbox.answer_later(partner, request, reference)
        self.answer(HTTPStatus.ACCEPTED, {"status": "received", "partner_reference": reference})


class PartnerStateSandbox(SandboxServer):
    """The sandbox ministries (Malaysia, Saudi Arabia) behind one port."""

    thread_name = "sandbox-partner-state"
    handler = _Partner

    def __init__(
        self,
        session_factory: Callable[[], Session],
        *,
        our_keys: Mapping[str, str],
        host: str = "127.0.0.1",
        port: int = 8033,
        window: int = 300,
        ack_delay: float = 0.3,
        answer_delay: float = 1.5,
        answer_tries: int = 20,
        clock: Callable[[], float] = time.time,
    ) -> None:
        super().__init__(session_factory, host=host, port=port)
        self.our_keys = dict(our_keys)
        self.window = window
        self.ack_delay = ack_delay
        self.answer_delay = answer_delay
        self.answer_tries = answer_tries
        self.clock = clock
        self.refused: list[str] = []
        self.posted: list[tuple[int, dict[str, Any]]] = []
        self.counter = itertools.count(1)
        self._seen: set[tuple[str, str]] = set()
        self._lock = threading.Lock()
        self._timers: list[threading.Timer] = []

    def partner_url(self, code: str) -> str:
        return f"{self.url}/{code.lower()}"

    def first_time(self, code: str, message_id: str) -> bool:
        with self._lock:
            if (code, message_id) in self._seen:
                return False
            self._seen.add((code, message_id))
            return True

    def answer_later(
        self, partner: SandboxPartner, request: Mapping[str, Any], reference: str
    ) -> None:
        """Post the acknowledgement, then the answer, to the request's ``reply_to``."""
        reply_to = str(request.get("reply_to") or "")
        if not reply_to:
            return
        kind, details = answer_for(request, partner)
        ack = self._document(partner, request, AnswerKind.ACKNOWLEDGEMENT, reference, {})
        answer = self._document(partner, request, kind, reference, details)
        timer = threading.Timer(
            self.ack_delay, self._answer_in_turn, (partner.code, reply_to, ack, answer)
        )
        timer.daemon = True
        timer.start()
        self._timers.append(timer)

    def _answer_in_turn(
        self, code: str, url: str, ack: dict[str, Any], answer: dict[str, Any]
    ) -> None:
        """The acknowledgement first, the answer once it is decided (as a ministry would)."""
        self.post_signed(code, url, ack)
        time.sleep(max(self.answer_delay - self.ack_delay, 0))
        self.post_signed(code, url, answer)

    def _document(
        self,
        partner: SandboxPartner,
        request: Mapping[str, Any],
        kind: str,
        reference: str,
        details: dict[str, str],
    ) -> dict[str, Any]:
        return {
            "message_id": f"{partner.code}-{uuid.uuid4()}",
            "kind": str(kind),
            "in_reply_to": str(request.get("message_id")),
            "sent_at": datetime.now(UTC).isoformat(),
            "partner_reference": reference,
            "details": details,
        }

    def post_signed(self, code: str, url: str, document: dict[str, Any]) -> int:
        """Sign ``document`` with the partner's key and post it; returns the status."""
        body = json.dumps(document).encode()
        status = 0
        for attempt in range(self.answer_tries):
            # Signed afresh each time: the receiver refuses an old timestamp.
            headers = sign(
                partner_seed(code), key_id=key_id(code), body=body, timestamp=int(self.clock())
            )
            try:
                response = httpx.post(
                    url,
                    content=body,
                    timeout=5,
                    headers={**headers, "Content-Type": "application/json"},
                )
            except httpx.HTTPError as exc:  # the app not up yet: a ministry tries again
                log.warning("partner answer not taken", error=type(exc).__name__)
            else:
                status = response.status_code
                if status < 500:
                    break
            time.sleep(min(0.5 * 2**attempt, 15))
        with self._lock:
            self.posted.append((status, document))
        return status

    def stop(self) -> None:
        for timer in self._timers:
            timer.cancel()
        super().stop()

    def registrations(self) -> list[dict[str, str]]:
        """What to register for each sandbox partner (``exchange.register_partner``)."""
        return [
            {
                "code": p.code,
                "name": p.name,
                "url": self.partner_url(p.code),
                "key_id": key_id(p.code),
                "public_key": public_key_of(partner_seed(p.code)),
            }
            for p in PARTNERS
        ]


def start_partner_state(
    session_factory: Callable[[], Session],
    *,
    our_key_id: str,
    our_public_key: str,
    port: int = 8033,
    **options: Any,
) -> PartnerStateSandbox:
    sandbox = PartnerStateSandbox(
        session_factory, our_keys={our_key_id: our_public_key}, port=port, **options
    )
    sandbox.start()
    return sandbox
