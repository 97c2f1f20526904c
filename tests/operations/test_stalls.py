"""A stalled request is reported with its route and where every thread was waiting."""

from __future__ import annotations

import asyncio
import threading
import time
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

from fastapi import FastAPI
from fastapi.testclient import TestClient

from peduli.api.observability import RequestIdAndLatency
from peduli.operations.stalls import IN_FLIGHT, InFlight, Watchdog

SHORT = 0.2


def _app(release: threading.Event, entered: threading.Event) -> FastAPI:
    app = FastAPI()
    app.add_middleware(RequestIdAndLatency)

    @app.get("/waits/{item}")
    def waiting_for_something(item: int) -> dict[str, int]:
        entered.set()
        release.wait(10)
        return {"item": item}

    @app.get("/blocks-the-loop")
    async def blocking_the_event_loop() -> dict[str, bool]:
        entered.set()
        time.sleep(4 * SHORT)  # what no async route may do: the whole process waits
        return {"done": True}

    @app.get("/quick")
    def quick() -> dict[str, bool]:
        return {"done": True}

    return app


@contextmanager
def one_request_in_flight(path: str) -> Iterator[tuple[Watchdog, threading.Event]]:
    """``path`` requested in a thread of its own; yields once the route runs."""
    release, entered = threading.Event(), threading.Event()
    watchdog = Watchdog(IN_FLIGHT, request_seconds=SHORT, loop_seconds=SHORT, look_every=0.05)
    with TestClient(_app(release, entered)) as client:
        client.get("/quick")  # the client's event loop is known before the watched request
        answered: list[int] = []
        thread = threading.Thread(
            target=lambda: answered.append(
                client.get(path, headers={"X-Request-ID": "stalled-request-1"}).status_code
            )
        )
        thread.start()
        assert entered.wait(5)
        try:
            yield watchdog, release
        finally:
            release.set()
            thread.join(10)
    assert answered == [200]


def _looks_until_a_report(watchdog: Watchdog, seconds: float = 3.0) -> dict[str, Any]:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        report = watchdog.look()
        if report is not None:
            return report
        time.sleep(0.05)
    raise AssertionError("no stall reported")


def test_a_request_waiting_past_the_threshold_is_reported_with_the_stack_it_waits_in() -> None:
    with one_request_in_flight("/waits/7") as (watchdog, _release):
        assert watchdog.look() is None  # not yet past the threshold
        report = _looks_until_a_report(watchdog)
    [stalled] = report["requests"]
    assert stalled["request_id"] == "stalled-request-1"
    assert stalled["method"] == "GET"
    assert stalled["route"] == "/waits/{item}"  # the template: no value from the path
    assert stalled["seconds"] >= SHORT
    assert report["threads"]["busy"] >= 1
    waiting = [
        s for s in report["stacks"] if any("waiting_for_something" in f for f in s["frames"])
    ]
    assert len(waiting) == 1 and waiting[0]["frames"][-1].endswith(" wait")


def test_an_event_loop_held_by_blocking_code_is_reported_with_the_code_that_holds_it() -> None:
    with one_request_in_flight("/blocks-the-loop") as (watchdog, _release):
        report = _looks_until_a_report(watchdog)
    assert report["event_loop_silent_seconds"] >= SHORT
    assert any(
        any("blocking_the_event_loop" in frame for frame in stack["frames"])
        for stack in report["stacks"]
    )


def test_a_stall_is_reported_once_per_interval_and_quick_requests_never() -> None:
    with one_request_in_flight("/waits/1") as (watchdog, release):
        watchdog.report_every = 60
        _looks_until_a_report(watchdog)
        time.sleep(SHORT)
        assert watchdog.look() is None  # still stalled, but reported a moment ago
        release.set()
    quiet = Watchdog(IN_FLIGHT, request_seconds=SHORT, loop_seconds=SHORT, look_every=0.05)
    assert quiet.look() is None
    assert not IN_FLIGHT.requests  # every request left the view when it was answered


def test_a_process_forked_after_serving_forgets_the_loop_it_inherited() -> None:
    """A server process forked again after a kill inherits its parent's record of an event
    loop that nobody in the new process runs, last heard from at the fork."""
    parents_loop = asyncio.new_event_loop()
    inherited = InFlight(loop=parents_loop, loop_beat=time.monotonic() - 479)
    inherited.requests[1] = ("parents-request", {"type": "http"}, time.monotonic() - 479)
    try:
        reported = Watchdog(inherited, request_seconds=SHORT, loop_seconds=SHORT).look()
        assert reported is not None  # what the new process reported before

        inherited.forget_the_parents()

        assert Watchdog(inherited, request_seconds=SHORT, loop_seconds=SHORT).look() is None
    finally:
        parents_loop.close()
