"""Audited transactions per second: each one ``audit.record`` and its commit, from threads.

    python -m benchmarks.audit_append --db postgres --threads 4 --seconds 8

The audit chain is on every request that changes something; this isolates its cost (lock
of the chain's head, keyed hash, insert, commit) from the rest of a request.
"""

from __future__ import annotations

import argparse
import threading
import time
import uuid

from benchmarks import _common


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="postgres")
    parser.add_argument("--database", default=_common.BENCH_DATABASE, help="PostgreSQL database")
    parser.add_argument("--threads", type=int, default=4)
    parser.add_argument("--seconds", type=float, default=8.0)
    args = parser.parse_args()
    url = _common.sqlite_url() if args.db == "sqlite" else _common.recreate_postgres(args.database)
    _common.use_database(url)

    from peduli.auth import audit, audit_verification
    from peduli.auth.actor import Actor, Role
    from peduli.core.db import session_scope

    actor = Actor(role=Role.OFFICER, account_id=uuid.uuid4(), display="bench")
    latencies: list[float] = []
    lock = threading.Lock()

    def work(deadline: float) -> None:
        mine = []
        while time.perf_counter() < deadline:
            started = time.perf_counter()
            with session_scope() as session:
                audit.record(
                    session,
                    actor=actor,
                    action="person.read",
                    entity_type="person",
                    subject_person_id=uuid.uuid4(),
                    fields=["nik"],
                )
            mine.append(time.perf_counter() - started)
        with lock:
            latencies.extend(mine)

    elapsed = 0.0
    for seconds in (2.0, args.seconds):  # the first round warms connections and caches
        latencies.clear()
        deadline = time.perf_counter() + seconds
        threads = [threading.Thread(target=work, args=(deadline,)) for _ in range(args.threads)]
        started = time.perf_counter()
        for thread in threads:
            thread.start()
        for thread in threads:
            thread.join()
        elapsed = time.perf_counter() - started
    print(f"audit_append: {args.db}, {args.threads} threads; machine: {_common.machine()}")
    print(
        f"{len(latencies) / elapsed:8.1f} audited transactions/s, {_common.summary_ms(latencies)}"
    )
    with session_scope() as session:
        started = time.perf_counter()
        result = audit_verification.verify(session)
        took = time.perf_counter() - started
    print(
        f"verify: {result.checked} entries in {took:.2f} s, {'intact' if result.ok else 'BROKEN'}"
    )


if __name__ == "__main__":
    main()
