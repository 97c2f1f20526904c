"""The hottest routes' one hop to a worker thread: their caller, work and commit together.

FastAPI runs each synchronous dependency, the endpoint and ``get_db``'s end in a worker
thread of its own, and each hop waits for the interpreter lock on a busy process. The
busiest writes (check-ins, self-reports, chat webhooks) and the busiest read (the
statistics) do all of it in one hop instead. Beside ``api/deps.py``, which holds the
other request-path tricks but has no room left under the 400-line limit.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import TypeVar

from fastapi.concurrency import run_in_threadpool
from sqlalchemy.orm import Session

from peduli.api.deps import Credentials
from peduli.api.idempotency import commit_unless_held
from peduli.auth.actor import Actor
from peduli.core import read_replica

T = TypeVar("T")


async def hot_path_write(db: Session, work: Callable[[], T]) -> T:
    """Serve one of the hottest writes (check-ins): do ``work`` and commit, in one worker thread.

    Each synchronous dependency, the endpoint and ``get_db``'s commit otherwise hop to a
    thread of their own: an eighth of the throughput on the busiest writes (check-ins).
    """

    def run() -> T:
        result = work()
        commit_unless_held(db)
        return result

    return await run_in_threadpool(run)


async def hot_path_write_as_caller(
    db: Session, credentials: Credentials, work: Callable[[Actor], T]
) -> T:
    """Serve one of the hottest writes (self-reports) for its caller: resolve the caller, check
    the route's scope, do ``work(actor)`` and commit, in one worker thread (``hot_path_write``).

    ``credentials`` come from ``credentials_for(scope)``, the route's one declaration.
    """
    return await hot_path_write(db, lambda: work(credentials.require(db)))


async def hot_path_read_as_caller(
    db: Session, credentials: Credentials, work: Callable[[Actor, Session], T]
) -> T:
    """Serve one of the hottest reads (the statistics) for its caller: resolve the caller,
    check the route's scope, do ``work(actor, counts)`` with ``counts`` a lagging-read
    session (the replica's; else ``db`` itself), and end the transactions, in one worker thread.

    As dependencies, the caller's look-up, the lagging session's opening and its closing,
    the endpoint and ``get_db``'s end would each hop to a worker thread of their own, and
    each hop waits for the GIL on a busy process: the figures' p99 at 10,000,000 people.
    ``credentials`` come from ``credentials_for(scope)``, the route's one declaration.
    """

    def run() -> T:
        actor = credentials.require(db)
        with read_replica.lagging_reads_beside(db) as counts:
            result = work(actor, counts)
        commit_unless_held(db)
        return result

    return await run_in_threadpool(run)
