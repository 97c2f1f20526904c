"""What the benchmarks share: a dedicated database, a real server, staff tokens, statistics.

Benchmarks are run by hand (never in CI) and print their figures next to a baseline
measured in the same run, so a slower or busier machine moves both.
"""

from __future__ import annotations

import asyncio
import os
import platform
import socket
import statistics
import subprocess
import sys
import tempfile
import threading
import time
from collections.abc import Callable, Coroutine, Iterator, Sequence
from contextlib import contextmanager
from datetime import UTC, datetime
from pathlib import Path
from typing import Any

import httpx
import psycopg

PG_ADMIN_URL = "postgresql://postgres@127.0.0.1:5432/postgres"
BENCH_DATABASE = "peduli_bench"


def postgres_url(database: str = BENCH_DATABASE) -> str:
    return f"postgresql+psycopg://postgres@127.0.0.1:5432/{database}"


def recreate_postgres(database: str = BENCH_DATABASE) -> str:
    """Drop and create the benchmark's own PostgreSQL database; return its URL."""
    with psycopg.connect(PG_ADMIN_URL, autocommit=True) as admin:
        admin.execute(f'DROP DATABASE IF EXISTS "{database}" WITH (FORCE)')
        admin.execute(f'CREATE DATABASE "{database}"')
    return postgres_url(database)


def sqlite_url() -> str:
    """A fresh SQLite file in a temporary directory."""
    return f"sqlite:///{Path(tempfile.mkdtemp(prefix='peduli-bench-')) / 'bench.db'}"


def use_database(url: str) -> None:
    """Point this process at ``url`` and build the schema by migration."""
    os.environ["PEDULI_DATABASE_URL"] = url
    from peduli.core.config import get_settings
    from peduli.core.crypto import get_cipher
    from peduli.core.db import get_engine, get_sessionmaker
    from peduli.migrations import runner

    for cached in (get_settings, get_engine, get_sessionmaker, get_cipher):
        cached.cache_clear()
    runner.upgrade(get_engine())


def staff_token(email: str = "bench.admin@bench.example", role: str = "hq_admin") -> str:
    """An account and an API token for the load generator."""
    from peduli.auth import accounts
    from peduli.core.db import session_scope

    with session_scope() as session:
        accounts.create_staff(session, email=email, role=role, password="benchmark-password-1")
        return accounts.create_token(session, email=email, days=1)


# Ports already handed out by this process (a port bound a moment ago is free again until its
# server starts).
_TAKEN: set[int] = set()


def free_port() -> int:
    """A free port: any, or on a shared machine one of ``PEDULI_BENCH_PORTS`` (``8600-8649``),
    the range agreed for whoever runs the benchmark."""
    agreed = os.environ.get("PEDULI_BENCH_PORTS")
    if not agreed:
        with socket.socket() as probe:
            probe.bind(("127.0.0.1", 0))
            return int(probe.getsockname()[1])
    first, _, last = agreed.partition("-")
    for port in range(int(first), int(last or first) + 1):
        if port in _TAKEN:
            continue
        with socket.socket() as probe:
            try:
                probe.bind(("127.0.0.1", port))
            except OSError:
                continue
        _TAKEN.add(port)
        return port
    raise RuntimeError(f"no free port in PEDULI_BENCH_PORTS={agreed}")


@contextmanager
def server(
    url: str, *, workers: int, start_seconds: float = 60, port: int | None = None
) -> Iterator[str]:
    """``peduli serve`` (the production server) with ``workers`` processes; yields its URL.

    ``start_seconds``: how long to wait for it to answer (a loaded machine starts slowly);
    ``port``: a given one (a shared machine hands each engineer a range), else a free one.
    """
    port = port or free_port()
    env = os.environ | {"PEDULI_DATABASE_URL": url, "PEDULI_LOG_LEVEL": "WARNING"}
    command = [
        sys.executable, "-c", "from peduli.cli.main import app; app()",
        "serve", "--host", "127.0.0.1", "--port", str(port), "--workers", str(workers),
    ]  # fmt: skip
    process = subprocess.Popen(command, env=env)
    base = f"http://127.0.0.1:{port}"
    try:
        _wait_for(base, start_seconds)
        yield base
    finally:
        process.terminate()
        process.wait(timeout=30)


