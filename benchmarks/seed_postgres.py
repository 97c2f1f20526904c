"""``peduli seed`` on PostgreSQL against a raw COPY of the same rows, in the same run.

    python -m benchmarks.seed_postgres --citizens 1000000

Recreates the ``peduli_bench`` database, times ``peduli seed --citizens N`` (the real
command, in its own process), dumps the four tables it wrote to files, then times a raw
COPY of those same rows into empty tables of the same shape and indexes (no foreign keys,
no Python). Target: 1,000,000 citizens in ≤ 3 minutes. The database is left seeded for
``benchmarks.search_identifiers``.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

from benchmarks import _common

TABLES = ("person", "passport", "contact_point", "stay")
TARGET_SECONDS = 180.0
CHUNK = 1 << 20


def _seed(url: str, citizens: int, seed: int) -> float:
    command = [sys.executable, "-c", "from peduli.cli.main import app; app()", "seed"]
    env = os.environ | {"PEDULI_DATABASE_URL": url}
    started = time.perf_counter()
    subprocess.run(
        [*command, "--citizens", str(citizens), "--seed", str(seed)], env=env, check=True
    )
    return time.perf_counter() - started


def _raw_copy(connection: psycopg.Connection, folder: Path) -> tuple[float, int, int]:
    """Dump the seeded tables, then time COPY of the same rows into look-alike tables."""
    rows = 0
    for table in TABLES:
        with (
            (folder / table).open("wb") as dump,
            connection.cursor().copy(f"COPY {table} TO STDOUT") as copy,
        ):
            for data in copy:
                dump.write(data)
        connection.execute(f"DROP TABLE IF EXISTS raw_{table}")
        connection.execute(
            f"CREATE TABLE raw_{table} (LIKE {table} INCLUDING DEFAULTS INCLUDING INDEXES)"
        )
    connection.commit()
    indexes = connection.execute(
        "SELECT count(*) FROM pg_indexes WHERE tablename = ANY(%s)",
        ([f"raw_{t}" for t in TABLES],),
    ).fetchone()
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for table in TABLES:
            with (
                (folder / table).open("rb") as dump,
                cursor.copy(f"COPY raw_{table} FROM STDIN") as copy,
            ):
                while data := dump.read(CHUNK):
                    copy.write(data)
            count = cursor.execute(f"SELECT count(*) FROM raw_{table}").fetchone()  # noqa: S608
            rows += int(count[0]) if count else 0
    connection.commit()
    return time.perf_counter() - started, rows, int(indexes[0]) if indexes else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--citizens", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2026)
    args = parser.parse_args()

    url = _common.recreate_postgres()
    _common.use_database(url)
    print(f"seed_postgres: {args.citizens:,} citizens into {_common.BENCH_DATABASE}")
    print(f"machine: {_common.machine()}")
    seeded = _seed(url, args.citizens, args.seed)
    plain = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain) as connection, tempfile.TemporaryDirectory() as folder:
        raw, rows, indexes = _raw_copy(connection, Path(folder))
        for table in TABLES:
            connection.execute(f"DROP TABLE raw_{table}")
        connection.commit()
    scaled = seeded * 1_000_000 / args.citizens
    print(f"peduli seed      : {_rates(seeded, args.citizens, rows)}")
    print(f"raw COPY         : {_rates(raw, args.citizens, rows)}")
    print(f"                   ({rows:,} rows in 4 tables with {indexes} indexes)")
    print(f"ratio seed / raw : {seeded / raw:.2f}x the raw COPY time")
    print(f"target ≤ 180 s per 1,000,000 citizens: {_verdict(scaled <= TARGET_SECONDS)}")


def _rates(seconds: float, citizens: int, rows: int) -> str:
    return f"{seconds:7.1f} s, {citizens / seconds:9,.0f} citizens/s, {rows / seconds:9,.0f} rows/s"


def _verdict(met: bool) -> str:
    return "met" if met else "NOT met"


if __name__ == "__main__":
    main()
