"""What the sandbox HTTP gateways (SMS, WhatsApp) share: a real threading HTTP server in a
background thread, a bearer token, injectable faults and JSON answers.

Each gateway adds only its API: its paths, its payloads, its error shape.
"""

from __future__ import annotations

import json
import threading
import time
from collections.abc import Callable, Mapping
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

from sqlalchemy.orm import Session

from peduli.notify.sandbox.faults import FaultInjector


class ThreadedHttpServer:
    """An HTTP server that really listens, served in a daemon thread until ``stop()``: what
    every sandbox (the outbox's gateways, the agencies, partner states) is built on."""

    thread_name: ClassVar[str] = "sandbox-http"  # what its thread is called (dumps, logs)

    def __init__(
        self,
        handler: type[BaseHTTPRequestHandler],
        *,
        host: str,
        port: int,
        thread_name: str | None = None,
    ) -> None:
        self._host = host
        self._name = thread_name or self.thread_name
        self._server = ThreadingHTTPServer((host, port), handler)
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    @property
    def port(self) -> int:
        """The port it listens on (the real one when started on port 0)."""
        return int(self._server.server_address[1])

    @property
    def base_url(self) -> str:
        """``http://host:port``, without a path (a sandbox's ``url`` may add its API's)."""
        return f"http://{self._host}:{self.port}"

    def start(self) -> None:
        """Start serving in a daemon thread."""
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=self._name,
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


class SandboxHttpServer(ThreadedHttpServer):
    """A sandbox gateway serving ``handler`` in a daemon thread until ``stop()``."""

    handler: ClassVar[type[SandboxHandler]]

    def __init__(
        self, session_factory: Callable[[], Session], *, host: str, port: int, token: str
    ) -> None:
        self.faults = FaultInjector(status=503)
        self.token = token
        self.session_factory = session_factory
        bound = type("_BoundHandler", (self.handler,), {"gateway": self})
        super().__init__(bound, host=host, port=port)


def send_json(
    handler: BaseHTTPRequestHandler,
    status: int,
    data: bytes,
    headers: Mapping[str, str] | None = None,
) -> None:
    """Answer ``data`` (a JSON document) with ``status``; every sandbox answers this way. A
    sender that already hung up is no error (it timed out and will send again)."""
    handler.send_response(status)
    handler.send_header("Content-Type", "application/json")
    handler.send_header("Content-Length", str(len(data)))
    for name, value in (headers or {}).items():
        handler.send_header(name, value)
    handler.end_headers()
    try:
        handler.wfile.write(data)
    except (BrokenPipeError, ConnectionResetError):
        handler.close_connection = True


class SandboxHandler(BaseHTTPRequestHandler):
    """Request handling every sandbox gateway shares; subclasses say how errors look."""

    protocol_version = "HTTP/1.1"  # keep-alive: an adapter reuses its connection
    gateway: SandboxHttpServer

    def error_body(self, message: str, code: int) -> Any:
        """The JSON body of a refusal, in the shape the imitated API uses."""
        return {"error": message}

    def do_POST(self) -> None:
        """Read the body whole (the connection is kept alive) and hand it to ``post``."""
        self.post(self.rfile.read(int(self.headers.get("Content-Length") or 0)))

    def post(self, body: bytes) -> None:
        """Answer one POST; each gateway speaks its own API here."""
        raise NotImplementedError

    def refused(self, *, unauthorized: str, unauthorized_code: int = 0) -> bool:
        """Answer a wrong bearer token or an injected fault; True if the request was answered."""
        if self.headers.get("Authorization") != f"Bearer {self.gateway.token}":
            self.answer(HTTPStatus.UNAUTHORIZED, self.error_body(unauthorized, unauthorized_code))
            return True
        fault = self.gateway.faults.take()
        if fault is None:
            return False
        headers = {"Retry-After": str(fault.retry_after)} if fault.retry_after is not None else {}
        self.answer(fault.status, self.error_body("sandbox fault injected", 1), headers)
        return True

    def answer(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        """Send ``payload`` as JSON; a sender that already hung up is no error."""
        send_json(self, status, json.dumps(payload).encode(), headers)

    def answer_file(self, data: bytes, content_type: str) -> None:
        """Send a file's bytes (a photo or document a citizen "sent")."""
        self.send_response(HTTPStatus.OK)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def answer_accepted(self, payload: Any, status: int = HTTPStatus.OK) -> None:
        """Answer a request whose messages were stored, late if a slow answer was injected."""
        time.sleep(self.gateway.faults.delay())
        self.answer(status, payload)

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: request lines are not needed and bodies hold phone numbers."""
