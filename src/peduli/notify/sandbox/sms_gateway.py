"""A real HTTP SMS gateway speaking the batch API of ``channels/sms_http.py``.

It checks the bearer token, validates each message, stores it once per ``reference`` (the
sender's idempotency key) and answers one id and status per message, as providers do.
"""

from __future__ import annotations

import json
import re
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

from sqlalchemy.orm import Session

from peduli.notify.models import ChannelName
from peduli.notify.sandbox import store
from peduli.notify.sandbox.http_server import SandboxHandler, SandboxHttpServer

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
    ) -> None:
        self.path = path
        super().__init__(session_factory, host=host, port=port, token=token)

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
        self.answer_accepted({"messages": self.gateway.accept(batch)})


# Set here because the handler class is defined below the gateway it serves.
SmsGateway.handler = _Handler
