"""What a request pays for its id and its latency sample (``api.observability``).

An ASGI app that answers 204 at once is called in process, bare (the baseline) and wrapped
in ``RequestIdAndLatency``: with the samples in memory (one process) and in
``PROMETHEUS_MULTIPROC_DIR`` files (several processes; that variant runs in a child process,
because prometheus_client chooses where samples go when it is imported). No HTTP, no
database: only the added cost per request, next to the baseline's own.

    python -m benchmarks.observability_overhead [--requests 50000]
"""

from __future__ import annotations

import argparse
import asyncio
import json
import os
import subprocess
import sys
import tempfile
import time
from typing import Any

from benchmarks._common import machine

SCOPE: dict[str, Any] = {
    "type": "http",
    "method": "GET",
    "path": "/api/v1/things/42",
    "headers": [(b"x-request-id", b"0123456789abcdef0123456789abcdef")],
}


async def _answer(scope: Any, receive: Any, send: Any) -> None:
    await send({"type": "http.response.start", "status": 204, "headers": []})
    await send({"type": "http.response.body", "body": b""})


async def _noop(_message: Any) -> None:
    return None


async def _receive() -> dict[str, Any]:
    return {"type": "http.request", "body": b""}


def per_request_us(app: Any, requests: int) -> float:
    """Microseconds per call of ``app``, best of three rounds."""

    async def rounds() -> float:
        best = float("inf")
        for _ in range(3):
            start = time.perf_counter()
            for _ in range(requests):
                await app(dict(SCOPE), _receive, _noop)
            best = min(best, (time.perf_counter() - start) / requests * 1e6)
        return best

    return asyncio.run(rounds())


def measure(requests: int) -> dict[str, float]:
    from peduli.api.observability import RequestIdAndLatency

    return {
        "bare": per_request_us(_answer, requests),
        "wrapped": per_request_us(RequestIdAndLatency(_answer), requests),
    }


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--requests", type=int, default=50_000)
    parser.add_argument("--child", action="store_true", help=argparse.SUPPRESS)
    args = parser.parse_args()
    if args.child:
        print(json.dumps(measure(args.requests)))
        return
    memory = measure(args.requests)
    with tempfile.TemporaryDirectory(prefix="peduli-bench-metrics-") as directory:
        env = os.environ | {"PROMETHEUS_MULTIPROC_DIR": directory}
        out = subprocess.run(
            [sys.executable, "-m", "benchmarks.observability_overhead", "--child",
             "--requests", str(args.requests)],
            env=env, capture_output=True, text=True, check=True,
        ).stdout  # fmt: skip
    files = json.loads(out)
    print(f"observability overhead per request ({machine()}), {args.requests} calls, best of 3")
    for name, figures in (("one process (memory)", memory), ("multiprocess (files)", files)):
        added = figures["wrapped"] - figures["bare"]
        print(
            f"  {name}: bare app {figures['bare']:.2f} µs, with request id and latency "
            f"{figures['wrapped']:.2f} µs: +{added:.2f} µs "
            f"({figures['wrapped'] / figures['bare']:.1f}× the bare call)"
        )


if __name__ == "__main__":
    main()
