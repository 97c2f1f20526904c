"""How many transactions a server process runs at once, in lanes that never wait for each
other.

One lane holds people's requests: pages and the API. The SMS gateway's delivery reports
have a lane of their own. They are the provider's bookkeeping, they come in bursts of
hundreds of reports a POST while a crisis is sent, and they update the very messages the
send is writing. In the load test two slow batches of reports held both of a process's
turns for 20 s, and every page, ``/healthz`` too, waited behind them. In their own lane, a
slow batch delays only the next batch.
"""

from __future__ import annotations

import enum

from anyio import Semaphore
from anyio.lowlevel import RunVar

from peduli.core.db import get_engine


class Lane(enum.Enum):
    REQUESTS = "requests"
    DELIVERY_REPORTS = "delivery_reports"


def transactions_per_process() -> int:
    """How many of people's requests one server process runs at once.

    Python threads share one interpreter lock, so dozens of open transactions only take
    turns in 5 ms slices while holding database locks (the audit chain's above all);
    measured with 32 clients on 2 cores, 2 per process doubled PostgreSQL's write
    throughput and cut the p99 from 0.9 s to 0.17 s: one overlaps the other's round trips.
    SQLite has no round trips and one writer, so a second transaction only waits for the
    first while its thread competes for the interpreter: one at a time served 404-414
    self-reports a second, four at a time 385. Waiting requests hold no thread. Scale by
    processes.
    """
    return 1 if get_engine().dialect.name == "sqlite" else 2


def _size(lane: Lane) -> int:
    """One batch of delivery reports at a time: they are set-based and never urgent."""
    return transactions_per_process() if lane is Lane.REQUESTS else 1


_lanes: RunVar[dict[Lane, Semaphore]] = RunVar("peduli_transaction_lanes")


def turns(lane: Lane) -> Semaphore:
    """This event loop's turns in ``lane`` (a process runs one loop; tests start several)."""
    try:
        lanes = _lanes.get()
    except LookupError:
        lanes = {}
        _lanes.set(lanes)
    if lane not in lanes:
        lanes[lane] = Semaphore(_size(lane))
    return lanes[lane]
