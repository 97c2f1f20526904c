"""Which workers are alive, as PostgreSQL sees them.

A worker that claims rows (outbox messages being sent) and dies mid-way (SIGKILL, out of
memory, a lost host) leaves them claimed. A lease measured in minutes put them back in
line, so a call for help claimed by a worker that was then killed waited minutes for the
duty officer's phone. Instead each worker holds a session-level advisory lock named after
its id, on a connection of its own, for as long as it runs. PostgreSQL drops the lock the
moment that connection goes, which is the moment the process dies: a claim whose worker
holds no lock is an orphan, and is put back in line within a second.

Only PostgreSQL has such locks; on SQLite (one process, the embedded default) nothing is
said dead and the lease alone decides. The lease stays as the fallback everywhere.
"""

from __future__ import annotations

import time
from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy import ColumnElement, Connection, cast, column, func, literal, select, text
from sqlalchemy.dialects.postgresql import OID
from sqlalchemy.engine import Engine
from sqlalchemy.exc import DBAPIError, SQLAlchemyError
from sqlalchemy.orm import QueryableAttribute

from peduli.core.logging import get_logger

log = get_logger(__name__)

# The first key of every worker's lock (the second is the hash of its id): the letters
# "PEDU", so other advisory locks of the database never look like a worker.
NAMESPACE = 0x50454455
# How often a worker checks that its lock's connection still stands (a database restart
# drops it), and takes the lock again if not.
CHECK_EVERY_SECONDS = 1.0

# Never waits: a lock still held by a session the server has not yet seen die (a cut
# network) is tried again at the next check, not waited for with the worker stuck.
_TAKE = text("SELECT pg_try_advisory_lock(:namespace, hashtext(:worker_id))")
_UNLOCK = text("SELECT pg_advisory_unlock_all()")
# The second keys of the workers' locks held in this database (pg_locks shows keys as oid).
_LIVE_LOCKS = (
    text(
        """
        SELECT objid FROM pg_locks
        WHERE locktype = 'advisory' AND classid = :namespace AND objsubid = 2 AND granted
          AND database = (SELECT oid FROM pg_database WHERE datname = current_database())
        """
    )
    .bindparams(namespace=NAMESPACE)
    .columns(column("objid", OID))
)


class WorkerLock:
    """A worker's advisory lock, held on a connection of its own and taken again after the
    database comes back. Does nothing on a database other than PostgreSQL."""

    def __init__(self, engine: Engine, worker_id: str) -> None:
        self._engine = engine
        self._worker_id = worker_id
        self._connection: Connection | None = None
        self._checked = float("-inf")

    @property
    def supported(self) -> bool:
        return self._engine.dialect.name == "postgresql"

    def keep(self) -> None:
        """Make sure the lock is held (at most once per ``CHECK_EVERY_SECONDS``); when the
        database is down, or the lock is held elsewhere, try again at the next check."""
        if not self.supported or time.monotonic() - self._checked < CHECK_EVERY_SECONDS:
            return
        self._checked = time.monotonic()
        try:
            if self._connection is not None:
                self._connection.execute(select(literal(1)))
                return
        except DBAPIError:
            self.release()
        self._connection = self._take()

    def _take(self) -> Connection | None:
        """A connection holding the lock, or None (the database is down, the lock is held)."""
        try:
            # Autocommit: the probes in ``keep`` must never leave the connection idle in a
            # transaction (which would hold back VACUUM for as long as the worker runs).
            connection = self._engine.connect().execution_options(isolation_level="AUTOCOMMIT")
        except DBAPIError:  # the database is down: the worker's own work says so
            return None
        try:
            parameters = {"namespace": NAMESPACE, "worker_id": self._worker_id}
            if connection.scalar(_TAKE, parameters):
                return connection
            log.warning("worker lock held elsewhere; trying again", worker_id=self._worker_id)
        except DBAPIError:
            pass
        connection.close()
        return None

    def release(self) -> None:
        """Drop the lock, then close its connection: unlocked before this returns, not
        whenever the server notices the connection gone."""
        if self._connection is not None:
            connection, self._connection = self._connection, None
            try:
                connection.execute(_UNLOCK)
                connection.close()
            except SQLAlchemyError:  # the connection is gone already, and the lock with it
                connection.invalidate()


@contextmanager
def worker_lock(engine: Engine, worker_id: str) -> Iterator[WorkerLock]:
    """Hold ``worker_id``'s lock while the block runs."""
    lock = WorkerLock(engine, worker_id)
    lock.keep()
    try:
        yield lock
    finally:
        lock.release()


def claimer_is_dead(
    claimed_by: ColumnElement[str | None] | QueryableAttribute[str | None],
) -> ColumnElement[bool]:
    """A PostgreSQL condition: the worker named in ``claimed_by`` holds no lock, so it died
    (or never took one: every claiming worker must hold ``worker_lock``)."""
    return cast(func.hashtext(claimed_by), OID).not_in(_LIVE_LOCKS)
