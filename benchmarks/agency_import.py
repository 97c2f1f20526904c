"""An agency export's import on PostgreSQL against a raw COPY of the same rows, in one run.

    python -m benchmarks.agency_import --rows 1000000

Recreates its own database ``peduli_import_bench``, writes a BP2MI placement export of
``--rows`` workers (CSV, Indonesian headers; not timed), then times the import as the worker
runs it: the upload stored sealed, the rows read, checked and sealed in reader processes,
and each chunk COPYed into the staging table, checked against the file and the registry and
applied through ``registry.bulk`` (a person, passport, phone and stay per row) while the
readers read the next ones. The baseline dumps the four registry tables the import wrote and
COPYs the same rows into empty tables of the same shape and indexes (no Python, no checks;
``benchmarks.seed_postgres``'s raw COPY). Target: the import ≥ 50 % of the raw COPY's
throughput.
"""

from __future__ import annotations

import argparse
import csv
import os
import tempfile
import time
from pathlib import Path

import psycopg

from benchmarks import _common
from benchmarks.seed_postgres import TABLES, _raw_copy

DATABASE = "peduli_import_bench"
TARGET_RATIO = 0.5


def write_export(path: Path, rows: int) -> None:
    """``rows`` valid placements with unique NIKs, passports and phones."""
    from benchmarks.agency_import_rows import HEADERS, placement

    with path.open("w", encoding="utf-8", newline="") as file:
        writer = csv.writer(file)
        writer.writerow(HEADERS)
        for serial in range(rows):
            writer.writerow(placement(serial))


def _cpu_seconds(database: str) -> dict[str, float]:
    """CPU used so far by this process, its finished reader processes and the database's
    PostgreSQL backends (Linux ``/proc``): on a shared machine, wall times say how busy it
    was, these what the import costs."""
    mine = os.times()
    backends = 0.0
    with psycopg.connect(_common.PG_ADMIN_URL) as admin:
        pids = admin.execute("SELECT pid FROM pg_stat_activity WHERE datname = %s", (database,))
        for (pid,) in pids.fetchall():
            stat = Path(f"/proc/{pid}/stat")
            if stat.exists():
                fields = stat.read_text().rsplit(")", 1)[1].split()
                backends += (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")
    return {
        "worker": mine.user + mine.system,
        "readers": mine.children_user + mine.children_system,
        "PostgreSQL": backends,
    }


def _timed_import(path: Path) -> tuple[float, dict[str, float], dict[str, int]]:
    from peduli.agencies import imports, imports_run
    from peduli.agencies.models import AgencyImport
    from peduli.auth.actor import SYSTEM
    from peduli.core.db import get_sessionmaker, session_scope

    factory = get_sessionmaker()
    phases: dict[str, float] = {}
    started = time.perf_counter()
    with session_scope() as db:
        job = imports.submit_import(
            db, actor=SYSTEM, filename=path.name, data=path.read_bytes(), dry_run=False
        )
        import_id = job.id
    phases["upload (sealed file)"] = time.perf_counter() - started
    mark = time.perf_counter()
    imports_run._stage(factory, import_id, imports_run.CHUNK_ROWS, None)
    phases["read, seal, stage; check, apply per chunk"] = time.perf_counter() - mark
    mark = time.perf_counter()
    imports_run._check(factory, import_id)
    imports_run._apply(factory, import_id, imports_run.CHUNK_ROWS, None)
    phases["finish (counts, staged rows removed)"] = time.perf_counter() - mark
    elapsed = time.perf_counter() - started
    with session_scope() as db:
        done = db.get_one(AgencyImport, import_id)
        counts = {"created": done.created, "linked": done.linked, "refused": done.refused}
    return elapsed, phases, counts


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--rows", type=int, default=1_000_000)
    parser.add_argument("--database", default=DATABASE, help="the database it recreates")
    args = parser.parse_args()

    url = _common.recreate_postgres(args.database)
    _common.use_database(url)
    print(f"agency_import: {args.rows:,} placements into {args.database}")
    print(f"machine: {_common.machine()}")
    with tempfile.TemporaryDirectory() as folder:
        export = Path(folder) / "bp2mi.csv"
        write_export(export, args.rows)
        print(f"export: {export.stat().st_size / 1e6:,.1f} MB CSV")
        before = _cpu_seconds(args.database)
        imported, phases, counts = _timed_import(export)
        after = _cpu_seconds(args.database)
        plain = url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(plain) as connection:
            keyed = connection.execute(
                "SELECT count(*) FROM person WHERE link_initials IS NOT NULL"
            ).fetchone()
            raw, rows, _seeded, indexes = _raw_copy(connection, Path(folder), 1.0)
            for table in TABLES:
                connection.execute(f"DROP TABLE raw_{table}")
            connection.commit()
    assert counts["created"] == args.rows, counts
    # Every imported person carries its blocking keys, and the raw COPY copies them too.
    assert keyed == (args.rows,), keyed
    print(f"import (worker) : {_rates(imported, args.rows, rows)}")
    for phase, seconds in phases.items():
        print(f"   {phase:<42}: {seconds:7.1f} s")
    used = {name: after[name] - before[name] for name in after}
    print(
        "   CPU: "
        + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in used.items())
        + f" = {sum(used.values()) * 1e6 / args.rows:,.0f} µs a placement"
    )
    print(f"raw COPY        : {_rates(raw, args.rows, rows)}")
    print(f"                  ({rows:,} rows in 4 tables with {indexes} indexes)")
    ratio = raw / imported
    print(f"import throughput / raw COPY throughput: {ratio:.0%}")
    verdict = "met" if ratio >= TARGET_RATIO else "NOT met"
    print(f"target ≥ {TARGET_RATIO:.0%}: {verdict}")


def _rates(seconds: float, placements: int, rows: int) -> str:
    return (
        f"{seconds:7.1f} s, {placements / seconds:9,.0f} placements/s, "
        f"{rows / seconds:9,.0f} registry rows/s"
    )


if __name__ == "__main__":
    main()
