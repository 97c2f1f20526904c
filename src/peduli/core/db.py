"""Engine, declarative base and transaction scopes for SQLite (embedded) and PostgreSQL."""

from __future__ import annotations

import fcntl
import os
import threading
import uuid
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any

from psycopg._copy_base import format_row_text
from psycopg.adapt import Transformer
from sqlalchemy import ColumnElement, DateTime, MetaData, Uuid, create_engine, event, text
from sqlalchemy.dialects import postgresql, sqlite
from sqlalchemy.engine import Engine
from sqlalchemy.orm import (
    DeclarativeBase,
    Mapped,
    QueryableAttribute,
    Session,
    mapped_column,
    sessionmaker,
)
from sqlalchemy.types import TypeDecorator

from peduli.core import connectivity
from peduli.core.config import get_settings

NAMING = {
    "ix": "ix_%(column_0_label)s",
    "uq": "uq_%(table_name)s_%(column_0_name)s",
    "ck": "ck_%(table_name)s_%(constraint_name)s",
    "fk": "fk_%(table_name)s_%(column_0_name)s_%(referred_table_name)s",
    "pk": "pk_%(table_name)s",
}


def utcnow() -> datetime:
    """Return the current time, timezone-aware in UTC."""
    return datetime.now(UTC)


class UTCDateTime(TypeDecorator[datetime]):
    """A timestamp stored in UTC and always read back timezone-aware (SQLite drops the zone)."""

    impl = DateTime(timezone=True)
    cache_ok = True

    def process_bind_param(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is None:
            return None
        if value.tzinfo is None:
            raise ValueError("naive datetime; use peduli.core.db.utcnow()")
        return value.astimezone(UTC)

    def process_result_value(self, value: datetime | None, dialect: Any) -> datetime | None:
        if value is not None and value.tzinfo is None:
            return value.replace(tzinfo=UTC)
        return value


class Base(DeclarativeBase):
    """Declarative base of every table; constraint names are stable for migrations."""

    metadata = MetaData(naming_convention=NAMING)
    type_annotation_map = {datetime: UTCDateTime(), uuid.UUID: Uuid()}  # noqa: RUF012


class IdMixin:
    id: Mapped[uuid.UUID] = mapped_column(primary_key=True, default=uuid.uuid4)


class TimestampMixin:
    created_at: Mapped[datetime] = mapped_column(default=utcnow)
    updated_at: Mapped[datetime] = mapped_column(default=utcnow, onupdate=utcnow)


SQLITE_BUSY_SECONDS = 30
READ_ONLY = "peduli_read_only"
_HOLDS_QUEUE = "peduli_holds_writer_queue"


class WriterQueue:
    """The writers of one SQLite file, across threads and processes, one after the other.

    SQLite has one writer at a time. Waiters in its busy handler sleep with growing
    back-offs (up to 100 ms) and lose the lock to newcomers again and again: seconds-long
    tails under load, 1.4 s at the p99 with two server processes. Here a thread first
    takes its process's lock (with the busy timeout, so a stuck queue, e.g. a thread that
    holds a transaction and opens a second, ends as SQLite's own wait would), then an
    exclusive ``flock`` on a file beside the database, which the kernel hands to the next
    process the moment it is released; a process that dies releases it with its files.
    """

    def __init__(self, database: Path | None) -> None:
        self._threads = threading.Lock()
        self._path = database.with_name(database.name + ".writers") if database else None
        self._file: tuple[int, int] | None = None  # (process id, descriptor)

    def acquire(self) -> bool:
        """Wait for this connection's turn; False if the process's queue is stuck."""
        if not self._threads.acquire(timeout=SQLITE_BUSY_SECONDS):
            return False
        if self._path is not None:
            fcntl.flock(self._descriptor(), fcntl.LOCK_EX)
        return True

    def release(self) -> None:
        if self._path is not None:
            fcntl.flock(self._descriptor(), fcntl.LOCK_UN)
        self._threads.release()

    def _descriptor(self) -> int:
        """This process's own descriptor (a forked child must not share its parent's lock)."""
        if self._file is None or self._file[0] != os.getpid():
            assert self._path is not None
            self._file = (os.getpid(), os.open(self._path, os.O_RDWR | os.O_CREAT, 0o600))
        return self._file[1]


def _configure_sqlite(engine: Engine, database: Path | None) -> None:
    @event.listens_for(engine, "connect")
    def _on_connect(dbapi_connection: Any, _record: Any) -> None:
        # WAL lets readers run beside the one writer; busy_timeout makes writers queue
        # instead of failing; foreign keys are off by default in SQLite; secure_delete
        # overwrites what a delete or an erasure frees, which would otherwise stay readable
        # in the file's free pages (UU PDP).
        cursor = dbapi_connection.cursor()
        cursor.execute("PRAGMA journal_mode=WAL")
        cursor.execute("PRAGMA synchronous=NORMAL")
        cursor.execute("PRAGMA foreign_keys=ON")
        cursor.execute("PRAGMA secure_delete=ON")
        cursor.execute(f"PRAGMA busy_timeout={SQLITE_BUSY_SECONDS * 1000}")
        cursor.close()
        dbapi_connection.isolation_level = None

    writers = WriterQueue(database)

    @event.listens_for(engine, "begin")
    def _on_begin(connection: Any) -> None:
        if connection.get_execution_options().get(READ_ONLY):
            # A reader sees a snapshot beside the writer (WAL) and needs no turn.
            connection.exec_driver_sql("BEGIN")
            return
        if writers.acquire():
            connection.info[_HOLDS_QUEUE] = True
        # BEGIN IMMEDIATE takes the write lock up front, so two writers never deadlock
        # on a lock upgrade.
        connection.exec_driver_sql("BEGIN IMMEDIATE")

    def _end_then_leave(info: dict[str, Any], end: Callable[[], None]) -> None:
        """End the transaction (``end`` is the DBAPI connection's commit or rollback), then
        hand the turn on.

        SQLAlchemy tells of a commit, rollback or reset before it makes it (its own call
        then finds no transaction left and does nothing). Handed the turn earlier, the
        next writer met SQLite's lock still held and slept in SQLite's busy handler (1 ms,
        then 2, then 5 and more): two server processes wrote 395 self-reports a second,
        and 555 once each commit came first.
        """
        if not info.get(_HOLDS_QUEUE):
            return
        try:
            end()
        finally:
            info.pop(_HOLDS_QUEUE)
            writers.release()

    @event.listens_for(engine, "commit")
    def _on_commit(connection: Any) -> None:
        _end_then_leave(connection.info, connection.connection.dbapi_connection.commit)

    @event.listens_for(engine, "rollback")
    def _on_rollback(connection: Any) -> None:
        _end_then_leave(connection.info, connection.connection.dbapi_connection.rollback)

    @event.listens_for(engine.pool, "reset")
    def _on_reset(dbapi_connection: Any, record: Any, _state: Any = None) -> None:
        _end_then_leave(record.info, dbapi_connection.rollback)


def make_engine(url: str) -> Engine:
    """Create an engine tuned for the backend behind ``url``."""
    if url.startswith("sqlite"):
        path = url.split("///", 1)[-1]
        database = Path(path) if "///" in url and path not in ("", ":memory:") else None
        if database is not None:
            database.parent.mkdir(parents=True, exist_ok=True)
        engine = create_engine(
            url, connect_args={"check_same_thread": False, "timeout": SQLITE_BUSY_SECONDS}
        )
        _configure_sqlite(engine, database)
        return engine
    if url.startswith("postgresql://"):
        url = "postgresql+psycopg://" + url.removeprefix("postgresql://")
    engine = create_engine(url, pool_size=10, max_overflow=20, **connectivity.ENGINE_OPTIONS)
    connectivity.watch(engine)
    return engine


@lru_cache
def get_engine() -> Engine:
    """Return the process-wide engine for the configured database."""
    return make_engine(get_settings().database_url)


@lru_cache
def get_sessionmaker() -> sessionmaker[Session]:
    return sessionmaker(bind=get_engine(), expire_on_commit=False)


def leave_parents_connections(engine: Engine) -> None:
    """In a forked process (``peduli serve`` forks its server processes): the pooled
    connections are the parent's, so this one drops them unclosed and opens its own
    (SQLAlchemy's advice for ``fork``)."""
    engine.dispose(close=False)


def _after_fork() -> None:
    if get_engine.cache_info().currsize:
        leave_parents_connections(get_engine())


os.register_at_fork(after_in_child=_after_fork)


AfterRollback = Callable[[Session], None]


def after_rollback(session: Session, action: AfterRollback) -> None:
    """Run ``action`` in a new transaction if this one rolls back.

    A denied access must be audited although the request that was denied rolls back;
    the transaction owner calls ``rollback_and_keep`` instead of a bare rollback.
    """
    session.info.setdefault("after_rollback", []).append(action)


def rollback_and_keep(session: Session) -> None:
    """Roll back, then commit whatever ``after_rollback`` registered (e.g. denial audits)."""
    session.rollback()
    actions: list[AfterRollback] = session.info.pop("after_rollback", [])
    if actions:
        for action in actions:
            action(session)
        session.commit()


def commit(session: Session) -> None:
    """Commit; what was registered for the rollback case is no longer needed."""
    session.info.pop("after_rollback", None)
    session.commit()


def end_session(session: Session, *, failed: bool) -> None:
    """Commit (or, after an error, roll back) and close: the end of every transaction scope.

    A commit that fails is rolled back like any other error, and its exception propagates.
    """
    try:
        if failed:
            rollback_and_keep(session)
        else:
            try:
                commit(session)
            except BaseException:
                rollback_and_keep(session)
                raise
    finally:
        session.close()


@contextmanager
def session_scope(factory: Callable[[], Session] | None = None) -> Iterator[Session]:
    """One transaction: commit on success, roll back on any error (CLI, worker, tests), in a
    session of ``factory`` (default: the configured database's)."""
    session = (factory or get_sessionmaker())()
    try:
        yield session
    except BaseException:
        end_session(session, failed=True)
        raise
    end_session(session, failed=False)


def is_postgres(session: Session) -> bool:
    """Tell whether ``session`` talks to PostgreSQL (for locks and bulk paths)."""
    return session.get_bind().dialect.name == "postgresql"


@contextmanager
def joins_by_index_lookup(session: Session) -> Iterator[None]:
    """Plan the statements inside as index look-ups per row of the first table, never as a
    hash or merge join over the whole of the other (PostgreSQL; nothing to do on SQLite).

    For a crisis area's cells joined to the stays in them: most cells are empty (sea,
    forest), which no statistics can know, so PostgreSQL expects millions of stays and
    hashes every active stay of the country: 1 s for the count alone at 10 M citizens, 0.2 s
    cell by cell from the covering index (``docs/performance.md``; ``driving_key`` keeps the
    cells the side that is read). ``SET LOCAL`` lasts to the transaction's end at most, and
    the block puts the defaults back.
    """
    switches = ("enable_hashjoin", "enable_mergejoin")
    if not is_postgres(session):
        yield
        return
    for switch in switches:
        session.execute(text(f"SET LOCAL {switch} = off"))
    yield
    for switch in switches:
        session.execute(text(f"SET LOCAL {switch} TO DEFAULT"))


def driving_key(column: ColumnElement[str] | QueryableAttribute[str]) -> ColumnElement[str]:
    """A text join key of the table that must drive the join: ``column || ''``, which no index
    serves, so the other table's index is looked up for each of this table's rows and never
    the reverse.

    With ``joins_by_index_lookup``, a crisis area's cells are the rows read and the stays the
    look-ups. Expecting millions of stays in the cells, PostgreSQL otherwise read all 10 M
    stays and looked each up in the cells: 12 s for Kuala Lumpur at 10 M citizens, and 0.8 s
    cell by cell.
    """
    return column.concat("")


def insert_on_conflict(session: Session, model: type[Any]) -> Any:
    """An INSERT of ``model`` that may say ``ON CONFLICT`` on the session's backend.

    ``ON CONFLICT`` is dialect-specific in SQLAlchemy, so a statement that must skip or
    update a row already there starts here, whether it runs on PostgreSQL or SQLite.
    """
    if is_postgres(session):
        return postgresql.insert(model)
    return sqlite.insert(model)


def rows_in_copy_text(rows: Iterable[Sequence[Any]]) -> bytes:
    """``rows`` in PostgreSQL's COPY text format (UTF-8), as ``Copy.write_row`` sends them,
    made without a connection: a bulk load formats its rows in the processes that build them,
    and the one process holding the transaction only passes the bytes on.

    The loader of 1,000,000 citizens spent half its time in that one process unpickling rows
    built elsewhere and formatting them (``docs/performance.md``). psycopg keeps the
    function private; it is the one ``Copy`` calls, with the default adapters.
    """
    adapters, text = Transformer(), bytearray()
    for row in rows:
        format_row_text(row, adapters, text)
    return bytes(text)
