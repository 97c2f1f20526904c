"""deploy/nginx/peduli.conf with real nginx: a check-in, or an API write with an
Idempotency-Key, in flight when its app process dies is answered by the next process; any
other POST is not sent twice (the client gets a 502 problem saying the outcome is unknown);
a call no process could take is a 503 problem to retry."""

from __future__ import annotations

import socket
import socketserver
import subprocess
import threading
from collections.abc import Iterator
from http.server import BaseHTTPRequestHandler
from pathlib import Path

import httpx
import pytest

CONF = Path(__file__).parents[2] / "deploy" / "nginx" / "peduli.conf"
NGINX = Path("/usr/sbin/nginx")

pytestmark = pytest.mark.skipif(not NGINX.exists(), reason="needs nginx (scripts/setup.sh)")


class _Dies(socketserver.BaseRequestHandler):
    """An app process SIGKILLed while it held the request: read it, reset the connection."""

    def handle(self) -> None:
        self.request.recv(65536)
        self.request.setsockopt(
            socket.SOL_SOCKET, socket.SO_LINGER, b"\x01\x00\x00\x00\x00\x00\x00\x00"
        )
        self.request.close()


class _DatabaseAway(BaseHTTPRequestHandler):
    """An app process whose database is away: every call is a 503 problem, nothing done."""

    def do_GET(self) -> None:
        body = b'{"code":"database_unavailable"}'
        self.send_response(503)
        self.send_header("Content-Type", "application/problem+json")
        self.send_header("Content-Length", str(len(body)))
        self.end_headers()
        self.wfile.write(body)

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        self.do_GET()

    def log_message(self, *_args: object) -> None:
        pass


class _Answers(BaseHTTPRequestHandler):
    """A live app process: every POST is written."""

    def do_POST(self) -> None:
        self.rfile.read(int(self.headers["Content-Length"]))
        self.send_response(201)
        self.send_header("Content-Length", "2")
        self.end_headers()
        self.wfile.write(b"{}")

    def log_message(self, *_args: object) -> None:
        pass


def _serve(handler: type[socketserver.BaseRequestHandler]) -> socketserver.ThreadingTCPServer:
    server = socketserver.ThreadingTCPServer(("127.0.0.1", 0), handler)
    threading.Thread(target=server.serve_forever, daemon=True).start()
    return server


def _free_port() -> int:
    """A port nothing listens on (a connection to it is refused)."""
    with socket.socket() as probe:
        probe.bind(("127.0.0.1", 0))
        return int(probe.getsockname()[1])


@pytest.fixture
def nginx(tmp_path: Path) -> Iterator[str]:
    """nginx on a free port in front of one dying and one live process."""
    dying, live = _serve(_Dies), _serve(_Answers)
    try:
        ports = [server.server_address[1] for server in (dying, live)]
        yield from _nginx_before(tmp_path, ports)
    finally:
        for server in (dying, live):
            server.shutdown()


@pytest.fixture
def nginx_without_app(tmp_path: Path) -> Iterator[str]:
    """nginx in front of two app processes that are both down (a rolling restart's worst)."""
    yield from _nginx_before(tmp_path, [_free_port(), _free_port()])


@pytest.fixture
def nginx_mid_failover(tmp_path: Path) -> Iterator[str]:
    """One process restarting (refuses), the other still on the lost database (503s)."""
    away = _serve(_DatabaseAway)
    try:
        yield from _nginx_before(tmp_path, [away.server_address[1], _free_port()])
    finally:
        away.shutdown()


