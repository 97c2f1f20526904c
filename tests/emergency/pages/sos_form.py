"""Helpers of the emergency page tests: a citizen sends the SOS form as a browser would."""

from __future__ import annotations

from fastapi.testclient import TestClient

from tests.emergency.conftest import sos
from tests.web.officer_support import HTML, csrf


def send_sos_form(client: TestClient, lang: str = "id", **fields: str | None) -> object:
    """Open the SOS page, then post it with its CSRF token (``fields`` override the SOS)."""
    page = client.get(f"/sos?lang={lang}", headers=HTML)
    assert page.status_code == 200
    data = {k: v for k, v in sos(**fields).items() if v is not None}
    return client.post("/sos", data={**data, "csrf_token": csrf(page.text)}, headers=HTML)
