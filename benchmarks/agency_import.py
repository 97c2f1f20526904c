"""An agency export's import on PostgreSQL against a raw COPY of the same rows, in one run.

    python -m benchmarks.agency_import --rows 1000000

Recreates its own database ``peduli_import_bench``, writes a BP2MI placement export of
``--rows`` workers (CSV, Indonesian headers; not timed), then times the import as the worker
runs it: the upload stored sealed, the rows read, checked and sealed in reader processes,
and each chunk COPYed into the staging table, checked against the file and the registry and
applied through ``registry.bulk`` (a person, passport, phone and stay per row) while the
readers read the next ones. Two baselines, both COPY of the same rows (dumped from the four
registry tables the import wrote; no Python, no checks):

- into bare tables of the same shape, the same indexes built after the COPY
  (``benchmarks.seed_postgres``'s raw COPY, the seed's load-then-index);
- into the registry's own tables as the import found them (emptied), with their keys,
  indexes and foreign keys in place: what any writer into a registry that is serving pays,
  since an import can never drop its indexes.

Target: the import ≥ 50 % of a raw COPY's throughput, judged against each. With the import's
CPU, the server's WAL (and its full-page images), checkpoints and the blocks the database
read, for the import and the second baseline alike.
"""

from __future__ import annotations

import argparse
import csv
import os
import tempfile
import time
from collections import defaultdict
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any

import psycopg

from benchmarks import _common
from benchmarks.seed_postgres import CHUNK, TABLES, _raw_copy

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


def _server_counters(database: str) -> dict[str, int]:
    """The server's WAL (bytes, full-page images), checkpoints and buffers its backends had
    to write themselves, and the blocks the database read from outside the shared buffers:
    what grows when the indexes written outgrow the buffers. All but the blocks read are
    the whole server's, so meaningful on a quiet machine only."""
    with psycopg.connect(_common.PG_ADMIN_URL) as admin:
        wal = admin.execute("SELECT wal_bytes, wal_fpi FROM pg_stat_wal").fetchone()
        writes = admin.execute(
            "SELECT checkpoints_timed + checkpoints_req, buffers_backend FROM pg_stat_bgwriter"
        ).fetchone()
        blocks = admin.execute(
            "SELECT blks_read, blks_hit FROM pg_stat_database WHERE datname = %s", (database,)
        ).fetchone()
    assert wal and writes and blocks
    values = (*wal, *writes, *blocks)
    names = ("wal_bytes", "wal_fpi", "checkpoints", "backend_writes", "read", "hit")
    return dict(zip(names, map(int, values), strict=True))


def _activity(before: dict[str, int], after: dict[str, int], placements: int) -> str:
    used = {name: after[name] - before[name] for name in after}
    return (
        f"WAL {used['wal_bytes'] / 1e6:,.0f} MB ({used['wal_bytes'] / placements:,.0f} B and "
        f"{used['wal_fpi'] / placements:.2f} full-page images a placement), "
        f"{used['checkpoints']} checkpoints, {used['backend_writes']:,} buffers written by "
        f"backends, {used['read']:,} blocks read ({used['read'] / placements:.2f} a placement)"
    )


def _copy_into_registry(connection: psycopg.Connection, folder: Path) -> tuple[float, int, int]:
    """Empty the tables the import wrote, then time COPY of the same rows (the dumps
    ``_raw_copy`` made) back into them with their keys, indexes and foreign keys in place.
    Returns (seconds, indexes, foreign keys)."""
    tables = list(TABLES)
    indexes = connection.execute(
        "SELECT count(*) FROM pg_indexes WHERE tablename = ANY(%s)", (tables,)
    ).fetchone()
    foreign = connection.execute(
        "SELECT count(*) FROM pg_constraint WHERE contype = 'f'"
        " AND conrelid::regclass::text = ANY(%s)",
        (tables,),
    ).fetchone()
    assert indexes and foreign
    connection.execute(f"TRUNCATE {', '.join(tables)} CASCADE")
    connection.commit()
    started = time.perf_counter()
    with connection.cursor() as cursor:
        for table in tables:  # person first: the others' foreign keys point at it
            with (
                (folder / table).open("rb") as dump,
                cursor.copy(f"COPY {table} FROM STDIN") as copy,
            ):
                while data := dump.read(CHUNK):
                    copy.write(data)
    connection.commit()
    return time.perf_counter() - started, int(indexes[0]), int(foreign[0])


