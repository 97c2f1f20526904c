"""The case page tests read English unless a test chooses another language."""

from __future__ import annotations

import pytest
from fastapi.testclient import TestClient

from peduli.web.i18n import LANGUAGE_COOKIE


@pytest.fixture(autouse=True)
def english(client: TestClient) -> None:
    client.cookies.set(LANGUAGE_COOKIE, "en")
