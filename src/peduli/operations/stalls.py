"""Stalled requests, told in the logs with where every thread of the process was waiting.

A request that waits many seconds is hard to explain afterwards: the database's log shows a
slow statement or a lock wait only if the wait was there, and a wait for a pooled
connection, a thread of the pool that runs synchronous routes, or an event loop held by
blocking code leaves no trace anywhere. In the load test a handful of requests (``/healthz``
among them) waited 6-19 s once per run, with nothing in PostgreSQL's log to show why.

So each server process runs a watchdog thread. Once a second it looks at the requests in
flight and at the event loop (a callback it schedules must have run). When a request has
been in flight ``request_seconds`` or the loop has not run a callback for ``loop_seconds``,
it writes one warning, ``requests stalled``, at most once every ``report_every`` seconds:
the requests in flight past the threshold (request id, method, route template, seconds),
the database pools (connections checked out, overflow), the thread pool (threads busy,
tasks waiting for one), and the innermost frames of every thread, identical stacks counted
once. Routes are templates and frames are code locations: no personal identifier can appear.
"""

from __future__ import annotations

import asyncio
import os
import sys
import threading
import time
import traceback
from collections import Counter
from dataclasses import dataclass, field
from typing import Any

import anyio.to_thread
from starlette.types import Scope

from peduli.core.logging import get_logger

log = get_logger(__name__)

REQUEST_SECONDS = 5.0
LOOP_SECONDS = 2.0
REPORT_EVERY_SECONDS = 10.0
LOOK_EVERY_SECONDS = 1.0
FRAMES_PER_STACK = 8


@dataclass
class InFlight:
    """The requests a process is answering, and the event loop answering them."""

    requests: dict[int, tuple[str, Scope, float]] = field(default_factory=dict)
    loop: asyncio.AbstractEventLoop | None = None
    thread_limiter: Any = None
    loop_beat: float = field(default_factory=time.monotonic)

    def entered(self, request_id: str, scope: Scope) -> int:
        """Note a request that began now; the returned key is given back to ``left``."""
        loop = asyncio.get_running_loop()
        if loop is not self.loop:  # the first request (tests run one loop per client)
            self.loop = loop
            self.thread_limiter = anyio.to_thread.current_default_thread_limiter()
            self.loop_beat = time.monotonic()
        key = id(scope)
        self.requests[key] = (request_id, scope, time.monotonic())
        return key

    def left(self, key: int) -> None:
        self.requests.pop(key, None)

    def forget_the_parents(self) -> None:
        """Drop what a forked process inherited: its parent's requests and event loop, which
        it never serves. Kept, the parent's loop looked silent since the fork (a new server
        process reported 479 s of silence while it was still importing)."""
        self.requests.clear()
        self.loop = None
        self.thread_limiter = None
        self.loop_beat = time.monotonic()

    def longer_than(self, seconds: float, now: float) -> list[tuple[str, Scope, float]]:
        """The requests in flight for ``seconds`` or more, with their seconds, longest first."""
        ages = [(rid, scope, now - began) for rid, scope, began in list(self.requests.values())]
        return sorted((age for age in ages if age[2] >= seconds), key=lambda age: -age[2])


IN_FLIGHT = InFlight()


