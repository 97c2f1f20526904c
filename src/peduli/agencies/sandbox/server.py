"""What every agency sandbox shares: a real threading HTTP server in a daemon thread that
checks the shared token and the envelope (a known purpose, a message id never seen before),
answers with the switched-on faults (``faults``), and routes JSON POSTs to the agency's
operations.

An agency sandbox subclasses ``AgencySandbox``: it sets ``agency``, names its operations in
``served`` (path → the method taking the JSON request and the envelope headers, answering
``(status, body)``), takes the synthetic residents as its records (``load``) and may take
enrolled records (``enrol``). Control paths, token-protected like the rest:
``GET/POST/DELETE /_sandbox/faults`` (see the faults, switch one on, switch them off) and
``POST /_sandbox/enrol`` (add a record, for tests and demos).
"""

from __future__ import annotations

import json
import threading
import time
from collections import OrderedDict
from collections.abc import Callable, Iterable, Mapping
from http import HTTPStatus
from http.server import BaseHTTPRequestHandler
from typing import TYPE_CHECKING, Any, ClassVar

from peduli.agencies.envelope import Purpose
from peduli.agencies.sandbox.faults import FaultSwitch
from peduli.notify.sandbox.http_server import ThreadedHttpServer, send_json

if TYPE_CHECKING:
    from peduli.agencies.sandbox.population import Resident

Answer = tuple[int, Any]
Operation = Callable[[Mapping[str, Any], Mapping[str, str]], Answer]
SEEN_IDS = 100_000  # message ids remembered for replay protection


class AgencySandbox(ThreadedHttpServer):
    """One agency's sandbox, serving in a daemon thread until ``stop()``; its ``url`` is the
    agency's base URL (``PEDULI_AGENCY_<NAME>_URL``)."""

    agency: ClassVar[str] = "agency"
    served: ClassVar[dict[str, str]] = {}  # operation path → the name of the method answering

    def __init__(
        self,
        *,
        residents: Iterable[Resident] = (),
        host: str = "127.0.0.1",
        port: int = 0,
        token: str = "sandbox",  # noqa: S107 - the sandboxes' well-known token
    ) -> None:
        self.faults = FaultSwitch()
        self.token = token
        self.operations: dict[str, Operation] = {
            path: getattr(self, name) for path, name in self.served.items()
        }
        self.received: list[dict[str, Any]] = []  # envelope and path of each request taken
        self._seen: OrderedDict[str, None] = OrderedDict()
        self._lock = threading.Lock()
        self.load(residents)
        bound = type("_BoundHandler", (_Handler,), {"sandbox": self})
        super().__init__(bound, host=host, port=port, thread_name=f"sandbox-{self.agency}")

    def load(self, residents: Iterable[Resident]) -> None:
        """Take the synthetic residents as the agency's records (each sandbox says how)."""

    @property
    def url(self) -> str:
        """``http://host:port``: the agency's base URL (``PEDULI_AGENCY_<NAME>_URL``)."""
        return self.base_url

    def enrol(self, record: Mapping[str, Any]) -> Answer:
        """Add a record to the agency's data (each sandbox says what a record is)."""
        return HTTPStatus.NOT_FOUND, {"error": "this sandbox takes no records"}

    def first_sight(self, message_id: str) -> bool:
        """Remember a message id; False when it was seen before (a replay)."""
        with self._lock:
            if message_id in self._seen:
                return False
            self._seen[message_id] = None
            if len(self._seen) > SEEN_IDS:
                self._seen.popitem(last=False)
            return True


