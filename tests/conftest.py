"""Test fixtures: a real database (SQLite by default, PostgreSQL with
``PEDULI_TEST_DATABASE_URL``), emptied before each test, and an HTTP client on the app."""

from __future__ import annotations

import os
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session


def _test_database_url(tmp_root: Path) -> str:
    return os.environ.get("PEDULI_TEST_DATABASE_URL") or f"sqlite:///{tmp_root / 'test.db'}"


@pytest.fixture(scope="session")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """Point the whole process at the test database and build its schema by migration."""
    url = _test_database_url(tmp_path_factory.mktemp("db"))
    os.environ["PEDULI_DATABASE_URL"] = url
    os.environ.setdefault("PEDULI_ENVIRONMENT", "test")
    _clear_caches()
    from peduli.core.db import get_engine
    from peduli.migrations import runner

    engine = get_engine()
    runner.reset_database(engine)
    runner.upgrade(engine)
    yield engine
    engine.dispose()


def _clear_caches() -> None:
    from peduli.core.config import get_settings
    from peduli.core.db import get_engine, get_sessionmaker

    get_settings.cache_clear()
    get_engine.cache_clear()
    get_sessionmaker.cache_clear()
    from peduli.core.crypto import get_cipher

    get_cipher.cache_clear()


def empty_all_tables(engine: Engine) -> None:
    """Delete every row of every table (PostgreSQL: one TRUNCATE)."""
    from peduli.models import Base

    tables = list(reversed(Base.metadata.sorted_tables))
    with engine.begin() as conn:
        if engine.dialect.name == "postgresql":
            names = ", ".join(f'"{t.name}"' for t in tables)
            conn.execute(text(f"TRUNCATE {names} RESTART IDENTITY CASCADE"))
        else:
            for table in tables:
                conn.execute(table.delete())


@pytest.fixture
def clean_engine(engine: Engine) -> Engine:
    """The engine, with every table emptied first so each test starts from nothing."""
    empty_all_tables(engine)
    return engine


@pytest.fixture
def db(clean_engine: Engine) -> Iterator[Session]:
    """A session the test commits itself, like a request or the CLI would."""
    from peduli.core.db import get_sessionmaker

    session = get_sessionmaker()()
    try:
        yield session
    finally:
        session.rollback()
        session.close()


@pytest.fixture
def client(clean_engine: Engine) -> Iterator[TestClient]:
    """An HTTP client on a fresh app over the test database."""
    from peduli.api.app import create_app

    # From a real address (not the default "testclient"), as a proxy or a caller would be.
    with TestClient(create_app(), client=("127.0.0.1", 50000)) as test_client:
        yield test_client


def set_production_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    """Give the environment fresh secrets, so PEDULI_ENVIRONMENT=production may start."""
    from peduli.core.config import SECRET_SETTINGS

    for secret in SECRET_SETTINGS:
        monkeypatch.setenv(secret.env, secret.generate() or "provider-issued-token")