@contextmanager
def _statement_times() -> Iterator[defaultdict[str, float]]:
    """Wall time of each kind of statement the import runs (its first words), and of the
    staging COPY: which one grows with the registry. A chunk is a few dozen statements over
    thousands of rows, so timing them costs nothing measurable."""
    from sqlalchemy import event

    from peduli.agencies import imports_staging
    from peduli.core.db import get_engine

    engine, times = get_engine(), defaultdict[str, float](float)
    started: list[float] = []

    def before(*_args: Any) -> None:
        started.append(time.perf_counter())

    def after(_conn: Any, _cursor: Any, statement: str, *_args: Any) -> None:
        times[" ".join(statement.split())[:90]] += time.perf_counter() - started.pop()

    write_chunk = imports_staging.write_chunk

    def timed_write(session: Any, chunk: Any) -> None:
        mark = time.perf_counter()
        write_chunk(session, chunk)
        times["COPY agency_import_row, agency_import_problem (the staging)"] += (
            time.perf_counter() - mark
        )

    event.listen(engine, "before_cursor_execute", before)
    event.listen(engine, "after_cursor_execute", after)
    imports_staging.write_chunk = timed_write
    try:
        yield times
    finally:
        event.remove(engine, "before_cursor_execute", before)
        event.remove(engine, "after_cursor_execute", after)
        imports_staging.write_chunk = write_chunk


def _timed_import(path: Path) -> tuple[float, dict[str, float], dict[str, int]]:
    from peduli.agencies import imports, imports_apply, imports_run
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
    turn = imports_apply.Turn()  # one worker's turn, as ``imports_run.run`` takes it
    imports_run._stage(factory, import_id, imports_run.CHUNK_ROWS, None, turn)
    phases["read, seal, stage; check, apply per chunk"] = time.perf_counter() - mark
    mark = time.perf_counter()
    imports_run._check(factory, import_id)
    imports_run._apply(factory, import_id, imports_run.CHUNK_ROWS, None, turn)
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
        before, counted = _cpu_seconds(args.database), _server_counters(args.database)
        with _statement_times() as statements:
            imported, phases, counts = _timed_import(export)
        after, activity = _cpu_seconds(args.database), _server_counters(args.database)
        plain = url.replace("postgresql+psycopg://", "postgresql://")
        with psycopg.connect(plain) as connection:
            keyed = connection.execute(
                "SELECT count(*) FROM person WHERE link_initials IS NOT NULL"
            ).fetchone()
            raw, rows, _seeded, indexes = _raw_copy(connection, Path(folder), 1.0)
            for table in TABLES:
                connection.execute(f"DROP TABLE raw_{table}")
            connection.commit()
            live_counted = _server_counters(args.database)
            live, live_indexes, foreign_keys = _copy_into_registry(connection, Path(folder))
            live_activity = _server_counters(args.database)
    assert counts["created"] == args.rows, counts
    # Every imported person carries its blocking keys, and the raw COPY copies them too.
    assert keyed == (args.rows,), keyed
    print(f"import (worker)                : {_rates(imported, args.rows, rows)}")
    for phase, seconds in phases.items():
        print(f"   {phase:<42}: {seconds:7.1f} s")
    used = {name: after[name] - before[name] for name in after}
    print(
        "   CPU: "
        + ", ".join(f"{name} {seconds:.1f} s" for name, seconds in used.items())
        + f" = {sum(used.values()) * 1e6 / args.rows:,.0f} µs a placement"
    )
    print(f"   PostgreSQL: {_activity(counted, activity, args.rows)}")
    print("   statements, wall time a placement (the 12 longest in all):")
    for statement, seconds in sorted(statements.items(), key=lambda kv: -kv[1])[:12]:
        print(f"   {seconds * 1e6 / args.rows:7.1f} µs  {statement}")
    print(f"raw COPY, indexes built after  : {_rates(raw, args.rows, rows)}")
    print(
        f"   ({rows:,} rows in 4 tables; {indexes} indexes built after the COPY, no foreign keys)"
    )
    print(f"COPY into the registry's tables: {_rates(live, args.rows, rows)}")
    print(
        f"   (the same rows into the emptied tables, {live_indexes} indexes and "
        f"{foreign_keys} foreign keys in place)"
    )
    print(f"   PostgreSQL: {_activity(live_counted, live_activity, args.rows)}")
    for baseline, seconds in (
        ("raw COPY, indexes built after", raw),
        ("COPY into the registry's tables", live),
    ):
        ratio = seconds / imported
        verdict = "met" if ratio >= TARGET_RATIO else "NOT met"
        print(
            f"import throughput / {baseline} throughput: {ratio:.0%}"
            f"   target ≥ {TARGET_RATIO:.0%}: {verdict}"
        )


def _rates(seconds: float, placements: int, rows: int) -> str:
    return (
        f"{seconds:7.1f} s, {placements / seconds:9,.0f} placements/s, "
        f"{rows / seconds:9,.0f} registry rows/s"
    )


if __name__ == "__main__":
    main()
