"""A real HTTP SMS gateway speaking the batch API of ``channels/sms_http.py``.

It checks the bearer token, validates each message, stores it once per ``reference`` (the
sender's idempotency key) and answers one id and status per message, as providers do. Given
a ``delivery_reports_url``, it then posts a delivery report (DLR) of each accepted message
there a moment later, with its token in ``X-Gateway-Token``: ``{"reports": [{"id": "sms-…",
"reference": …, "status": "delivered", "at": "<ISO 8601>"}]}``.
"""

from __future__ import annotations

import json
import re
import threading
from collections.abc import Callable
from datetime import UTC, datetime
from http import HTTPStatus
from typing import Any

import httpx
from sqlalchemy.orm import Session

from peduli.core.logging import get_logger
from peduli.notify.models import ChannelName
from peduli.notify.sandbox import store
from peduli.notify.sandbox.http_server import SandboxHandler, SandboxHttpServer

log = get_logger(__name__)
# Where Peduli takes delivery reports, under its public URL (``notify.api``).
DELIVERY_REPORTS_PATH = "/api/v1/channels/sms/delivery-reports"
_E164 = re.compile(r"^\+[1-9]\d{6,14}$")
MAX_BATCH = 1000
_BAD_BATCH = (
    f'send JSON {{"messages": [{{"to": …, "text": …, "reference": …}}]}} with 1 to {MAX_BATCH} '
    "messages"
)


class SmsGateway(SandboxHttpServer):
    """The sandbox SMS gateway, serving in a background thread until ``stop()``."""

    thread_name = "sms-gateway"

    def __init__(
        self,
        *,
        session_factory: Callable[[], Session],
        host: str = "127.0.0.1",
        port: int = 0,
        path: str = "/sms",
        token: str = "sandbox",  # noqa: S107 - the sandbox's well-known token, not a secret
        delivery_reports_url: str | None = None,
        delivery_report_delay: float = 0.5,
    ) -> None:
        self.path = path
        self.delivery_reports_url = delivery_reports_url
        # A phone takes a moment to answer; a real gateway's report comes later still.
        self.delivery_report_delay = delivery_report_delay
        self._reports: list[threading.Timer] = []
        super().__init__(session_factory, host=host, port=port, token=token)

    def stop(self) -> None:
        """Stop serving; delivery reports not posted yet are dropped, as a crash would."""
        for timer in self._reports:
            timer.cancel()
        super().stop()

    def report_delivery(self, answers: list[dict[str, Any]]) -> None:
        """Post the accepted messages' delivery reports after ``delivery_report_delay``."""
        reports = [
            {"id": a["id"], "reference": a["reference"], "status": "delivered"}
            for a in answers
            if a["status"] == "accepted"
        ]
        if not self.delivery_reports_url or not reports:
            return
        timer = threading.Timer(self.delivery_report_delay, self._post_reports, (reports,))
        timer.daemon = True
        self._reports = [t for t in self._reports if t.is_alive()] + [timer]
        timer.start()

    def _post_reports(self, reports: list[dict[str, Any]]) -> None:
        at = datetime.now(UTC).isoformat()
        try:
            httpx.post(
                str(self.delivery_reports_url),
                json={"reports": [{**r, "at": at} for r in reports]},
                headers={"X-Gateway-Token": self.token},
                timeout=5.0,
            ).raise_for_status()
        except httpx.HTTPError as exc:  # a gateway drops a report nobody takes
            log.warning("delivery reports not taken", error=type(exc).__name__)

    @property
    def url(self) -> str:
        """Where an adapter posts its batches."""
        return f"{self.base_url}{self.path}"

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


class _Handler(SandboxHandler):
    gateway: SmsGateway

    def post(self, body: bytes) -> None:
        if self.path.split("?")[0] != self.gateway.path:
            return self.answer(HTTPStatus.NOT_FOUND, {"error": f"post to {self.gateway.path}"})
        if self.refused(unauthorized="send 'Authorization: Bearer <token>'"):
            return None
        try:
            batch = json.loads(body)["messages"]
        except (ValueError, KeyError, TypeError):
            batch = None
        if not isinstance(batch, list) or not 0 < len(batch) <= MAX_BATCH:
            return self.answer(HTTPStatus.BAD_REQUEST, {"error": _BAD_BATCH})
        answers = self.gateway.accept(batch)
        self.answer_accepted({"messages": answers})
        self.gateway.report_delivery(answers)


# Set here because the handler class is defined below the gateway it serves.
SmsGateway.handler = _Handler