class _Handler(BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    # Headers and body go out in two writes: without this, Nagle holds the body until the
    # caller's delayed ACK of the headers (40 ms a request on keep-alive connections).
    disable_nagle_algorithm = True
    sandbox: AgencySandbox

    def _body(self) -> Any:
        raw = self.rfile.read(int(self.headers.get("Content-Length") or 0))
        try:
            return json.loads(raw or b"{}")
        except ValueError:
            return None

    def _authorized(self) -> bool:
        if self.headers.get("Authorization") == f"Bearer {self.sandbox.token}":
            return True
        self.answer(HTTPStatus.UNAUTHORIZED, {"error": "unknown token"})
        return False

    def do_GET(self) -> None:
        if not self._authorized():
            return
        if self.path == "/_sandbox/faults":
            self.answer(HTTPStatus.OK, {"faults": self.sandbox.faults.snapshot()})
        else:
            self.answer(HTTPStatus.NOT_FOUND, {"error": "no such path"})

    def do_DELETE(self) -> None:
        if not self._authorized():
            return
        if self.path.startswith("/_sandbox/faults"):
            mode = self.path.removeprefix("/_sandbox/faults").strip("/") or None
            self.sandbox.faults.switch_off(mode)
            self.answer(HTTPStatus.OK, {"faults": self.sandbox.faults.snapshot()})
        else:
            self.answer(HTTPStatus.NOT_FOUND, {"error": "no such path"})

    def do_POST(self) -> None:
        body = self._body()
        if not self._authorized():
            return
        if self.path.startswith("/_sandbox/"):
            self._control(body)
            return
        envelope = {k: v for k, v in self.headers.items() if k.lower().startswith("x-road-")}
        if self.headers.get("X-Road-Purpose") not in {p.value for p in Purpose}:
            self.answer(HTTPStatus.BAD_REQUEST, {"error": "purpose_required"})
            return
        message_id = self.headers.get("X-Road-Id") or ""
        if not message_id or not self.sandbox.first_sight(message_id):
            self.answer(HTTPStatus.CONFLICT, {"error": "replayed or missing message id"})
            return
        decision = self.sandbox.faults.decide()
        if decision.delay:
            time.sleep(decision.delay)
        if decision.status is not None and decision.body is not None:
            self.answer_raw(decision.status, decision.body.encode(), decision.headers)
            return
        operation = self.sandbox.operations.get(self.path.strip("/"))
        if operation is None:
            self.answer(HTTPStatus.NOT_FOUND, {"error": "no such operation"})
            return
        if not isinstance(body, dict):
            self.answer(HTTPStatus.BAD_REQUEST, {"error": "a JSON object is expected"})
            return
        self.sandbox.received.append({"path": self.path, "envelope": envelope})
        status, payload = operation(body, envelope)
        self.answer(status, payload)

    def _control(self, body: Any) -> None:
        if not isinstance(body, dict):
            self.answer(HTTPStatus.BAD_REQUEST, {"error": "a JSON object is expected"})
            return
        if self.path == "/_sandbox/enrol":
            self.answer(*self.sandbox.enrol(body))
            return
        if self.path != "/_sandbox/faults":
            self.answer(HTTPStatus.NOT_FOUND, {"error": "no such path"})
            return
        try:
            self.sandbox.faults.switch_on(
                str(body.get("mode")),
                rate=float(body.get("rate", 1.0)),
                count=None if body.get("count") is None else int(body["count"]),
                seconds=float(body.get("seconds", 0.0)),
                status=int(body.get("status", 500)),
                limit=int(body.get("limit", 1)),
            )
        except (TypeError, ValueError) as exc:
            self.answer(HTTPStatus.BAD_REQUEST, {"error": str(exc)})
            return
        self.answer(HTTPStatus.OK, {"faults": self.sandbox.faults.snapshot()})

    def answer(self, status: int, payload: Any, headers: Mapping[str, str] | None = None) -> None:
        self.answer_raw(status, json.dumps(payload, default=str).encode(), headers)

    def answer_raw(
        self, status: int, data: bytes, headers: Mapping[str, str] | None = None
    ) -> None:
        send_json(self, status, data, headers)

    def log_message(self, format: str, *args: Any) -> None:
        """Quiet: bodies hold NIKs and names."""
