"""A real threading HTTP server in a daemon thread, with injectable faults (like the
outbox's sandboxes): what the agencies' sandboxes share."""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from typing import Any, ClassVar

from sqlalchemy.orm import Session

from peduli.notify.sandbox.faults import FaultInjector
from peduli.notify.sandbox.http_server import ThreadedHttpServer, send_json


class SandboxServer(ThreadedHttpServer):
    """Serves ``handler`` on ``host:port`` (0: any free port) until ``stop()``."""

    thread_name: ClassVar[str] = "agency-sandbox"
    handler: ClassVar[type[SandboxRequest]]

    def __init__(self, session_factory: Callable[[], Session], *, host: str, port: int) -> None:
        self.faults = FaultInjector(status=503)
        self.session_factory = session_factory
        bound = type("_Bound", (self.handler,), {"server_state": self})
        super().__init__(bound, host=host, port=port)

    @property
    def url(self) -> str:
        """``http://host:port``: where it listens, without a path."""
        return self.base_url


class SandboxRequest(BaseHTTPRequestHandler):
    """One request: the body read whole, an injected fault answered first."""

    protocol_version = "HTTP/1.1"
    server_state: SandboxServer

    def do_POST(self) -> None:
        body = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        fault = self.server_state.faults.take()
        if fault is not None:
            headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after else {}
            self.answer(fault.status, {"error": "sandbox fault injected"}, headers)
            return
        time.sleep(self.server_state.faults.delay())
        self.post(body)

    def post(self, body: bytes) -> None:
        raise NotImplementedError

    def answer(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        send_json(self, status, json.dumps(payload).encode(), headers)

    def refuse(self, status: HTTPStatus, reason: str) -> None:
        self.answer(status, {"error": reason})

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: bodies name people."""
