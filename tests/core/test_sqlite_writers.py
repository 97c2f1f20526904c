"""SQLite's writers take turns across threads and processes; readers wait for none."""

from __future__ import annotations

import sqlite3
import threading
import time
from contextlib import closing
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.engine import Engine

from peduli.core.db import READ_ONLY, WriterQueue, make_engine

WAIT = 5.0


def test_a_second_process_waits_until_the_first_releases_its_turn(tmp_path: Path) -> None:
    """Two queues on one file stand for two processes: each has its own descriptor."""
    database = tmp_path / "shared.db"
    first, second = WriterQueue(database), WriterQueue(database)
    assert first.acquire()
    taken = threading.Event()
    waiter = threading.Thread(target=lambda: second.acquire() and taken.set())
    waiter.start()
    assert not taken.wait(0.3), "the second writer went in while the first held its turn"
    first.release()
    assert taken.wait(WAIT), "the second writer did not go in when the first finished"
    waiter.join()
    second.release()
    assert (tmp_path / "shared.db.writers").exists()


def test_concurrent_writers_in_two_engines_lose_no_update(tmp_path: Path) -> None:
    url = f"sqlite:///{tmp_path / 'count.db'}"
    engines = [make_engine(url), make_engine(url)]
    with engines[0].begin() as connection:
        connection.execute(text("CREATE TABLE counter (n INTEGER NOT NULL)"))
        connection.execute(text("INSERT INTO counter VALUES (0)"))

    def add(engine_index: int) -> None:
        for _ in range(50):
            with engines[engine_index].begin() as connection:
                n = connection.execute(text("SELECT n FROM counter")).scalar_one()
                connection.execute(text("UPDATE counter SET n = :n"), {"n": n + 1})

    threads = [threading.Thread(target=add, args=(i % 2,)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    with engines[1].connect() as connection:
        assert connection.execute(text("SELECT n FROM counter")).scalar_one() == 200


@pytest.mark.parametrize("read_only", [True, False])
def test_a_reader_does_not_wait_for_a_writer(tmp_path: Path, read_only: bool) -> None:
    url = f"sqlite:///{tmp_path / 'read.db'}"
    engine = make_engine(url)
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (n INTEGER)"))
    writer = engine.connect()
    writer.begin()
    writer.execute(text("INSERT INTO t VALUES (1)"))  # holds the writer's turn
    done = threading.Event()

    def read() -> None:
        options = {READ_ONLY: True} if read_only else {}
        with engine.connect().execution_options(**options) as connection, connection.begin():
            connection.execute(text("SELECT count(*) FROM t")).scalar_one()
        done.set()

    reader = threading.Thread(target=read, daemon=True)
    started = time.monotonic()
    reader.start()
    finished = done.wait(1.0)
    writer.commit()
    writer.close()
    reader.join(WAIT)
    if read_only:
        assert finished and time.monotonic() - started < 1.0
    else:
        assert not finished, "a read-write transaction must wait for the writer's turn"


@pytest.mark.parametrize("end", ["commit", "rollback"])
def test_the_turn_is_handed_on_only_after_sqlite_released_its_lock(
    tmp_path: Path, monkeypatch: pytest.MonkeyPatch, end: str
) -> None:
    """The next writer must find SQLite's write lock free, not sleep in its busy handler.

    At every hand-over a connection that waits for nobody tries to take the write lock.
    """
    database = tmp_path / "handover.db"
    engine = make_engine(f"sqlite:///{database}")
    with engine.begin() as connection:
        connection.execute(text("CREATE TABLE t (n INTEGER)"))
    lock_was_free: list[bool] = []
    release = WriterQueue.release

    def release_and_check(queue: WriterQueue) -> None:
        with closing(sqlite3.connect(database, timeout=0, isolation_level=None)) as probe:
            try:
                probe.execute("BEGIN IMMEDIATE")
                probe.execute("ROLLBACK")
                lock_was_free.append(True)
            except sqlite3.OperationalError:  # "database is locked"
                lock_was_free.append(False)
        release(queue)

    monkeypatch.setattr(WriterQueue, "release", release_and_check)
    for n in range(3):
        with engine.connect() as connection:
            connection.begin()
            connection.execute(text("INSERT INTO t VALUES (:n)"), {"n": n})
            getattr(connection, end)()
    assert lock_was_free == [True, True, True]
    with engine.connect() as connection:
        stored = connection.execute(text("SELECT count(*) FROM t")).scalar_one()
    assert stored == (3 if end == "commit" else 0)


def test_what_a_delete_frees_is_overwritten_in_the_file(tmp_path: Path) -> None:
    """An erased value must not stay readable in SQLite's free space (secure_delete)."""
    path = tmp_path / "erase.db"
    engine = make_engine(f"sqlite:///{path}")
    rows = [{"body": f"{'erased' if n % 2 else 'kept'}-sentinel-{n:04d}"} for n in range(400)]
    with engine.begin() as conn:
        conn.execute(text("CREATE TABLE note (id INTEGER PRIMARY KEY, body TEXT)"))
        conn.execute(text("INSERT INTO note (body) VALUES (:body)"), rows)
    _checkpoint(engine, path)
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM note WHERE body LIKE 'erased-%'"))
    _checkpoint(engine, path)
    stored = path.read_bytes()
    assert b"kept-sentinel-0000" in stored
    assert b"erased-sentinel" not in stored


def _checkpoint(engine: Engine, path: Path) -> None:
    """Write the WAL into the database file and empty it, with no other connection open."""
    engine.dispose()
    with closing(sqlite3.connect(path)) as raw:
        raw.execute("PRAGMA wal_checkpoint(TRUNCATE)")
