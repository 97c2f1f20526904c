"""A real HTTP server speaking the WhatsApp Cloud API shape of ``channels/whatsapp_cloud.py``,
and the platform's other side: a citizen who writes (``citizen_writes`` POSTs a signed
inbound webhook to the platform's webhook URL, as Meta does).

``POST {prefix}/{phone_number_id}/messages`` takes one message; ``POST {prefix}/`` takes a
Graph batch of up to 1,000 (Meta: 50). Each message is stored once per
``biz_opaque_callback_data`` (the sender's idempotency key), with the phone number id as
its sender, and answered with a ``wamid`` as the Cloud API does.
"""

from __future__ import annotations

import hashlib
import hmac
import itertools
import json
import re
import time
from collections.abc import Callable
from http import HTTPStatus
from typing import Any

import httpx
from sqlalchemy.orm import Session

from peduli.notify.models import ChannelName
from peduli.notify.sandbox import store
from peduli.notify.sandbox.http_server import SandboxHandler, SandboxHttpServer

MAX_BATCH = 1000
_WA_ID = re.compile(r"^[1-9]\d{6,14}$")
_RELATIVE = re.compile(r"^/?(?P<phone>[0-9A-Za-z_-]{1,64})/messages$")


def _graph_error(message: str, code: int = 100) -> dict[str, Any]:
    return {"error": {"message": message, "type": "OAuthException", "code": code}}


class WhatsAppGateway(SandboxHttpServer):
    """The sandbox WhatsApp Cloud API, serving in a background thread until ``stop()``."""

    thread_name = "whatsapp-gateway"

    def __init__(
        self,
        *,
        session_factory: Callable[[], Session],
        host: str = "127.0.0.1",
        port: int = 0,
        prefix: str = "/v19.0",
        token: str = "sandbox",  # noqa: S107 - the sandbox's well-known token, not a secret
    ) -> None:
        self.prefix = "/" + prefix.strip("/") if prefix.strip("/") else ""
        # Photos and documents citizens "sent", by media id: (bytes, MIME type).
        self.media: dict[str, tuple[bytes, str]] = {}
        super().__init__(session_factory, host=host, port=port, token=token)

    @property
    def url(self) -> str:
        """The API base an adapter is pointed at (``PEDULI_WHATSAPP_API_URL``)."""
        return f"{self.base_url}{self.prefix}"

    def keep_media(self, data: bytes, content_type: str) -> str:
        """Hold a file a citizen sends; its media id, for the message's ``image.id``."""
        media_id = f"{len(self.media) + 1:015d}"
        self.media[media_id] = (data, content_type)
        return media_id

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
                        body=_body_of(message),
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


def _body_of(message: dict[str, Any]) -> str:
    """What the citizen's phone shows: the text, or which approved template arrived."""
    if message["type"] == "template":
        template = message["template"]
        return f"[template {template['name']} ({template['language']['code']})]"
    return str(message["text"]["body"])


def _problem_with(message: Any) -> str:
    """Why the Cloud API would refuse this message, or "" if it is fine."""
    if not isinstance(message, dict) or message.get("messaging_product") != "whatsapp":
        return "messaging_product must be 'whatsapp'"
    if message.get("type") not in ("text", "template"):
        return "the sandbox takes text and template messages only"
    if not isinstance(message.get("to"), str) or not _WA_ID.match(message["to"]):
        return "to must be a phone number with country code, digits only, like 6281234567890"
    if message["type"] == "template":
        template = message.get("template")
        language = template.get("language") if isinstance(template, dict) else None
        if (
            not isinstance(template, dict)
            or not template.get("name")
            or not isinstance(language, dict)
            or not language.get("code")
        ):
            return "template needs a name and a language code"
        return (
            ""
            if message.get("biz_opaque_callback_data")
            else "biz_opaque_callback_data is required"
        )
    text = message.get("text")
    if not isinstance(text, dict) or not isinstance(text.get("body"), str) or not text["body"]:
        return "text.body must be a non-empty string"
    if not message.get("biz_opaque_callback_data"):
        return "biz_opaque_callback_data is required: send the message's idempotency key"
    return ""


