"""A database that cannot be reached is a 503 problem the client may retry, never a 500."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient

from peduli.api.app import create_app
from peduli.core.config import get_settings
from peduli.core.db import get_engine, get_sessionmaker

NOTHING_LISTENS = "postgresql+psycopg://postgres@127.0.0.1:1/peduli_nowhere"


@pytest.fixture
def without_database(monkeypatch: pytest.MonkeyPatch) -> Iterator[TestClient]:
    """The app with its database gone (nothing listens on its port)."""
    monkeypatch.setenv("PEDULI_DATABASE_URL", NOTHING_LISTENS)
    for cached in (get_settings, get_engine, get_sessionmaker):
        cached.cache_clear()
    try:
        with TestClient(create_app(), client=("127.0.0.1", 50000)) as client:
            yield client
    finally:
        get_engine().dispose()
        monkeypatch.undo()
        for cached in (get_settings, get_engine, get_sessionmaker):
            cached.cache_clear()


def test_a_write_without_a_database_is_a_503_problem_to_retry(
    without_database: TestClient,
) -> None:
    sos = {"name": "Dewi", "country": "KR", "city": "Ansan", "kind": "violence",
           "phone": "+821077778888"}  # fmt: skip
    answer = without_database.post("/api/v1/emergencies", json=sos)
    assert answer.status_code == 503, answer.text
    assert answer.headers["content-type"] == "application/problem+json"
    assert answer.headers["retry-after"] == "5"
    assert answer.json()["code"] == "database_unavailable"


def test_a_page_without_a_database_says_so_in_the_readers_language(
    without_database: TestClient,
) -> None:
    page = without_database.get("/verifikasi?lang=en", headers={"Accept": "text/html"})
    assert page.status_code == 503
    assert "cannot reach its database" in page.text
    assert page.headers["retry-after"] == "5"


def test_readiness_says_the_database_is_unreachable(without_database: TestClient) -> None:
    ready = without_database.get("/readyz")
    assert ready.status_code == 503
    assert ready.json()["database"] == "unreachable"
