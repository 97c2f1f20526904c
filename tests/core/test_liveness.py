"""A worker's lock says it is alive; a lock whose connection is gone is taken again."""

from __future__ import annotations

import time

import pytest
from sqlalchemy import literal, select, text
from sqlalchemy.engine import Engine

from peduli.core import liveness


def _dead(engine: Engine, worker_id: str) -> bool:
    with engine.connect() as connection:
        return bool(connection.scalar(select(liveness.claimer_is_dead(literal(worker_id)))))


def _holders(engine: Engine) -> list[str]:
    """The state of each session holding a worker's lock."""
    with engine.connect() as connection:
        return list(
            connection.scalars(
                text(
                    "SELECT a.state FROM pg_stat_activity a JOIN pg_locks l ON l.pid = a.pid "
                    "WHERE l.locktype = 'advisory' AND l.classid = :namespace AND l.granted"
                    # this test's database only: the other test processes' have workers too
                    " AND a.datname = current_database()"
                ),
                {"namespace": liveness.NAMESPACE},
            )
        )


@pytest.fixture
def pg_engine(clean_engine: Engine) -> Engine:
    if clean_engine.dialect.name != "postgresql":
        pytest.skip("advisory locks are PostgreSQL's; SQLite workers rely on the lease")
    return clean_engine


def test_a_worker_is_alive_while_it_holds_its_lock_and_dead_after(pg_engine: Engine) -> None:
    assert _dead(pg_engine, "w-1")
    with liveness.worker_lock(pg_engine, "w-1"):
        assert not _dead(pg_engine, "w-1")
        assert _dead(pg_engine, "w-2")
    assert _dead(pg_engine, "w-1")


def test_the_lock_is_taken_again_after_its_connection_was_cut(pg_engine: Engine) -> None:
    """A database restart cuts every connection; the worker's next check takes it again."""
    with liveness.worker_lock(pg_engine, "w-1") as lock:
        with pg_engine.connect() as connection:
            connection.execute(
                text(
                    "SELECT pg_terminate_backend(pid) FROM pg_locks "
                    "WHERE locktype = 'advisory' AND classid = :namespace"
                ),
                {"namespace": liveness.NAMESPACE},
            )
        deadline = time.monotonic() + 5
        while not _dead(pg_engine, "w-1") and time.monotonic() < deadline:
            time.sleep(0.05)
        assert _dead(pg_engine, "w-1")
        time.sleep(liveness.CHECK_EVERY_SECONDS)
        lock.keep()
        assert not _dead(pg_engine, "w-1")


def test_the_lock_s_connection_is_never_left_in_a_transaction(pg_engine: Engine) -> None:
    with liveness.worker_lock(pg_engine, "w-1") as lock:
        time.sleep(liveness.CHECK_EVERY_SECONDS)
        lock.keep()  # a probe of the connection
        assert _holders(pg_engine) == ["idle"]


def test_a_lock_held_elsewhere_is_tried_again_never_waited_for(pg_engine: Engine) -> None:
    """A session the server has not yet seen die (a cut network) may hold the lock a while."""
    take = text("SELECT pg_advisory_lock(:namespace, hashtext('w-1'))")
    with pg_engine.connect() as stale:
        stale.execute(take, {"namespace": liveness.NAMESPACE})
        started = time.monotonic()
        with liveness.worker_lock(pg_engine, "w-1") as lock:
            assert time.monotonic() - started < 2  # not stuck behind the stale session
            stale.close()  # the server sees it go
            time.sleep(liveness.CHECK_EVERY_SECONDS)
            lock.keep()
            assert len(_holders(pg_engine)) == 1 and not _dead(pg_engine, "w-1")
