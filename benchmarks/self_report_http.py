"""Self-report write path over HTTP against the same server's trivial endpoint.

    python -m benchmarks.self_report_http --db sqlite
    python -m benchmarks.self_report_http --db postgres --seconds 20

A fresh database, an HQ admin token, ``peduli serve --workers N``; 32 concurrent
clients first GET /healthz (the baseline), then POST valid, distinct self-reports from the
synthetic population for the same time. Targets: at least 20 % of the baseline's rate and
p99 ≤ 150 ms.
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import re
import shutil
import subprocess
import tempfile
import time
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from pathlib import Path

import httpx

from benchmarks import _common

TARGET_SHARE = 0.20
TARGET_P99 = 0.150
WARM_UP_REPORTS = 2_000
WRK_THREADS = 2


@dataclass
class Run:
    requests: int
    errors: int
    seconds: float
    latencies: list[float]

    @property
    def rate(self) -> float:
        return self.requests / self.seconds


async def _load(
    base: str,
    *,
    clients: int,
    seconds: float,
    request: Callable[[httpx.AsyncClient, int], object],
    ok: int,
) -> Run:
    latencies: list[float] = []
    errors = 0
    counter = iter(range(10**9))
    deadline = time.perf_counter() + seconds
    limits = httpx.Limits(max_connections=clients, max_keepalive_connections=clients)

    async def client(http: httpx.AsyncClient) -> None:
        nonlocal errors
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            response = await request(http, next(counter))  # type: ignore[misc]
            latencies.append(time.perf_counter() - started)
            if response.status_code != ok:
                errors += 1
                if errors <= 3:
                    print(f"  unexpected {response.status_code}: {response.text[:300]}")

    async with httpx.AsyncClient(base_url=base, limits=limits, timeout=30) as http:
        started = time.perf_counter()
        await asyncio.gather(*(client(http) for _ in range(clients)))
        elapsed = time.perf_counter() - started
    return Run(len(latencies), errors, elapsed, latencies)


@dataclass
class WrkRun:
    rate: float
    p50_ms: float
    p99_ms: float
    errors: int


_WRK_UNITS = {"us": 0.001, "ms": 1.0, "s": 1000.0, "m": 60_000.0}


def _wrk(
    url: str, *, clients: int, seconds: float, script: list[str], script_args: Sequence[str] = ()
) -> WrkRun:
    """Drive the server with wrk (C, a fraction of a core) so the load generator does not
    eat the CPU the server needs; the asyncio client above uses most of a core."""
    command = [
        "wrk",
        f"-t{WRK_THREADS}",
        f"-c{clients}",
        f"-d{int(seconds)}s",
        "--latency",
        *script,
        url,
    ]
    if script_args:
        command += ["--", *script_args]
    output = subprocess.run(command, capture_output=True, text=True, check=True).stdout
    rate = float(re.search(r"Requests/sec:\s+([\d.]+)", output).group(1))  # type: ignore[union-attr]
    percentiles = {
        share: float(value) * _WRK_UNITS[unit]
        for share, value, unit in re.findall(r"^\s+(\d+)%\s+([\d.]+)(us|ms|s|m)\s*$", output, re.M)
    }
    if "99" not in percentiles:
        raise RuntimeError(f"wrk printed no latency distribution:\n{output}")
    failed = re.search(r"Non-2xx or 3xx responses:\s+(\d+)", output)
    return WrkRun(rate, percentiles["50"], percentiles["99"], int(failed.group(1)) if failed else 0)


def _bodies_file(bodies: list[bytes]) -> str:
    with tempfile.NamedTemporaryFile("wb", suffix=".jsonl", delete=False) as handle:
        handle.write(b"\n".join(bodies))
    return handle.name


def _main_wrk(args: argparse.Namespace, url: str, token: str, bodies: list[bytes]) -> None:
    # Both paths are warmed first (statement caches, prepared statements, connections), the
    # writes with people of their own, so the measured reports are all first reports.
    warm_up, measured = (
        _bodies_file(bodies[:WARM_UP_REPORTS]),
        _bodies_file(bodies[WARM_UP_REPORTS:]),
    )
    script = ["-s", str(Path(__file__).with_name("wrk_post.lua"))]
    with _common.server(url, workers=args.workers) as base:
        _wrk(f"{base}/healthz", clients=4, seconds=2, script=[])
        writes_url = f"{base}/api/v1/self-reports"
        _wrk(
            writes_url,
            clients=4,
            seconds=2,
            script=script,
            script_args=[warm_up, token, str(WRK_THREADS)],
        )
        baseline = _wrk(f"{base}/healthz", clients=args.clients, seconds=args.seconds, script=[])
        writes = _wrk(
            writes_url,
            clients=args.clients,
            seconds=args.seconds,
            script=script,
            script_args=[measured, token, str(WRK_THREADS)],
        )
    share = writes.rate / baseline.rate
    print(
        f"baseline GET /healthz : {baseline.rate:8.1f} req/s, p50 {baseline.p50_ms:.1f} ms, "
        f"p99 {baseline.p99_ms:.1f} ms"
    )
    print(
        f"POST /self-reports    : {writes.rate:8.1f} req/s, p50 {writes.p50_ms:.1f} ms, "
        f"p99 {writes.p99_ms:.1f} ms, {writes.errors} non-2xx"
    )
    print(f"ratio writes/baseline : {share:.1%} (target ≥ 20 %: {_verdict(share >= TARGET_SHARE)})")
    met = _verdict(writes.p99_ms <= TARGET_P99 * 1000)
    print(f"p99 of writes         : {writes.p99_ms:.1f} ms (target ≤ 150 ms: {met})")


def _reports(count: int) -> list[bytes]:
    from peduli.demo.population import Population

    people = (c for c in Population(seed=31337).citizens(count * 2) if c.duplicate_of is None)
    return [json.dumps(c.report()).encode() for _, c in zip(range(count), people, strict=False)]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="sqlite")
    parser.add_argument(
        "--workers", type=int, help="server processes (default: peduli serve's, one per core)"
    )
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=20.0)
    parser.add_argument(
        "--client",
        choices=("wrk", "httpx"),
        default="wrk" if shutil.which("wrk") else "httpx",
        help="load generator: wrk (Debian package, light) or the asyncio httpx client",
    )
    args = parser.parse_args()
    args.workers = args.workers or os.cpu_count() or 1

    url = _common.sqlite_url() if args.db == "sqlite" else _common.recreate_postgres()
    _common.use_database(url)
    token = _common.staff_token()
    bodies = _reports(60_000)
    headers = {"Authorization": f"Bearer {token}", "Content-Type": "application/json"}
    print(
        f"self_report_http: {args.db}, peduli serve --workers {args.workers}, "
        f"{args.clients} clients"
    )
    print(f"machine: {_common.machine()}, load generator: {args.client}")
    if args.client == "wrk":
        _main_wrk(args, url, token, bodies)
        return
    with _common.server(url, workers=args.workers) as base:
        # Warm both paths (imports, caches, connection pools) before measuring.
        asyncio.run(_load(base, clients=4, seconds=2, request=_healthz, ok=200))
        baseline = asyncio.run(
            _load(base, clients=args.clients, seconds=args.seconds, request=_healthz, ok=200)
        )

        def report(http: httpx.AsyncClient, index: int) -> object:
            return http.post("/api/v1/self-reports", content=bodies[index], headers=headers)

        writes = asyncio.run(
            _load(base, clients=args.clients, seconds=args.seconds, request=report, ok=201)
        )
    share = writes.rate / baseline.rate
    p99 = _common.percentile(writes.latencies, 99)
    print(f"baseline GET /healthz : {_figures(baseline)}")
    print(f"POST /self-reports    : {_figures(writes)}, {writes.errors} errors")
    print(f"ratio writes/baseline : {share:.1%} (target ≥ 20 %: {_verdict(share >= TARGET_SHARE)})")
    verdict = _verdict(p99 <= TARGET_P99)
    print(f"p99 of writes         : {p99 * 1000:.1f} ms (target ≤ 150 ms: {verdict})")


def _figures(run: Run) -> str:
    return f"{run.rate:8.1f} req/s, {_common.summary_ms(run.latencies)}"


def _verdict(met: bool) -> str:
    return "met" if met else "NOT met"


def _healthz(http: httpx.AsyncClient, _index: int) -> object:
    return http.get("/healthz")


if __name__ == "__main__":
    main()
