"""A connection the server drops is replaced by itself, and the logs tell when the database
stopped and started answering; only such errors count as an outage (a 503, not a 500)."""

from __future__ import annotations

import subprocess
import sys
import time
import uuid
from collections.abc import Callable, Iterator

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, OperationalError
from structlog.testing import CapturingLogger

from peduli.core import connectivity
from peduli.core.db import make_engine

NOTHING_LISTENS = "postgresql+psycopg://postgres@127.0.0.1:1/peduli_nowhere"


@pytest.fixture
def logged(monkeypatch: pytest.MonkeyPatch) -> CapturingLogger:
    captured = CapturingLogger()
    monkeypatch.setattr(connectivity, "log", captured)
    return captured


@pytest.fixture
def own_engine(engine: Engine) -> Iterator[Engine]:
    """An engine of its own on the test database (PostgreSQL): its pool is this test's."""
    if engine.dialect.name != "postgresql":
        pytest.skip("pg_terminate_backend is PostgreSQL's")
    fresh = make_engine(engine.url.render_as_string(hide_password=False))
    yield fresh
    fresh.dispose()


def _terminate(engine: Engine, pid: int) -> None:
    with engine.connect() as admin:
        assert admin.scalar(text("SELECT pg_terminate_backend(:pid)"), {"pid": pid})


def _events(logged: CapturingLogger) -> list[str]:
    return [call.args[0] for call in logged.calls]


def test_a_pooled_connection_killed_by_the_server_is_replaced_and_logged(
    engine: Engine, own_engine: Engine, logged: CapturingLogger
) -> None:
    with own_engine.connect() as connection:
        pid = connection.scalar(text("SELECT pg_backend_pid()"))
    _terminate(engine, pid)  # the connection now idles, dead, in the pool

    with own_engine.connect() as connection:  # the pre-ping finds it dead and reconnects
        assert connection.scalar(text("SELECT pg_backend_pid()")) != pid

    assert _events(logged) == ["database unreachable", "database reachable again"]
    again = logged.calls[1].kwargs
    assert again["errors"] >= 1 and again["unreachable_seconds"] >= 0
    assert again["database"].endswith(f"/{engine.url.database}")


def test_a_connection_killed_mid_transaction_fails_as_an_outage_then_recovers(
    engine: Engine, own_engine: Engine, logged: CapturingLogger
) -> None:
    with own_engine.connect() as connection:
        pid = connection.scalar(text("SELECT pg_backend_pid()"))
        _terminate(engine, pid)
        with pytest.raises(OperationalError) as failed:
            connection.execute(text("SELECT 1"))
    assert connectivity.means_outage(failed.value)
    assert _events(logged) == ["database unreachable"]

    with own_engine.connect() as connection:
        assert connection.scalar(text("SELECT 1")) == 1
    assert _events(logged) == ["database unreachable", "database reachable again"]


def test_a_refused_connection_is_an_outage_logged_once() -> None:
    nowhere = make_engine(NOTHING_LISTENS)
    captured = CapturingLogger()
    try:
        with pytest.MonkeyPatch.context() as patch:
            patch.setattr(connectivity, "log", captured)
            for _ in range(3):
                with pytest.raises(OperationalError) as refused:
                    nowhere.connect()
                assert connectivity.means_outage(refused.value)
    finally:
        nowhere.dispose()
    assert _events(captured) == ["database unreachable"]  # once per outage, not per error


def test_a_bad_query_is_not_an_outage(engine: Engine, logged: CapturingLogger) -> None:
    with engine.connect() as connection, pytest.raises(DBAPIError) as failed:
        connection.execute(text("SELECT no_such_column FROM no_such_table"))
    assert not connectivity.means_outage(failed.value)
    assert _events(logged) == []


_SLEEPER = """
import sys
from sqlalchemy import text
from peduli.core.db import make_engine
with make_engine(sys.argv[1]).connect() as connection:
    connection.execute(text("SELECT pg_sleep(60) /* {marker} */"))
"""


def test_the_server_stops_the_statement_of_a_client_killed_mid_query(engine: Engine) -> None:
    """A worker SIGKILLed in a long statement must not leave it running on the server."""
    if engine.dialect.name != "postgresql":
        pytest.skip("client_connection_check_interval is PostgreSQL's")
    marker = f"killed-client-{uuid.uuid4()}"
    url = engine.url.render_as_string(hide_password=False)
    sleeper = subprocess.Popen([sys.executable, "-c", _SLEEPER.replace("{marker}", marker), url])
    try:
        assert _wait_for(lambda: _running(engine, marker), seconds=30), "never started"
    finally:
        sleeper.kill()
        sleeper.wait()
    # Checked every 2 s; without the check it would sleep on for the rest of its minute.
    assert _wait_for(lambda: not _running(engine, marker), seconds=10)


def _running(engine: Engine, marker: str) -> bool:
    with engine.connect() as admin:
        found = admin.scalar(
            text(
                "SELECT count(*) FROM pg_stat_activity"
                " WHERE query LIKE :q AND pid <> pg_backend_pid()"
            ),
            {"q": f"%{marker}%"},
        )
    return bool(found)


def _wait_for(condition: Callable[[], bool], *, seconds: float) -> bool:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        if condition():
            return True
        time.sleep(0.2)
    return False