class _Handler(SandboxHandler):
    gateway: WhatsAppGateway

    def do_GET(self) -> None:  # noqa: N802 - the name http.server dispatches to
        """Media: ``{prefix}/{media_id}`` describes a file, ``/media/{media_id}`` serves it."""
        if self.refused(unauthorized="Invalid OAuth access token.", unauthorized_code=190):
            return
        path = self.path.split("?")[0]
        if path.startswith("/media/"):
            found = self.gateway.media.get(path.removeprefix("/media/"))
            if found is None:
                return self.answer(HTTPStatus.NOT_FOUND, _graph_error("no such media"))
            return self.answer_file(*found)
        found = self.gateway.media.get(path.removeprefix(self.gateway.prefix + "/"))
        if found is None:
            return self.answer(HTTPStatus.NOT_FOUND, _graph_error("no such media"))
        media_id = path.rsplit("/", 1)[-1]
        url = f"{self.gateway.base_url}/media/{media_id}"
        self.answer(HTTPStatus.OK, {"url": url, "mime_type": found[1], "id": media_id})

    def error_body(self, message: str, code: int) -> Any:
        """Graph API errors: ``{"error": {"message", "type", "code"}}``."""
        return _graph_error(message, code or 100)

    def post(self, body: bytes) -> None:
        path = self.path.split("?")[0]
        prefix = self.gateway.prefix
        if not path.startswith(prefix):
            return self.answer(HTTPStatus.NOT_FOUND, _graph_error(f"post under {prefix}/"))
        path = path[len(prefix) :]
        if self.refused(unauthorized="Invalid OAuth access token.", unauthorized_code=190):
            return None
        try:
            data = json.loads(body)
        except ValueError:
            return self.answer(HTTPStatus.BAD_REQUEST, _graph_error("the body is not JSON"))
        if path in ("", "/"):
            return self._batch(data)
        match = _RELATIVE.match(path)
        if match is None:
            return self.answer(HTTPStatus.NOT_FOUND, _graph_error("unknown path"))
        ((code, answer),) = self.gateway.accept([(match["phone"], data)])
        self.answer_accepted(answer, code)

    def _batch(self, data: Any) -> None:
        batch = data.get("batch") if isinstance(data, dict) else None
        if not isinstance(batch, list) or not 0 < len(batch) <= MAX_BATCH:
            return self.answer(
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
        self.answer_accepted(
            [
                {
                    "code": code,
                    "headers": [{"name": "Content-Type", "value": "application/json"}],
                    "body": json.dumps(answer),
                }
                for code, answer in answers
            ],
        )


_INBOUND_IDS = itertools.count(1)


def inbound_webhook(phone_number_id: str, sender: str, message: dict[str, Any]) -> dict[str, Any]:
    """The Cloud API webhook Meta posts when ``sender`` (digits, no +) writes ``message``
    (``{"type": "text", "text": {"body": …}}``, a location, …) to the business number."""
    wamid = f"wamid.citizen{int(time.time() * 1000)}{next(_INBOUND_IDS)}"
    value = {
        "messaging_product": "whatsapp",
        "metadata": {"display_phone_number": phone_number_id, "phone_number_id": phone_number_id},
        "contacts": [{"profile": {"name": "Citizen"}, "wa_id": sender}],
        "messages": [{"from": sender, "id": wamid, "timestamp": str(int(time.time())), **message}],
    }
    return {
        "object": "whatsapp_business_account",
        "entry": [{"id": phone_number_id, "changes": [{"value": value, "field": "messages"}]}],
    }


def citizen_writes(
    webhook_url: str,
    *,
    app_secret: str,
    phone: str,
    message: dict[str, Any],
    phone_number_id: str = "100000000001",
    timeout: float = 10.0,
) -> httpx.Response:
    """A citizen writes to the business number: the webhook is signed with the app secret
    (``X-Hub-Signature-256``) over the exact bytes sent, as Meta signs it."""
    body = json.dumps(inbound_webhook(phone_number_id, phone.lstrip("+"), message)).encode()
    signature = hmac.new(app_secret.encode(), body, hashlib.sha256).hexdigest()
    headers = {"Content-Type": "application/json", "X-Hub-Signature-256": f"sha256={signature}"}
    return httpx.post(webhook_url, content=body, headers=headers, timeout=timeout)


# Set here because the handler class is defined below the gateway it serves.
WhatsAppGateway.handler = _Handler
