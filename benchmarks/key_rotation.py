"""Key rotation with the platform serving: p95 of a steady HTTP load before and during
``peduli keys rotate``, the rotation's throughput, one interruption and its resumption.

    python -m benchmarks.key_rotation --citizens 200000            # seeds peduli_keyscale
    python -m benchmarks.key_rotation --reuse --database peduli_keyscale_200k --workers 2

A fresh key goes first in ``PEDULI_DATA_KEYS`` (the older ones after it, as in production),
``peduli serve`` starts on ``--port``, and an open-loop load (identifier search, a person's
record, new self-reports, changes of a stay's address: all through the real API) runs before,
during and after the rotation. The rotation is killed once (``--signal``) after
``--interrupt-after`` seconds and run again. At the end every value must be under the new key
(counted per key id), a random sample must decrypt to what it held before, and every address
changed over HTTP during the rotation must be the one sent (compare-and-set: the rotation
overwrote no write). Baseline: the same process resealing values in memory (decrypt and
encrypt, no database), so a busier machine moves both.
"""

from __future__ import annotations

import argparse
import asyncio
import base64
import hashlib
import os
import signal
import subprocess
import sys
import threading
import time
from collections import Counter, defaultdict
from dataclasses import dataclass, field
from typing import Any

import httpx
from sqlalchemy import text

from benchmarks import _common

# The four tables a seeded population fills, their sealed column and its purpose.
SAMPLED = (
    ("person", "nik_encrypted", "nik"),
    ("passport", "number_encrypted", "passport"),
    ("contact_point", "value", "contact"),
    ("stay", "address", "address"),
)


def _key(key_id: str) -> str:
    """A benchmark key derived from its id, so a later run can put it back in the ring."""
    return base64.urlsafe_b64encode(
        hashlib.sha256(f"peduli-bench-key:{key_id}".encode()).digest()
    ).decode()


def _census() -> Counter[str]:
    """How many sealed values each key id holds, over every encrypted column."""
    from peduli.core.crypto import sealed_columns
    from peduli.core.db import session_scope
    from peduli.models import Base

    counts: Counter[str] = Counter()
    with session_scope() as session:
        for table, column, _purpose in sealed_columns(Base.metadata):
            name = f"{table.name}.{column.name}"  # from the models, not from input
            rows = session.execute(
                text(
                    f"SELECT split_part({name}::text, '$', 1), count(*) FROM {table.name} "  # noqa: S608
                    f"WHERE {name}::text LIKE '%$%$%' GROUP BY 1"
                )
            )
            for key_id, count in rows:
                counts[key_id] += count
    return counts


def _use_new_key(old_ids: list[str]) -> str:
    """Put a fresh key first in the ring, the development key and earlier runs' after it."""
    from peduli.core.config import get_settings
    from peduli.core.crypto import get_cipher

    development = dict(get_settings().data_key_ring())
    new = f"r{int(time.time())}"
    ring = [f"{new}:{_key(new)}"] + [
        f"{key_id}:"
        + (
            base64.urlsafe_b64encode(development[key_id]).decode()
            if key_id in development
            else _key(key_id)
        )
        for key_id in old_ids
    ]
    os.environ["PEDULI_DATA_KEYS"] = ",".join(ring)
    get_settings.cache_clear()
    get_cipher.cache_clear()
    return new


def _sample(size: int) -> dict[tuple[str, str], str]:
    """``size`` random values of each seeded table in clear, by (table, primary key)."""
    from peduli.core.crypto import get_cipher
    from peduli.core.db import session_scope

    cipher = get_cipher()
    found: dict[tuple[str, str], str] = {}
    with session_scope() as session:
        for table, column, purpose in SAMPLED:
            rows = session.execute(
                text(
                    f"SELECT id::text, {column} FROM {table} WHERE {column} IS NOT NULL "  # noqa: S608
                    "ORDER BY random() LIMIT :n"
                ),
                {"n": size},
            )
            found |= {(table, key): cipher.decrypt(value, purpose=purpose) for key, value in rows}
    return found


def _reseal_rate(values: list[str], purpose: str) -> float:
    """Values resealed per second in memory: the baseline."""
    from peduli.core.crypto import get_cipher

    cipher = get_cipher()
    started = time.perf_counter()
    for value in values:
        cipher.encrypt(cipher.decrypt(value, purpose=purpose), purpose=purpose)
    return len(values) / (time.perf_counter() - started)