@dataclass
class Watchdog:
    """The thread that looks for stalls in one process (started by ``start_watchdog``)."""

    in_flight: InFlight
    request_seconds: float = REQUEST_SECONDS
    loop_seconds: float = LOOP_SECONDS
    report_every: float = REPORT_EVERY_SECONDS
    look_every: float = LOOK_EVERY_SECONDS
    _last_report: float = float("-inf")

    def start(self) -> None:
        """Look every ``look_every`` seconds for as long as the process lives."""
        threading.Thread(target=self._run, name="stall-watchdog", daemon=True).start()

    def _run(self) -> None:
        while True:
            time.sleep(self.look_every)
            self.look()

    def look(self) -> dict[str, Any] | None:
        """One look: ask the loop for a beat, and report (and return the report) if something
        waited too long."""
        now = time.monotonic()
        loop = self.in_flight.loop
        loop_silent = 0.0
        if loop is not None and not loop.is_closed():
            loop_silent = max(0.0, now - self.in_flight.loop_beat - self.look_every)
            loop.call_soon_threadsafe(self._beat)
        stalled = self.in_flight.longer_than(self.request_seconds, now)
        if not stalled and loop_silent < self.loop_seconds:
            return None
        if now - self._last_report < self.report_every:
            return None
        self._last_report = now
        return self.report(stalled, loop_silent)

    def _beat(self) -> None:
        self.in_flight.loop_beat = time.monotonic()

    def report(self, stalled: list[tuple[str, Scope, float]], loop_silent: float) -> dict[str, Any]:
        from peduli.api.observability import route_template  # the API imports this module

        report: dict[str, Any] = {
            "requests": [
                {
                    "request_id": request_id,
                    "method": scope.get("method"),
                    "route": route_template(scope),
                    "seconds": round(age, 1),
                }
                for request_id, scope, age in stalled[:20]
            ],
            "requests_in_flight": len(self.in_flight.requests),
            "event_loop_silent_seconds": round(loop_silent, 1),
            "threads": self._thread_pool(),
            "database_pools": database_pools(),
            "stacks": thread_stacks(exclude=threading.get_ident()),
        }
        log.warning("requests stalled", **report)
        return report

    def _thread_pool(self) -> dict[str, int]:
        limiter = self.in_flight.thread_limiter
        if limiter is None:
            return {}
        statistics = limiter.statistics()
        return {
            "busy": int(statistics.borrowed_tokens),
            "limit": int(statistics.total_tokens),
            "tasks_waiting": int(statistics.tasks_waiting),
        }


def database_pools() -> dict[str, dict[str, int]]:
    """Each engine this process opened: connections checked out, idle, and over the pool size."""
    from peduli.core.db import get_engine
    from peduli.core.read_replica import get_lagging_read_engine

    engines = {"primary": get_engine, "lagging_reads": get_lagging_read_engine}
    pools: dict[str, dict[str, int]] = {}
    for name, getter in engines.items():
        if not getter.cache_info().currsize:
            continue
        pool: Any = getter().pool
        if hasattr(pool, "checkedout"):
            pools[name] = {
                "checked_out": pool.checkedout(),
                "idle": pool.checkedin(),
                "overflow": max(0, pool.overflow()),
            }
    return pools


def thread_stacks(exclude: int) -> list[dict[str, Any]]:
    """Every thread's innermost frames, identical stacks once with how many threads share
    them, the most shared first."""
    names = {thread.ident: thread.name for thread in threading.enumerate()}
    stacks: Counter[tuple[str, ...]] = Counter()
    named: dict[tuple[str, ...], str] = {}
    for ident, frame in sys._current_frames().items():
        if ident == exclude:
            continue
        frames = traceback.extract_stack(frame)[-FRAMES_PER_STACK:]
        stack = tuple(f"{_short(f.filename)}:{f.lineno} {f.name}" for f in frames)
        stacks[stack] += 1
        named.setdefault(stack, names.get(ident, "?"))
    return [
        {"threads": count, "first": named[stack], "frames": list(stack)}
        for stack, count in stacks.most_common()
    ]


def _short(filename: str) -> str:
    for marker in ("site-packages/", "src/", "lib/python"):
        if marker in filename:
            return filename.split(marker, 1)[1]
    return os.path.basename(filename)


_started_in: int | None = None


def start_watchdog() -> None:
    """Watch this process's requests (once per process: a forked child starts its own)."""
    global _started_in
    if _started_in == os.getpid():
        return
    _started_in = os.getpid()
    IN_FLIGHT.forget_the_parents()
    Watchdog(IN_FLIGHT).start()
