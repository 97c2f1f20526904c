"""Every request has an id: taken from X-Request-ID or made, answered, and on its log lines."""

from __future__ import annotations

import io
import json
import logging
import sys
from collections.abc import Iterator

import pytest
import structlog
from fastapi.testclient import TestClient
from starlette.types import Receive, Scope, Send

from peduli.api.observability import RequestIdAndLatency
from peduli.core.config import get_settings
from peduli.core.logging import configure_logging, get_logger


def test_a_request_id_from_the_proxy_is_answered_back(client: TestClient) -> None:
    response = client.get("/livez", headers={"X-Request-ID": "0123456789abcdef0123456789abcdef"})
    assert response.headers["x-request-id"] == "0123456789abcdef0123456789abcdef"


def test_a_missing_or_unsafe_request_id_is_replaced(client: TestClient) -> None:
    made = client.get("/livez").headers["x-request-id"]
    assert len(made) == 32 and int(made, 16) >= 0
    unsafe = client.get("/livez", headers={"X-Request-ID": 'x" forged=1 {}'})
    assert unsafe.headers["x-request-id"] not in ('x" forged=1 {}', made)


def test_problem_bodies_name_the_request(client: TestClient) -> None:
    response = client.get("/api/v1/no-such-route", headers={"X-Request-ID": "support-ticket-42"})
    assert response.status_code == 404
    assert response.json()["request_id"] == "support-ticket-42"
    assert response.headers["x-request-id"] == "support-ticket-42"


@pytest.fixture
def json_logs(monkeypatch: pytest.MonkeyPatch) -> Iterator[None]:
    monkeypatch.setenv("PEDULI_LOG_FORMAT", "json")
    get_settings.cache_clear()
    structlog.reset_defaults()
    configure_logging()
    yield
    monkeypatch.delenv("PEDULI_LOG_FORMAT")
    root = logging.getLogger()
    root.handlers = [h for h in root.handlers if h.get_name() != "peduli-json"]
    get_settings.cache_clear()
    structlog.reset_defaults()
    configure_logging()


def test_every_log_line_of_a_request_carries_its_id_as_json(
    json_logs: object, capsys: pytest.CaptureFixture[str]
) -> None:
    log = get_logger("test")

    async def app(scope: Scope, receive: Receive, send: Send) -> None:
        log.info("working", phone="+6281234567890")
        await send({"type": "http.response.start", "status": 204, "headers": []})
        log.info("answered")
        await send({"type": "http.response.body", "body": b""})

    plain = TestClient(RequestIdAndLatency(app))  # no lifespan: the app is HTTP only
    response = plain.get("/anything", headers={"X-Request-ID": "trace-me-123"})
    assert response.headers["x-request-id"] == "trace-me-123"
    lines = [json.loads(line) for line in capsys.readouterr().out.splitlines() if line]
    ours = [line for line in lines if line.get("event") in ("working", "answered")]
    assert [line["request_id"] for line in ours] == ["trace-me-123", "trace-me-123"]
    assert ours[0]["phone"] == "[redacted]"  # no personal identifiers in the logs


def test_json_lines_go_to_the_standard_error_of_the_moment(
    json_logs: object, monkeypatch: pytest.MonkeyPatch
) -> None:
    """A stream swapped in then closed (a test's capture) must not turn later lines into
    "Logging error" reports, which print a line's arguments unredacted."""
    library = logging.getLogger("mail.log")
    first = io.StringIO()
    monkeypatch.setattr(sys, "stderr", first)
    library.warning("peer %s", "+821056565656")
    first.close()
    later = io.StringIO()
    monkeypatch.setattr(sys, "stderr", later)
    library.warning("peer %s", "+821056565656")
    written = later.getvalue()
    assert json.loads(written)["event"] == "peer [redacted]"
    assert "Logging error" not in written and "5656" not in written
