"""Test fixtures: a real database (SQLite by default, PostgreSQL with
``PEDULI_TEST_DATABASE_URL``), emptied before each test, and an HTTP client on the app.

Under pytest-xdist (``-n 2``) every worker has a database of its own: a SQLite file in the
worker's own temporary directory, or on PostgreSQL a database named after the given one and
the worker (``peduli_ci`` → ``peduli_ci_gw0``), which the worker creates, migrates and drops.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager

import pytest
from argon2 import PasswordHasher
from fastapi import FastAPI
from fastapi.testclient import TestClient
from hypothesis import is_hypothesis_test
from sqlalchemy import String, create_engine, exists, literal, select, text, union_all
from sqlalchemy.engine import Connection, Engine, make_url
from sqlalchemy.orm import Session
from sqlalchemy.pool import NullPool

from tests.fuzzing import load_hypothesis_profile
from tests.live import live_server  # noqa: F401 - the app on a real port, one per process

load_hypothesis_profile()


def pytest_addoption(parser: pytest.Parser) -> None:
    parser.addoption(
        "--database-tests-only",
        action="store_true",
        help="run only the tests that use the database (the PostgreSQL leg of scripts/test.sh:"
        " a test that never touches the database behaves the same on both, so runs once)",
    )


def pytest_collection_modifyitems(config: pytest.Config, items: list[pytest.Item]) -> None:
    """Mark every Hypothesis test ``fuzz``: the slow job (``-m fuzz``) runs them harder. With
    ``--database-tests-only``, leave out the tests that use no database (``_uses_a_database``)."""
    for item in items:
        if is_hypothesis_test(getattr(item, "obj", None)):
            item.add_marker(pytest.mark.fuzz)
    if config.getoption("--database-tests-only"):
        kept: list[pytest.Item] = []
        without_database: list[pytest.Item] = []
        for item in items:
            (kept if _uses_a_database(item) else without_database).append(item)
        if without_database:
            config.hook.pytest_deselected(items=without_database)
            items[:] = kept


def _uses_a_database(item: pytest.Item) -> bool:
    """The test reaches ``engine``, or starts PostgreSQL clusters of its own (``own_clusters``:
    the layout's scripts, run on the PostgreSQL leg only)."""
    return "engine" in item.fixturenames or item.get_closest_marker("own_clusters") is not None


@pytest.fixture(scope="session")
def engine(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Engine]:
    """Point the whole process at the test database and build its schema by migration."""
    given = os.environ.get("PEDULI_TEST_DATABASE_URL")
    worker = os.environ.get("PYTEST_XDIST_WORKER")  # gw0, gw1… under pytest-xdist
    if not given:
        url = f"sqlite:///{tmp_path_factory.mktemp('db') / 'test.db'}"
    elif worker:
        url = _create_worker_database(given, worker)
    else:
        url = given
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
    if given and worker:
        with _autocommit(given) as conn:
            conn.execute(text(f'DROP DATABASE IF EXISTS "{make_url(url).database}" WITH (FORCE)'))


def _create_worker_database(given: str, worker: str) -> str:
    """The URL of the worker's own PostgreSQL database beside ``given``, created if missing."""
    own = make_url(given)
    if own.get_backend_name() != "postgresql":
        raise pytest.UsageError("pytest-xdist gives each worker a database on PostgreSQL only")
    own = own.set(database=f"{own.database}_{worker}")
    with _autocommit(given) as conn:
        query = text("SELECT 1 FROM pg_database WHERE datname = :name")
        if conn.scalar(query, {"name": own.database}) is None:
            conn.execute(text(f'CREATE DATABASE "{own.database}"'))
    return own.render_as_string(hide_password=False)


@contextmanager
def _autocommit(url: str) -> Iterator[Connection]:
    """A connection to ``url`` outside any transaction, as CREATE and DROP DATABASE need."""
    engine = create_engine(url, isolation_level="AUTOCOMMIT", poolclass=NullPool)
    try:
        with engine.connect() as conn:
            yield conn
    finally:
        engine.dispose()


# argon2id at its lowest cost: the recommended 64 MiB and 3 passes took a second a hash on a
# loaded CI machine, in every test that makes or signs in a staff member.
CHEAP_PASSWORD_HASHER = PasswordHasher(time_cost=1, memory_cost=1024, parallelism=1)


@pytest.fixture(autouse=True, scope="session")
def cheap_password_hashing() -> Iterator[None]:
    """Hash staff passwords cheaply (the same code; hashes carry their own parameters)."""
    from peduli.auth import passwords

    with pytest.MonkeyPatch.context() as patch:
        patch.setattr(passwords, "_hasher", CHEAP_PASSWORD_HASHER)
        patch.setattr(passwords, "_DUMMY_HASH", CHEAP_PASSWORD_HASHER.hash("unknown account"))
        yield


@pytest.fixture
def production_password_hashing(monkeypatch: pytest.MonkeyPatch) -> None:
    """argon2id at the recommended cost, as in production: for tests of the cost itself."""
    from peduli.auth import passwords

    recommended = PasswordHasher()
    monkeypatch.setattr(passwords, "_hasher", recommended)
    monkeypatch.setattr(passwords, "_DUMMY_HASH", recommended.hash("unknown account"))


def _clear_caches() -> None:
    from peduli.core.config import get_settings
    from peduli.core.db import get_engine, get_sessionmaker
    from peduli.core.read_replica import get_lagging_read_engine, get_lagging_read_sessionmaker

    get_settings.cache_clear()
    get_engine.cache_clear()
    get_sessionmaker.cache_clear()
    get_lagging_read_engine.cache_clear()
    get_lagging_read_sessionmaker.cache_clear()
    from peduli.core.crypto import get_cipher

    get_cipher.cache_clear()


def empty_all_tables(engine: Engine) -> None:
    """Delete every row of every table, and restart PostgreSQL's sequences.

    Only the tables that hold rows are touched, found in one query: most tests write to a
    few of the 43 tables, and a TRUNCATE of all of them took 0.7 s on PostgreSQL, per test.
    """
    from peduli.models import Base

    tables = list(reversed(Base.metadata.sorted_tables))  # children before their parents
    holding_rows = union_all(
        *(
            select(literal(table.name, String)).where(exists().select_from(table))
            for table in tables
        )
    )
    with engine.begin() as conn:
        used = set(conn.scalars(holding_rows))
        for table in tables:
            if table.name in used:
                conn.execute(table.delete())
        if engine.dialect.name == "postgresql":
            conn.execute(text(RESTART_SEQUENCES))


# What TRUNCATE … RESTART IDENTITY did: every serial column starts again at 1.
RESTART_SEQUENCES = """
    SELECT setval(sequence.oid, 1, false) FROM pg_class AS sequence
    WHERE sequence.relkind = 'S' AND sequence.relnamespace = current_schema()::regnamespace
"""


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


@pytest.fixture(scope="session")
def shared_app(engine: Engine) -> FastAPI:
    """One app per test process. FastAPI builds an app's routes on their first request (up
    to a second for all of them), so a fresh app per test paid that again and again. A test
    that changes settings read when the app is made builds its own with ``create_app``."""
    from peduli.api.app import create_app

    return create_app()


@pytest.fixture
def client(clean_engine: Engine, shared_app: FastAPI) -> Iterator[TestClient]:
    """An HTTP client on the app, over the emptied test database."""
    # From a real address (not the default "testclient"), as a proxy or a caller would be.
    with TestClient(shared_app, client=("127.0.0.1", 50000)) as test_client:
        yield test_client


def set_production_secrets(monkeypatch: pytest.MonkeyPatch) -> None:
    """Give the environment fresh secrets, so PEDULI_ENVIRONMENT=production may start."""
    from peduli.core.config import SECRET_SETTINGS

    for secret in SECRET_SETTINGS:
        monkeypatch.setenv(secret.env, secret.generate() or "provider-issued-token")
