"""A real HTTP SMS gateway speaking the batch API of ``channels/sms_http.py``.

It checks the bearer token, validates each message, stores it once per ``reference`` (the
sender's idempotency key) and answers one id and status per message, as providers do.
"""

from __future__ import annotations

import json
import re
import threading
import time
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any

from sqlalchemy.orm import Session

from peduli.notify.models import ChannelName
from peduli.notify.sandbox import store
from peduli.notify.sandbox.faults import FaultInjector

_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
MAX_BATCH = 1000
_BAD_BATCH = (
    f'send JSON {{"messages": [{{"to": …, "text": …, "reference": …}}]}} with 1 to {MAX_BATCH} '
    "messages"
)


class SmsGateway:
    """The sandbox SMS gateway, serving in a background thread until ``stop()``."""

    def __init__(
        self,
        *,
        session_factory: Callable[[], Session],
        host: str = "127.0.0.1",
        port: int = 0,
        path: str = "/sms",
        token: str = "sandbox",  # noqa: S107 - the sandbox's well-known token, not a secret
    ) -> None:
        self.faults = FaultInjector(status=503)
        self.path = path
        self.token = token
        self.session_factory = session_factory
        self._host = host
        handler = type("_BoundHandler", (_Handler,), {"gateway": self})
        self._server = ThreadingHTTPServer((host, port), handler)
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """The port it listens on (the real one when started on port 0)."""
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """Where an adapter posts its batches."""
        return f"http://{self._host}:{self.port}{self.path}"

    def start(self) -> None:
        """Start serving in a daemon thread."""
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="sms-gateway",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and free the port."""
        if self._thread is not None:
            self._server.shutdown()  # waits for serve_forever, so only once it was started
            self._thread.join()
            self._thread = None
        self._server.server_close()

    def accept(self, batch: list[dict[str, Any]]) -> list[dict[str, Any]]:
        """Validate and store one batch; return the per-message answers."""
        answers: list[dict[str, Any]] = []
        valid: list[store.Received] = []
        for item in batch:
            reference = str(item.get("reference") or "")
            problem = _problem_with(item)
            if problem:
                answers.append({"reference": reference, "status": "rejected", "error": problem})
                continue
            valid.append(
                store.Received(
                    channel=ChannelName.SMS.value,
                    recipient=item["to"],
                    subject="",
                    body=item["text"],
                    idempotency_key=reference,
                    sender=str(item.get("from") or "") or None,
                )
            )
        with self.session_factory() as session, session.begin():
            ids = store.record(session, valid)
        answers.extend(
            {
                "reference": m.idempotency_key,
                "id": f"sms-{ids[m.idempotency_key]}",
                "status": "accepted",
            }
            for m in valid
        )
        return answers


def _problem_with(item: Any) -> str:
    """Why a gateway would refuse this message, or "" if it is fine."""
    if not isinstance(item, dict):
        return "each message must be an object with to, text and reference"
    if not item.get("reference"):
        return "reference is required: send the message's idempotency key"
    if not isinstance(item.get("to"), str) or not _E164.match(item["to"]):
        return "to must be a phone number in E.164 form, like +6281234567890"
    if not isinstance(item.get("text"), str) or not item["text"]:
        return "text must be a non-empty string"
    return ""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"  # keep-alive: an adapter reuses its connection
    gateway: SmsGateway

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        if self.path.split("?")[0] != self.gateway.path:
            return self._answer(HTTPStatus.NOT_FOUND, {"error": f"post to {self.gateway.path}"})
        if self.headers.get("Authorization") != f"Bearer {self.gateway.token}":
            return self._answer(
                HTTPStatus.UNAUTHORIZED, {"error": "send 'Authorization: Bearer <token>'"}
            )
        fault = self.gateway.faults.take()
        if fault is not None:
            headers = (
                {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
            )
            return self._answer(fault.status, {"error": "sandbox fault injected"}, headers)
        try:
            batch = json.loads(body)["messages"]
        except (ValueError, KeyError, TypeError):
            batch = None
        if not isinstance(batch, list) or not 0 < len(batch) <= MAX_BATCH:
            return self._answer(
                HTTPStatus.BAD_REQUEST,
                {"error": _BAD_BATCH},
            )
        answers = self.gateway.accept(batch)
        time.sleep(self.gateway.faults.delay())
        self._answer(HTTPStatus.OK, {"messages": answers})

    def _answer(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        data = json.dumps(payload).encode()
        self.send_response(status)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        try:
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True  # the sender timed out and hung up: it will re-send

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: request lines are not needed and bodies hold phone numbers."""
