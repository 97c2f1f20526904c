"""The load test's watchers: which ports refused and when, who used the CPU, and what slow
statements waited on."""

from __future__ import annotations

import socket
import subprocess
import sys
import threading
import time
import uuid
from pathlib import Path

import pytest
from benchmarks.load.watch import PARTS, SLOW_SECONDS, CpuSampler, PortWatch, SlowStatements
from sqlalchemy import text
from sqlalchemy.engine import Engine

# A second of CPU, however long a loaded machine takes to give it.
BUSY_ONE_SECOND = "import time\nwhile time.process_time() < 1: pass"


def _listener(port: int = 0) -> socket.socket:
    listener = socket.socket()
    listener.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    listener.bind(("127.0.0.1", port))
    listener.listen()
    return listener


def test_the_spans_when_every_app_port_refused_are_told_apart_from_one_away() -> None:
    first, second = _listener(), _listener()
    ports = (first.getsockname()[1], second.getsockname()[1])
    watch = PortWatch(every=60, ports=ports)

    def look() -> None:
        watch.poll()
        time.sleep(0.2)  # the figures are in tenths of a second

    look()
    first.close()
    look()  # the first away, the second answering
    second.close()
    look()  # both away
    first = _listener(ports[0])
    look()  # the first back
    second = _listener(ports[1])
    look()
    first.close()
    second.close()

    figures = watch.figures()
    assert [port for port, _start, _end in watch.spans] == [ports[0], ports[1]]
    assert len(figures["all_away"]) == 1  # type: ignore[arg-type]
    (start, end), first_span = figures["all_away"][0], watch.spans[0]  # type: ignore[index]
    assert round(first_span[1], 1) <= start < end <= round(watch.spans[1][2], 1)


def test_the_cpu_of_a_process_is_counted_to_its_part_of_the_layout() -> None:
    marker = f"busy-{uuid.uuid4()}"  # no other process of the machine's
    sampler = CpuSampler(every=60, parts=((marker, "the busy part"), *PARTS))
    sampler.poll()
    busy = subprocess.Popen([sys.executable, "-c", BUSY_ONE_SECOND, marker])
    busy.wait()
    sampler.poll()  # it is gone: only what was seen of it counts, so look while it runs
    assert sampler.used.get("the busy part", 0) == 0

    busy = subprocess.Popen([sys.executable, "-c", BUSY_ONE_SECOND, marker])
    try:
        while busy.poll() is None:
            sampler.poll()
            time.sleep(0.05)
    finally:
        busy.wait()
    assert sampler.used["the busy part"] >= 0.5
    assert sampler.figures(seconds=2)["the busy part"]["cores"] >= 0.25  # type: ignore[index]


def test_a_slow_statement_is_sampled_with_what_it_waits_on(engine: Engine, tmp_path: Path) -> None:
    if engine.dialect.name != "postgresql":
        pytest.skip("samples PostgreSQL's own activity")
    url = engine.url.set(drivername="postgresql").render_as_string(hide_password=False)
    sampler = SlowStatements(every=60, url=url, path=tmp_path / "slow.jsonl")
    sampler.poll()
    assert sampler.samples == 0  # nothing slow yet
    sleeper = threading.Thread(target=_sleep_in_the_database, args=(engine, 4.0))
    sleeper.start()
    time.sleep(SLOW_SECONDS + 0.5)
    sampler.poll()
    sleeper.join()
    [(seen, times)] = sampler.figures()["by_wait_and_statement"].items()  # type: ignore[union-attr]
    assert seen.startswith("Timeout:PgSleep SELECT pg_sleep(") and times == 1


def _sleep_in_the_database(engine: Engine, seconds: float) -> None:
    with engine.connect() as connection:
        connection.execute(text("SELECT pg_sleep(:seconds)"), {"seconds": seconds})
