"""``peduli seed`` on PostgreSQL against a raw COPY of the same rows, in the same run.

    python -m benchmarks.seed_postgres --citizens 1000000
    python -m benchmarks.seed_postgres --citizens 10000000 --database peduli_10m --raw-share 0.1

Recreates the database (``peduli_bench`` unless ``--database``), times ``peduli seed
--citizens N`` (the real command, in its own process: 1.2 stays and 0.1 cases per citizen
by default), dumps the six tables it wrote to files, then times a raw COPY of those same
rows into bare tables of the same shape, the same indexes built after the COPY as the seed
does (no foreign keys, no Python). ``--raw-share`` copies only that share of each table's
rows and scales the time up, so the baseline does not double the disk and the run at
10,000,000. Target: 1,000,000 citizens in ≤ 3 minutes. The database is left seeded for
``benchmarks.search_identifiers`` and ``benchmarks.stats_citizens_http``.
"""

from __future__ import annotations

import argparse
import math
import os
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import psycopg

from benchmarks import _common

TABLES = ("person", "passport", "contact_point", "stay", "protection_case", "case_person")
TARGET_SECONDS = 180.0
CHUNK = 1 << 20


def _seed(url: str, args: argparse.Namespace) -> float:
    command = [sys.executable, "-c", "from peduli.cli.main import app; app()", "seed"]
    env = os.environ | {"PEDULI_DATABASE_URL": url}
    options = ["--citizens", str(args.citizens), "--seed", str(args.seed)]
    options += ["--stays-per-citizen", str(args.stays_per_citizen)]
    options += ["--cases-per-citizen", str(args.cases_per_citizen)]
    started = time.perf_counter()
    subprocess.run([*command, *options], env=env, check=True)
    return time.perf_counter() - started


def _raw_copy(
    connection: psycopg.Connection, folder: Path, share: float
) -> tuple[float, int, int, int]:
    """Dump ``share`` of each seeded table's rows, then time COPY of them into bare tables
    of the same shape and the build of the same indexes. Returns (seconds, rows copied,
    rows in the seeded tables, indexes)."""
    copied = seeded = 0
    definitions: list[str] = []
    for table in TABLES:
        total = _count(connection, table)
        seeded += total
        limit = math.ceil(total * share)
        with (
            (folder / table).open("wb") as dump,
            connection.cursor().copy(
                f"COPY (SELECT * FROM {table} LIMIT {limit}) TO STDOUT"  # noqa: S608
            ) as copy,
        ):
            for data in copy:
                dump.write(data)
        connection.execute(f"DROP TABLE IF EXISTS raw_{table}")
        connection.execute(f"CREATE TABLE raw_{table} (LIKE {table} INCLUDING DEFAULTS)")
        for name, definition in connection.execute(
            "SELECT indexname, indexdef FROM pg_indexes WHERE tablename = %s", (table,)
        ):
            definitions.append(
                definition.replace(
                    f"INDEX {name} ON public.{table} ", f"INDEX raw_{name} ON public.raw_{table} "
                )
            )
    connection.commit()
    started = time.perf_counter()
    with connection.cursor() as cursor:
        cursor.execute("SET maintenance_work_mem = '1GB'")
        for table in TABLES:
            with (
                (folder / table).open("rb") as dump,
                cursor.copy(f"COPY raw_{table} FROM STDIN") as copy,
            ):
                while data := dump.read(CHUNK):
                    copy.write(data)
            copied += _count(connection, f"raw_{table}")
        for definition in definitions:
            cursor.execute(definition)
    connection.commit()
    return time.perf_counter() - started, copied, seeded, len(definitions)


def _count(connection: psycopg.Connection, table: str) -> int:
    row = connection.execute(f"SELECT count(*) FROM {table}").fetchone()  # noqa: S608
    return int(row[0]) if row else 0


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--citizens", type=int, default=1_000_000)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--database", default=_common.BENCH_DATABASE)
    parser.add_argument("--stays-per-citizen", type=float, default=1.2)
    parser.add_argument("--cases-per-citizen", type=float, default=0.1)
    parser.add_argument(
        "--raw-share", type=float, default=1.0, help="share of the rows the raw COPY copies"
    )
    args = parser.parse_args()

    url = _common.recreate_postgres(args.database)
    _common.use_database(url)
    print(f"seed_postgres: {args.citizens:,} citizens into {args.database}", flush=True)
    print(f"machine: {_common.machine()}", flush=True)
    seeded = _seed(url, args)
    print(f"peduli seed done in {seeded:.1f} s; now the raw COPY", flush=True)
    plain = url.replace("postgresql+psycopg://", "postgresql://")
    with psycopg.connect(plain) as connection, tempfile.TemporaryDirectory() as folder:
        people = _count(connection, "person")  # fewer than asked if the seed was stopped
        copied_in, copied, rows, indexes = _raw_copy(connection, Path(folder), args.raw_share)
        for table in TABLES:
            connection.execute(f"DROP TABLE raw_{table}")
        connection.commit()
    raw = copied_in * rows / copied  # scaled to every row when --raw-share < 1
    scaled = seeded * 1_000_000 / people
    print(f"peduli seed      : {_rates(seeded, people, rows)}")
    print(f"raw COPY         : {_rates(raw, people, rows)}")
    print(
        f"                   ({rows:,} rows in {len(TABLES)} tables with {indexes} indexes; "
        f"the raw COPY copied {copied:,} of them in {copied_in:.1f} s, scaled up)"
    )
    print(f"ratio seed / raw : {seeded / raw:.2f}x the raw COPY time")
    print(f"target ≤ 180 s per 1,000,000 citizens: {_verdict(scaled <= TARGET_SECONDS)}")


def _rates(seconds: float, citizens: int, rows: int) -> str:
    return f"{seconds:7.1f} s, {citizens / seconds:9,.0f} citizens/s, {rows / seconds:9,.0f} rows/s"


def _verdict(met: bool) -> str:
    return "met" if met else "NOT met"


if __name__ == "__main__":
    main()
