"""What the immigration and BP2MI sandboxes share: a real threading HTTP server in a
background thread, a bearer token, JSON bodies, and the failure modes of real agencies,
switchable at run time (from Python, or by ``POST /_sandbox/faults``):

- ``slow``: answers held back ``slow_seconds`` (a caller with a shorter timeout gives up);
- ``error``: HTTP 500/502/503;
- ``maintenance``: 503 with ``Retry-After`` and ``{"error": "maintenance", "until": …}``
  while a maintenance window is open;
- ``rate_limit``: 429 with ``Retry-After``;
- ``malformed``: 200 with a body that is not the agency's JSON.
"""

from __future__ import annotations

import json
import threading
import time
from collections import deque
from collections.abc import Callable, Mapping
from dataclasses import dataclass
from datetime import UTC, datetime, timedelta
from enum import StrEnum
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler, ThreadingHTTPServer
from typing import Any, ClassVar

FAULTS_PATH = "/_sandbox/faults"


class FaultKind(StrEnum):
    """A way a real agency fails."""

    SLOW = "slow"
    ERROR = "error"
    MAINTENANCE = "maintenance"
    RATE_LIMIT = "rate_limit"
    MALFORMED = "malformed"


@dataclass(frozen=True)
class Fault:
    """One planned failure."""

    kind: FaultKind
    status: int = HTTPStatus.SERVICE_UNAVAILABLE
    retry_after: int = 30


class AgencyFaults:
    """Planned failures (the next ``count`` requests, or every request until cleared), a
    maintenance window and slow answers; thread-safe."""

    def __init__(self) -> None:
        self._lock = threading.Lock()
        self._planned: deque[Fault] = deque()
        self._standing: Fault | None = None
        self.maintenance_until: datetime | None = None
        self.slow_seconds = 0.0

    def fail_next(self, count: int, kind: FaultKind, *, status: int = 503,
                  retry_after: int = 30) -> None:  # fmt: skip
        """Fail the next ``count`` requests this way."""
        with self._lock:
            self._planned.extend(Fault(kind, status, retry_after) for _ in range(count))

    def fail_always(self, kind: FaultKind, *, status: int = 503, retry_after: int = 30) -> None:
        """Fail every request this way until ``clear()``."""
        with self._lock:
            self._standing = Fault(kind, status, retry_after)

    def maintenance(self, minutes: float) -> None:
        """Open a maintenance window of ``minutes`` from now."""
        with self._lock:
            self.maintenance_until = datetime.now(UTC) + timedelta(minutes=minutes)

    def slow(self, seconds: float) -> None:
        """Hold back every answer ``seconds`` (0: answer at once)."""
        with self._lock:
            self.slow_seconds = seconds

    def clear(self) -> None:
        """Answer normally again."""
        with self._lock:
            self._planned.clear()
            self._standing = None
            self.maintenance_until = None
            self.slow_seconds = 0.0

    def take(self) -> Fault | None:
        """The failure to answer the current request with, or None."""
        with self._lock:
            until = self.maintenance_until
            if until is not None and datetime.now(UTC) < until:
                wait = max(1, int((until - datetime.now(UTC)).total_seconds()))
                return Fault(FaultKind.MAINTENANCE, HTTPStatus.SERVICE_UNAVAILABLE, wait)
            if self._planned:
                return self._planned.popleft()
            return self._standing

    def configure(self, body: dict[str, Any]) -> None:
        """Apply ``{"kind": …, "count": n | null, "status": …, "retry_after": …,
        "minutes": …, "seconds": …}``; ``{"kind": "clear"}`` clears."""
        kind = str(body.get("kind", ""))
        if kind == "clear":
            return self.clear()
        fault = FaultKind(kind)  # ValueError on an unknown kind
        if fault == FaultKind.MAINTENANCE:
            return self.maintenance(float(body.get("minutes", 10)))
        if fault == FaultKind.SLOW:
            return self.slow(float(body.get("seconds", 5)))
        status = int(body.get("status", 429 if fault == FaultKind.RATE_LIMIT else 503))
        retry_after = int(body.get("retry_after", 30))
        if body.get("count") is None:
            return self.fail_always(fault, status=status, retry_after=retry_after)
        return self.fail_next(int(body["count"]), fault, status=status, retry_after=retry_after)


Route = Callable[["AgencyHandler", Any], tuple[int, Any]]