@contextmanager
def sandbox_and_worker(url: str) -> Iterator[None]:
    """``peduli sandbox`` (mail and SMS servers that really listen) and one ``peduli worker``
    on ``url`` while the block runs; ``peduli serve`` started inside gets their settings."""
    ports = [free_port() for _ in range(3)]
    os.environ.update(
        {
            "PEDULI_DATABASE_URL": url,
            "PEDULI_SMTP_PORT": str(ports[0]),
            "PEDULI_SMS_GATEWAY_URL": f"http://127.0.0.1:{ports[1]}/sms",
            "PEDULI_WHATSAPP_API_URL": f"http://127.0.0.1:{ports[2]}/v19.0",
            "PEDULI_LOG_LEVEL": "INFO",
            "PYTHONUNBUFFERED": "1",  # the ready lines arrive as they are printed
        }
    )
    processes: list[subprocess.Popen[str]] = []
    try:
        processes.append(peduli_process(["sandbox"], "press Ctrl-C"))
        processes.append(peduli_process(["worker"], "worker started"))
        yield
    finally:
        for process in processes:
            process.terminate()
        for process in processes:
            process.wait(timeout=30)


def watch_output(process: subprocess.Popen[str], text: str) -> threading.Event:
    """An event set once ``process`` prints a line holding ``text``. Its output is read to
    the end in a thread: a silent process must not hang the caller, a full pipe must not
    stall the process."""
    seen = threading.Event()

    def drain() -> None:
        assert process.stdout is not None
        for line in process.stdout:
            if text in line:
                seen.set()

    threading.Thread(target=drain, daemon=True).start()
    return seen


def peduli_process(command: list[str], ready: str) -> subprocess.Popen[str]:
    """Start a ``peduli`` command; return once it printed ``ready`` (its output then drains)."""
    process = subprocess.Popen(
        [sys.executable, "-c", "from peduli.cli.main import app; app()", *command],
        env=dict(os.environ), stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True,
    )  # fmt: skip
    if not watch_output(process, ready).wait(120):
        process.terminate()
        raise RuntimeError(f"peduli {command[0]} did not start within 120 s")
    return process


def _wait_for(base: str, seconds: float) -> None:
    deadline = time.monotonic() + seconds
    while time.monotonic() < deadline:
        try:
            if httpx.get(f"{base}/healthz", timeout=2).status_code == 200:
                return
        except httpx.TransportError:
            time.sleep(0.2)
    raise RuntimeError(f"the server at {base} did not start")


def percentile(values: Sequence[float], share: float) -> float:
    """The ``share`` percentile (0–100) by nearest rank."""
    ordered = sorted(values)
    index = max(0, min(len(ordered) - 1, round(share / 100 * len(ordered) + 0.5) - 1))
    return ordered[index]


def summary_ms(latencies: Sequence[float]) -> str:
    """p50/p95/p99 of latencies given in seconds, in milliseconds."""
    return (
        f"p50 {percentile(latencies, 50) * 1000:.1f} ms, "
        f"p95 {percentile(latencies, 95) * 1000:.1f} ms, "
        f"p99 {percentile(latencies, 99) * 1000:.1f} ms, "
        f"mean {statistics.fmean(latencies) * 1000:.1f} ms"
    )


def machine() -> str:
    """When and where the figures were measured."""
    cores = os.cpu_count()
    stamp = datetime.now(UTC).strftime("%Y-%m-%d %H:%M UTC")
    return f"{stamp}, {cores} cores, Python {platform.python_version()}, {platform.platform()}"


async def open_loop(
    count: int, interval: float, send: Callable[[httpx.AsyncClient, int], Coroutine[Any, Any, None]]
) -> None:
    """Open loop: request ``i`` leaves at start + i × interval, whatever the earlier ones
    took (a closed loop would slow down with the server and hide its queue)."""
    limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
    async with httpx.AsyncClient(timeout=60, limits=limits) as client:
        start = time.perf_counter()
        tasks: list[asyncio.Task[None]] = []
        for i in range(count):
            delay = start + i * interval - time.perf_counter()
            if delay > 0:
                await asyncio.sleep(delay)
            tasks.append(asyncio.create_task(send(client, i)))
        await asyncio.gather(*tasks)
