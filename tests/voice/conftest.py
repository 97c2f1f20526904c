"""Fixtures of the voice tests: signed webhooks as the platform posts them, and a team on
duty in Seoul with a duty phone."""

from __future__ import annotations

from fastapi.testclient import TestClient
from httpx import Response
from sqlalchemy.orm import Session

from peduli.auth.actor import Actor, Role
from peduli.core.config import get_settings
from peduli.voice.platform import WEBHOOK_PATH, webhook_url
from peduli.voice.twiml import SIGNATURE_HEADER, sign
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


__all__ = ["DUTY_PHONE", "KOREAN_CALLER", "SEOUL", "duty_officer", "signed_post"]
