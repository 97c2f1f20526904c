"""Reads that may lag: a second engine on the streaming replica (``PEDULI_READ_DATABASE_URL``).

Statistics, search and board counts may be a few seconds behind the primary; they can read
from a replica and spare the primary. Everything a caller has just written is read from the
primary (``core.db``): a citizen who reported themselves sees their report, an officer who
closed a case sees it closed. When the setting is unset, these reads go to the primary too.
"""

from __future__ import annotations

import os
from collections.abc import Iterator
from contextlib import contextmanager
from functools import lru_cache

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session, sessionmaker

from peduli.core.config import get_settings
from peduli.core.db import READ_ONLY, get_engine, leave_parents_connections, make_engine


@lru_cache
def get_lagging_read_engine() -> Engine:
    """The engine of reads that may lag: the replica at ``PEDULI_READ_DATABASE_URL``, or the
    primary's own engine when it is unset (one database, nothing lags)."""
    url = get_settings().read_database_url
    return make_engine(url) if url else get_engine()


def _after_fork() -> None:
    if get_lagging_read_engine.cache_info().currsize:  # the primary's twice: harmless
        leave_parents_connections(get_lagging_read_engine())


os.register_at_fork(after_in_child=_after_fork)


@lru_cache
def get_lagging_read_sessionmaker() -> sessionmaker[Session]:
    """Sessions for reads that may be seconds behind the primary (statistics, search, board
    counts; docs/operations.md); never for what a caller has just written."""
    return sessionmaker(bind=get_lagging_read_engine(), expire_on_commit=False)


def lagging_read_transaction() -> Iterator[Session]:
    """One read-only transaction on the lagging-read engine, rolled back at its end: for
    statistics, search and board counts, never for what the caller has just written
    (the request dependency ``api.deps.LaggingReadDb``; ``lagging_read_session`` elsewhere)."""
    session = get_lagging_read_sessionmaker()()
    session.connection(execution_options={READ_ONLY: True})
    try:
        yield session
    finally:
        session.rollback()
        session.close()


lagging_read_session = contextmanager(lagging_read_transaction)


@contextmanager
def lagging_reads_beside(primary: Session) -> Iterator[Session]:
    """A session for reads that may lag, for a caller that holds ``primary`` already: a
    session on the replica when there is one, else ``primary`` itself. With one database a
    second session would only add a pool checkout, its ping and a transaction of its own to
    every request (the statistics' p99, docs/performance.md)."""
    if get_settings().read_database_url:
        with lagging_read_session() as counts:
            yield counts
    else:
        yield primary