def _nginx_before(tmp_path: Path, app_ports: list[int]) -> Iterator[str]:
    port = _free_port()
    upstreams = "\n".join(f"    server 127.0.0.1:{app} max_fails=0;" for app in app_ports)
    conf = (
        CONF.read_text()
        .replace("@UPSTREAMS@", upstreams)
        .replace("@LISTEN@", f"127.0.0.1:{port}")
        .replace("@ACCESS_LOG@", str(tmp_path / "access.log"))
        .replace("@INTERNAL@", "        allow 127.0.0.1;")
    )
    (tmp_path / "peduli.conf").write_text(conf)
    (tmp_path / "nginx.conf").write_text(
        f"pid {tmp_path}/nginx.pid;\nerror_log {tmp_path}/error.log;\nevents {{}}\n"
        f"http {{ client_body_temp_path {tmp_path}; proxy_temp_path {tmp_path};\n"
        f"       include {tmp_path}/peduli.conf; }}\n"
    )
    start = [str(NGINX), "-c", str(tmp_path / "nginx.conf"), "-p", str(tmp_path)]
    subprocess.run([*start, "-g", "daemon on; user root;"], check=True, timeout=30)
    try:
        yield f"http://127.0.0.1:{port}"
    finally:
        subprocess.run([*start, "-s", "stop"], check=False, timeout=30)


def _problem_code(answer: httpx.Response) -> str:
    assert answer.headers["content-type"] == "application/problem+json", answer.text
    return str(answer.json()["code"])


def test_a_check_in_goes_on_to_the_next_process_and_a_case_does_not(nginx: str) -> None:
    with httpx.Client(base_url=nginx, timeout=10) as client:
        check_ins = [client.post("/api/v1/crises/check-ins", json={}) for _ in range(6)]
        page_answers = [client.post("/c/a-token", data={"answer": "safe"}) for _ in range(6)]
        cases = [client.post("/api/v1/cases", json={}) for _ in range(6)]

    assert [a.status_code for a in check_ins + page_answers] == [201] * 12
    # Half the cases met the dying process first: a case is never sent twice by nginx, and
    # the client is told the outcome is unknown.
    assert 201 in {a.status_code for a in cases}
    lost = [a for a in cases if a.status_code == 502]
    assert lost
    assert {_problem_code(a) for a in lost} == {"no_answer"}


def test_a_keyed_api_write_goes_on_to_the_next_process(nginx: str) -> None:
    with httpx.Client(base_url=nginx, timeout=10) as client:
        keyed = [
            client.post("/api/v1/cases", json={}, headers={"Idempotency-Key": f"key-{n}"})
            for n in range(6)
        ]
        sign_ins = [
            client.post("/api/v1/auth/login", json={}, headers={"Idempotency-Key": f"in-{n}"})
            for n in range(6)
        ]
        page_forms = [
            client.post("/hq/cases", data={}, headers={"Idempotency-Key": f"page-{n}"})
            for n in range(6)
        ]

    assert [a.status_code for a in keyed] == [201] * 6
    # Only the API keeps a keyed answer, and not sign-in's: those are never sent twice.
    assert 502 in {a.status_code for a in sign_ins}
    assert 502 in {a.status_code for a in page_forms}


def test_a_call_no_process_could_take_is_a_503_to_retry_in_problem_json(
    nginx_without_app: str,
) -> None:
    with httpx.Client(base_url=nginx_without_app, timeout=10) as client:
        answers = [
            client.get("/api/v1/cases"),
            client.post("/api/v1/cases", json={}),
            client.post("/api/v1/cases", json={}, headers={"Idempotency-Key": "key-1"}),
            client.post("/api/v1/crises/check-ins", json={}),
        ]
    assert [a.status_code for a in answers] == [503] * 4
    assert {_problem_code(a) for a in answers} == {"no_app_process"}
    assert {a.headers["retry-after"] for a in answers} == {"1"}
    assert all(a.json()["request_id"] for a in answers)


def test_mid_failover_every_call_is_a_503_whichever_process_nginx_tries_first(
    nginx_mid_failover: str,
) -> None:
    """The promotion drill's 502s: a keyed write or a check-in met the old process's 503,
    went on to the restarting one and found it closed."""
    with httpx.Client(base_url=nginx_mid_failover, timeout=10) as client:
        answers = [
            client.post("/api/v1/cases", json={}, headers={"Idempotency-Key": f"key-{n}"})
            for n in range(4)
        ] + [client.post("/api/v1/crises/check-ins", json={}) for _ in range(4)]
    assert [a.status_code for a in answers] == [503] * 8
    assert {a.headers["content-type"] for a in answers} == {"application/problem+json"}
