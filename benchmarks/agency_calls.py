"""Calls to the sandbox civil registry per second through the gateway (envelope, breaker,
two signed log entries, commit) next to the same requests sent bare with httpx.

    python -m benchmarks.agency_calls --db postgres --calls 2000

The ratio is what the gateway's bookkeeping costs on top of the HTTP round trip; the
message log's verification time is printed too.
"""

from __future__ import annotations

import argparse
import time
import uuid

from benchmarks import _common


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="postgres")
    parser.add_argument("--database", default=_common.BENCH_DATABASE, help="PostgreSQL database")
    parser.add_argument("--calls", type=int, default=2000)
    args = parser.parse_args()
    url = _common.sqlite_url() if args.db == "sqlite" else _common.recreate_postgres(args.database)
    _common.use_database(url)

    import os

    import httpx

    from peduli.agencies import gateway, message_log
    from peduli.agencies.envelope import Purpose
    from peduli.agencies.sandbox import start_agency_sandboxes
    from peduli.agencies.sandbox.population import residents
    from peduli.core.config import get_settings
    from peduli.core.db import session_scope

    people = tuple(residents(seed=7, count=500))
    sandboxes = start_agency_sandboxes(ports={"civil_registry": 0}, residents=people)
    os.environ["PEDULI_AGENCY_CIVIL_REGISTRY_URL"] = sandboxes.url("civil_registry")
    get_settings.cache_clear()
    request = {"nik": people[0].nik, "full_name": people[0].citizen.full_name}
    try:
        with httpx.Client(timeout=5.0) as client:
            started = time.perf_counter()
            for _ in range(args.calls):
                client.post(
                    sandboxes.url("civil_registry") + "/nik/verify",
                    json=request,
                    headers={"Authorization": "Bearer sandbox", "X-Road-Id": str(uuid.uuid4()),
                             "X-Road-Purpose": "identity_verification"},
                ).raise_for_status()  # fmt: skip
            bare = time.perf_counter() - started
        started = time.perf_counter()
        for number in range(args.calls):
            with session_scope() as session:
                gateway.call(
                    session, agency="civil_registry", operation="nik/verify", request=request,
                    purpose=Purpose.IDENTITY_VERIFICATION, cause=f"bench {number}",
                    actor="bench/1",
                )  # fmt: skip
        through = time.perf_counter() - started
        with session_scope() as session:
            started = time.perf_counter()
            check = message_log.verify(session)
            verified = time.perf_counter() - started
    finally:
        sandboxes.stop()
    print(f"agency_calls: {args.db}, {args.calls} calls, one at a time; {_common.machine()}")
    print(f"bare httpx       {args.calls / bare:8.1f} calls/s")
    print(f"through gateway  {args.calls / through:8.1f} calls/s  ({through / bare:.2f}x the time)")
    print(f"log verify       {check.checked} messages in {verified:.2f} s, "
          f"{'intact' if check.ok else 'BROKEN'}")  # fmt: skip


if __name__ == "__main__":
    main()
