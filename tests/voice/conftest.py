"""Fixtures of the voice tests: signed webhooks as the platform posts them, and a team on
duty in Seoul with a duty phone."""

from __future__ import annotations

import json
import urllib.request
from collections.abc import Iterator
from typing import Any

import pytest
from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from peduli.auth.actor import Actor, Role
from peduli.core.config import get_settings
from peduli.core.db import get_sessionmaker
from peduli.voice.platform import WEBHOOK_PATH, webhook_url
from peduli.voice.sandbox import CallPlayer, TelephonySandbox
from peduli.voice.twiml import SIGNATURE_HEADER, sign
from tests.browser.harness import LiveServer
from tests.emergency.conftest import SEOUL, on_duty_now, staff_actor

DUTY_PHONE = "+821099998888"
KOREAN_CALLER = "+821055501234"


def signed_post(client: TestClient, path: str, params: dict[str, str]) -> Response:
    """POST ``params`` to ``path`` (under the webhook path) signed as the platform signs."""
    full = WEBHOOK_PATH + path
    signature = sign(get_settings().voice_auth_token, webhook_url(full), params)
    return client.post(full, data=params, headers={SIGNATURE_HEADER: signature})


def duty_officer(db: Session) -> Actor:
    """An officer of Seoul on duty now, with a duty phone the line can dial."""
    officer = staff_actor(db, Role.OFFICER, SEOUL, "duty")
    on_duty_now(db, officer, phone=DUTY_PHONE)
    db.commit()
    return officer


__all__ = [
    "DUTY_PHONE", "KOREAN_CALLER", "SEOUL", "duty_officer", "play", "signed_post",
]  # fmt: skip


@pytest.fixture
def telephony(live_server: LiveServer, clean_engine: Engine) -> Iterator[TelephonySandbox]:
    """The sandbox platform, playing calls against the live server's voice webhook."""
    player = CallPlayer(
        webhook_url=live_server.url + WEBHOOK_PATH, auth_token=get_settings().voice_auth_token
    )
    sandbox = TelephonySandbox(session_factory=get_sessionmaker(), player=player)
    sandbox.start()
    yield sandbox
    sandbox.stop()


def play(sandbox: TelephonySandbox, **script: Any) -> dict[str, Any]:
    """Post ``script`` to the sandbox, as a tester would, and return its transcript."""
    request = urllib.request.Request(  # noqa: S310 - the sandbox's own http URL
        sandbox.url,
        data=json.dumps(script).encode(),
        headers={"Authorization": "Bearer sandbox", "Content-Type": "application/json"},
    )
    with urllib.request.urlopen(request, timeout=60) as answer:  # noqa: S310 - the sandbox
        played: dict[str, Any] = json.loads(answer.read())
    return played
