"""When PostgreSQL stops answering and when it answers again, told once each in the logs.

A database stopped, restarted or failed over surfaces as connection errors on whichever
queries run next. The engine needs no help to recover (``pool_pre_ping`` replaces a dead
pooled connection, and a refused connect is tried again on the next checkout), but an
operator reading the logs must see both moments: one ``database unreachable`` line when
the first error of an outage is met, one ``database reachable again`` line, with how long
it lasted and how many errors it caused, when a new connection succeeds after it. Between
the two, requests are answered 503 (``api.problems``), never 500.
"""

from __future__ import annotations

import threading
import time
from typing import Any

import psycopg
from sqlalchemy import event
from sqlalchemy.engine import Engine, ExceptionContext
from sqlalchemy.exc import DBAPIError

from peduli.core.logging import get_logger

log = get_logger(__name__)

# SQLSTATEs of a server going away or not accepting connections yet: class 08 (connection
# exception), admin shutdown (pg_ctl stop, pg_terminate_backend), crash shutdown, and
# "the database system is starting up" (crash recovery after an immediate stop).
_OUTAGE_STATES = frozenset({"57P01", "57P02", "57P03"})

# Every PostgreSQL engine's: a pooled connection is tested before use and replaced if the
# server dropped it; a host that stopped answering (rather than refusing) fails a connect
# in 5 s instead of holding the request until the client gives up.
# JIT compilation is for long analytical queries: on the app's statements it only adds
# time (1.5 s of a crisis audience's 6.6 s at 10 M citizens).
# A server process checks every 2 s whether its client is still there: PostgreSQL otherwise
# notices a killed app or worker process only when it sends the answer, so a worker killed
# half-way through a million-recipient fan-out left its statement running (and holding the
# broadcast's row) for the rest of its 30 s, work thrown away at the rollback, and a board
# read of a killed page kept its core busy for nothing.
ENGINE_OPTIONS: dict[str, Any] = {
    "pool_pre_ping": True,
    "connect_args": {
        "connect_timeout": 5,
        "options": "-c jit=off -c client_connection_check_interval=2000",
    },
}


def means_outage(error: DBAPIError) -> bool:
    """Tell whether ``error`` says the database cannot be reached (rather than a query failed).

    libpq's own failures (connection refused, server closed the connection) carry no SQLSTATE.
    """
    if error.connection_invalidated:
        return True
    original = error.orig
    if not isinstance(original, psycopg.OperationalError | psycopg.InterfaceError):
        return False
    state = original.sqlstate
    return state is None or state.startswith("08") or state in _OUTAGE_STATES


class _Outage:
    """One engine's view: since when its database has been failing, and how often."""

    def __init__(self, database: str) -> None:
        self.database = database
        self._lock = threading.Lock()
        self._since: float | None = None
        self._errors = 0

    def failed(self, error: BaseException) -> None:
        with self._lock:
            self._errors += 1
            if self._since is not None:
                return
            self._since = time.monotonic()
        log.warning("database unreachable", database=self.database, error=type(error).__name__)

    def connected(self) -> None:
        with self._lock:
            if self._since is None:
                return
            seconds, errors = time.monotonic() - self._since, self._errors
            self._since, self._errors = None, 0
        log.info(
            "database reachable again",
            database=self.database,
            unreachable_seconds=round(seconds, 3),
            errors=errors,
        )


def watch(engine: Engine) -> None:
    """Log the start and the end of each outage of ``engine``'s database."""
    url = engine.url
    outage = _Outage(f"{url.host}:{url.port}/{url.database}")

    @event.listens_for(engine, "handle_error")
    def _on_error(context: ExceptionContext) -> None:
        # A connect that failed (no connection yet), or a connection the server dropped.
        if context.connection is None or context.is_disconnect:
            outage.failed(context.original_exception)

    @event.listens_for(engine, "connect")
    def _on_connect(_dbapi_connection: Any, _record: Any) -> None:
        outage.connected()