class AgencySandbox:
    """A sandbox agency serving its ``routes`` in a daemon thread until ``stop()``."""

    thread_name: ClassVar[str] = "agency-sandbox"

    def __init__(self, *, host: str, port: int, token: str) -> None:
        self.faults = AgencyFaults()
        self.token = token
        self.requests = 0  # answered or refused, for tests of retries and caching
        self._seen: set[str] = set()
        self._seen_lock = threading.Lock()
        self._host = host
        bound = type("_BoundHandler", (AgencyHandler,), {"sandbox": self})
        self._server = ThreadingHTTPServer((host, port), bound)
        self._server.daemon_threads = True
        self._thread: threading.Thread | None = None

    def routes(self) -> dict[tuple[str, str], Route]:
        """(method, path) → the function answering it with (status, JSON payload)."""
        raise NotImplementedError

    def check_envelope(self, headers: Mapping[str, str]) -> str | None:
        """Why the X-Road envelope is refused (no purpose, no cause, a replayed message id),
        or None; message ids are remembered for replay protection."""
        message_id = headers.get("X-Road-Id")
        if not message_id:
            return "envelope_required"
        if not headers.get("X-Road-Purpose") or not headers.get("X-Road-Issue"):
            return "purpose_required"
        with self._seen_lock:
            if message_id in self._seen:
                return "replayed_message"
            self._seen.add(message_id)
        return None

    @property
    def port(self) -> int:
        """The port it listens on (the real one when started on port 0)."""
        return int(self._server.server_address[1])

    @property
    def url(self) -> str:
        """``http://host:port``: the agency's base URL."""
        return f"http://{self._host}:{self.port}"

    def start(self) -> None:
        """Start serving in a daemon thread."""
        self._thread = threading.Thread(
            target=self._server.serve_forever,
            kwargs={"poll_interval": 0.05},
            name=self.thread_name,
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


class AgencyHandler(BaseHTTPRequestHandler):
    """Routes a request, after the token and the planned faults."""

    protocol_version = "HTTP/1.1"
    sandbox: AgencySandbox

    def do_GET(self) -> None:
        """Answer a GET (no body)."""
        self._handle("GET", None)

    def do_POST(self) -> None:
        """Answer a POST with a JSON body."""
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            body = json.loads(raw) if raw else {}
        except ValueError:
            return self.answer(HTTPStatus.BAD_REQUEST, {"error": "the body must be JSON"})
        self._handle("POST", body)

    def _handle(self, method: str, body: Any) -> None:
        path = self.path.split("?")[0]
        if self.headers.get("Authorization") != f"Bearer {self.sandbox.token}":
            return self.answer(HTTPStatus.UNAUTHORIZED, {"error": "send a bearer token"})
        if (method, path) == ("POST", FAULTS_PATH):
            try:
                self.sandbox.faults.configure(body if isinstance(body, dict) else {})
            except (ValueError, TypeError):
                return self.answer(HTTPStatus.BAD_REQUEST, {"error": "unknown fault"})
            return self.answer(HTTPStatus.OK, {"ok": True})
        route = self.sandbox.routes().get((method, path))
        if route is None:
            return self.answer(HTTPStatus.NOT_FOUND, {"error": f"no route {method} {path}"})
        refusal = self.sandbox.check_envelope(self.headers)
        if refusal is not None:
            return self.answer(HTTPStatus.BAD_REQUEST, {"error": refusal})
        self.sandbox.requests += 1
        fault = self.sandbox.faults.take()
        if fault is not None and self._fail(fault):
            return None
        time.sleep(self.sandbox.faults.slow_seconds)
        status, payload = route(self, body)
        self.answer(status, payload)
        return None

    def _fail(self, fault: Fault) -> bool:
        """Answer the fault; False for a slow answer, which still answers the request."""
        if fault.kind == FaultKind.SLOW:
            time.sleep(self.sandbox.faults.slow_seconds or 5.0)
            return False
        if fault.kind == FaultKind.MALFORMED:
            self.answer_raw(HTTPStatus.OK, b'{"status": "val', "application/json")
        elif fault.kind == FaultKind.MAINTENANCE:
            until = datetime.now(UTC) + timedelta(seconds=fault.retry_after)
            self.answer(HTTPStatus.SERVICE_UNAVAILABLE,
                        {"error": "maintenance", "until": until.isoformat()},
                        {"Retry-After": str(fault.retry_after)})  # fmt: skip
        elif fault.kind == FaultKind.RATE_LIMIT:
            self.answer(HTTPStatus.TOO_MANY_REQUESTS, {"error": "rate limited"},
                        {"Retry-After": str(fault.retry_after)})  # fmt: skip
        else:
            self.answer(fault.status, {"error": "sandbox fault injected"})
        return True

    def answer(self, status: int, payload: Any, headers: dict[str, str] | None = None) -> None:
        """Send ``payload`` as JSON."""
        self.answer_raw(status, json.dumps(payload).encode(), "application/json", headers)

    def answer_raw(self, status: int, data: bytes, content_type: str,
                   headers: dict[str, str] | None = None) -> None:  # fmt: skip
        """Send bytes; a caller that already hung up is no error."""
        self.send_response(status)
        self.send_header("Content-Type", content_type)
        self.send_header("Content-Length", str(len(data)))
        for name, value in (headers or {}).items():
            self.send_header(name, value)
        self.end_headers()
        try:
            self.wfile.write(data)
        except (BrokenPipeError, ConnectionResetError):
            self.close_connection = True

    def log_message(self, format: str, *args: Any) -> None:
        """Stay quiet: bodies hold passport numbers."""
