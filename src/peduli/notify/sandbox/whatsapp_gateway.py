"""A real HTTP server speaking the WhatsApp Cloud API shape of ``channels/whatsapp_cloud.py``.

``POST {prefix}/{phone_number_id}/messages`` takes one message; ``POST {prefix}/`` takes a
Graph batch of up to 1,000 (Meta: 50). Each message is stored once per
``biz_opaque_callback_data`` (the sender's idempotency key), with the phone number id as
its sender, and answered with a ``wamid`` as the Cloud API does.
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

MAX_BATCH = 1000
_WA_ID = re.compile(r"^[1-9]\d{6,14}$")
_RELATIVE = re.compile(r"^/?(?P<phone>[0-9A-Za-z_-]{1,64})/messages$")


def _graph_error(message: str, code: int = 100) -> dict[str, Any]:
    return {"error": {"message": message, "type": "OAuthException", "code": code}}


class WhatsAppGateway:
    """The sandbox WhatsApp Cloud API, serving in a background thread until ``stop()``."""

    def __init__(
        self,
        *,
        session_factory: Callable[[], Session],
        host: str = "127.0.0.1",
        port: int = 0,
        prefix: str = "/v19.0",
        token: str = "sandbox",  # noqa: S107 - the sandbox's well-known token, not a secret
    ) -> None:
        self.faults = FaultInjector(status=503)
        self.prefix = "/" + prefix.strip("/") if prefix.strip("/") else ""
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
        """The API base an adapter is pointed at (``PEDULI_WHATSAPP_API_URL``)."""
        return f"http://{self._host}:{self.port}{self.prefix}"

    def start(self) -> None:
        """Start serving in a daemon thread."""
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name="whatsapp-gateway",
            daemon=True,
        )
        self._thread.start()

    def stop(self) -> None:
        """Stop serving and free the port."""
        if self._thread is not None:
            self._server.shutdown()
            self._thread.join()
            self._thread = None
        self._server.server_close()

    def accept(self, requests: list[tuple[str, Any]]) -> list[tuple[int, dict[str, Any]]]:
        """Validate and store (phone number id, message) pairs; answer (code, body) each."""
        answers: list[tuple[int, dict[str, Any]] | None] = []
        valid: list[tuple[int, store.Received]] = []
        for index, (phone, message) in enumerate(requests):
            problem = _problem_with(message)
            if problem:
                answers.append((HTTPStatus.BAD_REQUEST, _graph_error(problem)))
                continue
            answers.append(None)
            valid.append(
                (
                    index,
                    store.Received(
                        channel=ChannelName.WHATSAPP.value,
                        recipient="+" + message["to"],
                        subject="",
                        body=message["text"]["body"],
                        idempotency_key=message["biz_opaque_callback_data"],
                        sender=phone,
                    ),
                )
            )
        with self.session_factory() as session, session.begin():
            ids = store.record(session, [item for _, item in valid])
        for index, item in valid:
            answers[index] = (
                HTTPStatus.OK,
                {
                    "messaging_product": "whatsapp",
                    "contacts": [{"input": item.recipient[1:], "wa_id": item.recipient[1:]}],
                    "messages": [{"id": f"wamid.sandbox{ids[item.idempotency_key]}"}],
                },
            )
        return [answer for answer in answers if answer is not None]


def _problem_with(message: Any) -> str:
    """Why the Cloud API would refuse this message, or "" if it is fine."""
    if not isinstance(message, dict) or message.get("messaging_product") != "whatsapp":
        return "messaging_product must be 'whatsapp'"
    if message.get("type") != "text":
        return "the sandbox takes text messages only"
    if not isinstance(message.get("to"), str) or not _WA_ID.match(message["to"]):
        return "to must be a phone number with country code, digits only, like 6281234567890"
    text = message.get("text")
    if not isinstance(text, dict) or not isinstance(text.get("body"), str) or not text["body"]:
        return "text.body must be a non-empty string"
    if not message.get("biz_opaque_callback_data"):
        return "biz_opaque_callback_data is required: send the message's idempotency key"
    return ""


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    gateway: WhatsAppGateway

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        path = self.path.split("?")[0]
        prefix = self.gateway.prefix
        if not path.startswith(prefix):
            return self._answer(HTTPStatus.NOT_FOUND, _graph_error(f"post under {prefix}/"))
        path = path[len(prefix) :]
        if self.headers.get("Authorization") != f"Bearer {self.gateway.token}":
            return self._answer(
                HTTPStatus.UNAUTHORIZED, _graph_error("Invalid OAuth access token.", code=190)
            )
        fault = self.gateway.faults.take()
        if fault is not None:
            headers = (
                {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
            )
            return self._answer(fault.status, _graph_error("sandbox fault injected", 1), headers)
        try:
            data = json.loads(body)
        except ValueError:
            return self._answer(HTTPStatus.BAD_REQUEST, _graph_error("the body is not JSON"))
        if path in ("", "/"):
            return self._batch(data)
        match = _RELATIVE.match(path)
        if match is None:
            return self._answer(HTTPStatus.NOT_FOUND, _graph_error("unknown path"))
        ((code, answer),) = self.gateway.accept([(match["phone"], data)])
        time.sleep(self.gateway.faults.delay())
        self._answer(code, answer)

    def _batch(self, data: Any) -> None:
        batch = data.get("batch") if isinstance(data, dict) else None
        if not isinstance(batch, list) or not 0 < len(batch) <= MAX_BATCH:
            return self._answer(
                HTTPStatus.BAD_REQUEST,
                _graph_error(f"batch must list 1 to {MAX_BATCH} requests"),
            )
        requests: list[tuple[str, Any]] = []
        for item in batch:
            match = (
                _RELATIVE.match(str(item.get("relative_url", "")))
                if isinstance(item, dict)
                else None
            )
            try:
                message = json.loads(item["body"]) if match else None
            except (ValueError, KeyError, TypeError):
                message = None
            requests.append((match["phone"] if match else "", message))
        answers = self.gateway.accept(requests)
        time.sleep(self.gateway.faults.delay())
        self._answer(
            HTTPStatus.OK,
            [
                {
                    "code": code,
                    "headers": [{"name": "Content-Type", "value": "application/json"}],
                    "body": json.dumps(answer),
                }
                for code, answer in answers
            ],
        )

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