@dataclass
class Load:
    """The open-loop load and what it saw; ``phase`` is set by the main thread."""

    base: str
    token: str
    niks: list[str]
    people: list[str]
    stays: list[str]
    reports: list[dict[str, Any]]
    phase: str = "warm-up"  # the server's first requests are slow: not counted
    stop: threading.Event = field(default_factory=threading.Event)
    latencies: dict[str, list[float]] = field(default_factory=lambda: defaultdict(list))
    errors: Counter[str] = field(default_factory=Counter)
    addresses: dict[str, str] = field(default_factory=dict)

    async def _one(self, client: httpx.AsyncClient, i: int) -> None:
        phase, kind = self.phase, i % 10
        headers = {"Authorization": f"Bearer {self.token}"}
        started = time.perf_counter()
        try:
            if kind < 4:
                body = {"nik": self.niks[i % len(self.niks)]}
                answer = await client.post(
                    f"{self.base}/api/v1/persons/search", json=body, headers=headers
                )
            elif kind < 8:
                person = self.people[i % len(self.people)]
                answer = await client.get(f"{self.base}/api/v1/persons/{person}", headers=headers)
            elif kind == 8:
                report = self.reports[(i // 10) % len(self.reports)]
                answer = await client.post(
                    f"{self.base}/api/v1/self-reports", json=report, headers=headers
                )
            else:
                stay, address = self.stays[(i // 10) % len(self.stays)], f"Jalan Rotasi {i}"
                answer = await client.patch(
                    f"{self.base}/api/v1/stays/{stay}", json={"address": address}, headers=headers
                )
                if answer.status_code == 200:
                    self.addresses[stay] = address
        except httpx.HTTPError as error:
            self.errors[f"{phase}: {type(error).__name__}"] += 1
            return
        if answer.status_code >= 500:
            self.errors[f"{phase}: {answer.status_code}"] += 1
        self.latencies[phase].append(time.perf_counter() - started)

    async def _run(self, rate: float) -> None:
        limits = httpx.Limits(max_connections=64, max_keepalive_connections=64)
        async with httpx.AsyncClient(timeout=60, limits=limits) as client:
            start, tasks, i = time.perf_counter(), [], 0
            while not self.stop.is_set():
                delay = start + i / rate - time.perf_counter()
                if delay > 0:
                    await asyncio.sleep(delay)
                tasks.append(asyncio.create_task(self._one(client, i)))
                i += 1
            await asyncio.gather(*tasks)

    def start(self, rate: float) -> threading.Thread:
        thread = threading.Thread(target=asyncio.run, args=(self._run(rate),))
        thread.start()
        return thread


def _rotate(args: argparse.Namespace, interrupt_after: float | None) -> tuple[float, int]:
    """Run ``peduli keys rotate``, killed after ``interrupt_after`` s; (seconds, exit code)."""
    command = [
        sys.executable, "-c", "from peduli.cli.main import app; app()", "keys", "rotate",
        "--batch-size", str(args.batch_size), "--workers", str(args.workers),
    ]  # fmt: skip
    if args.max_rows_per_second:
        command += ["--max-rows-per-second", str(args.max_rows_per_second)]
    started = time.perf_counter()
    process = subprocess.Popen(command, env=dict(os.environ), stdout=subprocess.DEVNULL)
    try:
        code = process.wait(timeout=interrupt_after)
    except subprocess.TimeoutExpired:
        process.send_signal(getattr(signal, args.signal))
        code = process.wait()
    return time.perf_counter() - started, code


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--database", default="peduli_keyscale")
    parser.add_argument("--citizens", type=int, default=200_000)
    parser.add_argument("--reuse", action="store_true", help="rotate the database as it is")
    parser.add_argument("--port", type=int, default=8850)
    parser.add_argument("--rate", type=float, default=10.0, help="HTTP requests per second")
    parser.add_argument("--before", type=float, default=30.0, help="seconds of load first")
    parser.add_argument("--batch-size", type=int, default=1000)
    parser.add_argument("--workers", type=int, default=1)
    parser.add_argument("--max-rows-per-second", type=float)
    parser.add_argument("--interrupt-after", type=float, default=30.0)
    parser.add_argument("--signal", choices=("SIGKILL", "SIGTERM"), default="SIGKILL")
    parser.add_argument("--sample", type=int, default=2000, help="values checked per table")
    args = parser.parse_args()

    if args.reuse:
        url = _common.postgres_url(args.database)
        _common.use_database(url)
    else:
        url = _common.recreate_postgres(args.database)
        _common.use_database(url)
        started = time.perf_counter()
        seed = [sys.executable, "-c", "from peduli.cli.main import app; app()", "seed"]
        subprocess.run([*seed, "--citizens", str(args.citizens), "--seed", "2026"], check=True)
        print(f"seeded {args.citizens:,} citizens in {time.perf_counter() - started:.0f} s")
    print(f"key_rotation: {args.database}; machine: {_common.machine()} (shared with others)")

    before = _census()
    new = _use_new_key(sorted(before))
    stale = sum(before.values())
    print(f"values before: {stale:,} under {dict(before)}; new key {new}")
    sample = _sample(args.sample)
    from peduli.core.crypto import get_cipher
    from peduli.core.db import session_scope
    from peduli.demo.population import Population

    with session_scope() as session:
        niks_sealed = session.scalars(
            text("SELECT nik_encrypted FROM person WHERE nik_encrypted IS NOT NULL LIMIT 5000")
        ).all()
    baseline = _reseal_rate(list(niks_sealed), "nik")
    token = _common.staff_token(email=f"rotation.{new}@bench.example")
    people = [key for (table, key) in sample if table == "person"]
    niks = [value for (table, _key), value in sample.items() if table == "person"]
    stays = [key for (table, key) in sample if table == "stay"]
    reports = [
        c.report() for c in Population(seed=int(new[1:])).citizens(2000) if c.duplicate_of is None
    ]

    with _common.server(url, workers=1, port=args.port, start_seconds=300) as base:
        load = Load(base, token, niks, people, stays, reports)
        thread = load.start(args.rate)
        time.sleep(10)
        load.phase = "before"
        time.sleep(args.before)
        load.phase = "during"
        first, code = _rotate(args, args.interrupt_after)
        print(f"rotation run 1: {first:.1f} s, stopped by {args.signal} (exit {code})")
        halfway = _census()
        print(f"values after the interruption: {dict(halfway)}")
        second, code = _rotate(args, None)
        print(f"rotation run 2: {second:.1f} s, exit {code}")
        load.phase = "after"
        time.sleep(min(args.before, 10))
        load.stop.set()
        thread.join()

    after = _census()
    _report(load, stale, first + second, baseline, before, after, new)
    _check(sample, load.addresses, get_cipher())


def _report(
    load: Load, stale: int, seconds: float, baseline: float, before: Counter[str],
    after: Counter[str], new: str,
) -> None:  # fmt: skip
    p95 = {phase: _common.percentile(values, 95) for phase, values in load.latencies.items()}
    for phase in ("before", "during", "after"):
        latencies = load.latencies[phase]
        errors = {kind: n for kind, n in load.errors.items() if kind.startswith(phase)}
        print(f"HTTP {phase:<6}: {len(latencies):>6} requests, errors {errors or 0}; "
              f"{_common.summary_ms(latencies)}")  # fmt: skip
    print(f"ratio p95 during/before: {p95['during'] / p95['before']:.2f}x")
    rate = stale / seconds
    print(f"rotation: {stale:,} values in {seconds:.1f} s (both runs) = {rate:,.0f} values/s; "
          f"baseline reseal in memory {baseline:,.0f}/s; ratio {rate / baseline:.3f}")  # fmt: skip
    print(f"values per key after: {dict(after)} (before: {dict(before)})")
    left = sum(count for key_id, count in after.items() if key_id != new)
    print(f"every value under {new}: {'yes' if left == 0 else f'NO, {left:,} left'}")


def _check(sample: dict[tuple[str, str], str], addresses: dict[str, str], cipher: Any) -> None:
    """The sample decrypts to what it held (or to the address written over HTTP)."""
    from peduli.core.db import session_scope

    purposes = {table: (column, purpose) for table, column, purpose in SAMPLED}
    wrong = 0
    with session_scope() as session:
        for (table, key), plain in sample.items():
            column, purpose = purposes[table]
            sealed = session.scalar(
                text(f"SELECT {column} FROM {table} WHERE id = CAST(:k AS uuid)"),  # noqa: S608
                {"k": key},
            )
            expected = addresses.get(key, plain) if table == "stay" else plain
            wrong += cipher.decrypt(sealed, purpose=purpose) != expected
    kept = sum(1 for (table, key) in sample if table == "stay" and key in addresses)
    print(f"sample: {len(sample):,} values decrypted, {wrong} different from before "
          f"({kept} addresses changed over HTTP during the load, each found as sent)")  # fmt: skip


if __name__ == "__main__":
    main()
