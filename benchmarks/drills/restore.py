"""Backup and restore to a point in time, into a new cluster.

    python -m benchmarks.drills.restore [--writes 3000] [--clients 4] [--seconds 10]
        [--state /tmp/peduli-drills-restore] [--port 8770] [--pg-port 55508]

Brings the layout up with WAL archiving (``PEDULI_LAYOUT_ARCHIVE=1``), writes through nginx
while ``pg_basebackup`` copies the primary, writes on, then marks a restore point: with
every table locked against writers (SHARE mode: the app waits, nothing fails), a checksum
of every table (row count and md5 of its rows in order) and ``pg_create_restore_point``.
Then more writes, which the restore must not contain. The backup is restored into a new
cluster with ``recovery_target_name`` and the archived WAL. PASS when the restored
checksums equal those taken at the restore point, ``peduli audit verify`` passes on the
restored database, every write acknowledged before the mark is there and none after it.
"""

from __future__ import annotations

import shutil
import subprocess
import time
from pathlib import Path
from typing import Any

import psycopg

from benchmarks import _common
from benchmarks.drills import _layout, _ledger

Checksums = dict[str, tuple[int, str]]
RESTORED = "restored"


def _checksum(connection: psycopg.Connection[tuple[Any, ...]], table: str) -> tuple[int, str]:
    row = connection.execute(
        f"SELECT count(*), md5(coalesce(string_agg(t::text, E'\\n' ORDER BY t::text), '')) "  # noqa: S608
        f'FROM public."{table}" t'
    ).fetchone()
    assert row is not None
    return int(row[0]), str(row[1])


def _tables(connection: psycopg.Connection[tuple[Any, ...]]) -> list[str]:
    rows = connection.execute(
        "SELECT tablename FROM pg_tables WHERE schemaname = 'public' ORDER BY 1"
    ).fetchall()
    return [str(row[0]) for row in rows]


def checksums(port: int) -> Checksums:
    """Every table's row count and md5 of its rows in order, on the cluster at ``port``."""
    with psycopg.connect(f"postgresql://postgres@127.0.0.1:{port}/peduli") as connection:
        return {table: _checksum(connection, table) for table in _tables(connection)}


def mark_restore_point(port: int, name: str, tries: int = 5) -> Checksums:
    """Lock every table against writers, take its checksum, create the restore point ``name``.

    Writers wait on the lock (not an error), so what the checksums saw is exactly what
    was committed when the restore point's WAL record was written.
    """
    for attempt in range(tries):
        try:
            with psycopg.connect(f"postgresql://postgres@127.0.0.1:{port}/peduli") as connection:
                connection.execute("SET lock_timeout = '10s'")
                tables = _tables(connection)
                quoted = ", ".join(f'public."{table}"' for table in tables)
                connection.execute(f"LOCK TABLE {quoted} IN SHARE MODE")
                sums = {table: _checksum(connection, table) for table in tables}
                connection.execute("SELECT pg_create_restore_point(%s)", (name,))
                return sums
        except (psycopg.errors.LockNotAvailable, psycopg.errors.DeadlockDetected):
            if attempt == tries - 1:
                raise
    raise AssertionError("unreachable")


def base_backup(layout: _layout.Layout) -> tuple[Path, float]:
    """``pg_basebackup`` of the primary, WAL included; its directory and seconds taken."""
    target = layout.state / "backup" / "base"
    target.parent.mkdir(parents=True, exist_ok=True)
    shutil.chown(target.parent, "postgres")
    started = time.monotonic()
    _layout.as_postgres(
        _layout.PG_BIN / "pg_basebackup", "-h", "127.0.0.1", "-p", str(layout.pg_port),
        "-U", "postgres", "-D", target, "-X", "stream", "-c", "fast", timeout=1800,
    )  # fmt: skip
    return target, time.monotonic() - started


def archive_through_now(layout: _layout.Layout, seconds: float = 120) -> None:
    """Close the current WAL segment and wait until the archive has it."""
    segment = _layout.sql(layout.pg_port, "SELECT pg_walfile_name(pg_switch_wal())")[0][0]
    deadline = time.monotonic() + seconds
    while not (layout.archive_dir / segment).exists():
        assert time.monotonic() < deadline, f"{segment} not archived in {seconds} s"
        time.sleep(0.2)


def restore(layout: _layout.Layout, backup: Path, *, name: str, port: int) -> float:
    """Restore ``backup`` into a new cluster on ``port``, replaying the archive up to the
    restore point ``name``; seconds from its start to accepting writes."""
    cluster = layout.cluster(RESTORED)
    _layout.as_postgres("cp", "-a", backup, cluster)
    settings = (
        f"\n# benchmarks.drills.restore\nport = {port}\narchive_mode = off\n"
        f"restore_command = 'cp {layout.archive_dir}/%f %p'\n"
        f"recovery_target_name = '{name}'\nrecovery_target_action = 'promote'\n"
    )
    with (cluster / "postgresql.conf").open("a") as conf:
        conf.write(settings)
    (cluster / "recovery.signal").touch()
    shutil.chown(cluster / "recovery.signal", "postgres")
    started = time.monotonic()
    _layout.pg_ctl(cluster, "-w", "-t", "600", "start", log=layout.state / "log" / "restored.log")
    while _layout.sql(port, "SELECT pg_is_in_recovery()")[0][0]:
        time.sleep(0.1)
    return time.monotonic() - started


def _size(path: Path) -> str:
    du = subprocess.run(["du", "-sh", str(path)], capture_output=True, text=True, check=True)
    return du.stdout.split()[0]


def drill(layout: _layout.Layout, *, writes: int, clients: int, seconds: float) -> bool:
    """Back up, mark, restore into a new cluster and compare; True if it passed."""
    bodies = _ledger.prepare(layout.database_url(), writes=writes)
    before = _ledger.Load(layout.base, bodies, clients=clients)
    backup, backup_seconds = base_backup(layout)
    time.sleep(seconds)
    kept = before.stop()
    name = f"drill-{int(time.time())}"
    marked = time.monotonic()
    at_mark = mark_restore_point(layout.pg_port, name)
    mark_seconds = time.monotonic() - marked
    after = _ledger.Load(layout.base, bodies, clients=clients, first=len(kept.answers) + clients)
    time.sleep(seconds)
    dropped = after.stop()
    archive_through_now(layout)
    port = layout.pg_port + 2
    try:
        restore_seconds = restore(layout, backup, name=name, port=port)
        restored = checksums(port)
        url = layout.database_url(port)
        audit = layout.peduli("audit", "verify", database_url=url)
        lost = _ledger.missing(kept, url)
        absent = _ledger.missing(dropped, url)
        restored_size = _layout.sql(port, "SELECT pg_size_pretty(pg_database_size('peduli'))")
    finally:
        _layout.pg_ctl(layout.cluster(RESTORED), "-m", "fast", "-w", "stop")
    differ = sorted(
        t for t in at_mark.keys() | restored.keys() if at_mark.get(t) != restored.get(t)
    )
    archived = list(layout.archive_dir.iterdir())
    print(f"machine: {_common.machine()} (shared with other engineers' work)")
    print(f"base backup: {backup_seconds:.1f} s under load, {_size(backup)}; WAL archive "
          f"{len(archived)} files, {_size(layout.archive_dir)}")  # fmt: skip
    print(f"writes acknowledged before the mark: {kept.acknowledged():,}, after: "
          f"{dropped.acknowledged():,}")  # fmt: skip
    print(f"restore point {name}: tables locked and summed in {mark_seconds:.2f} s")
    print(f"restore into a new cluster (port {port}), up to the point and promoted: "
          f"{restore_seconds:.1f} s; database {restored_size[0][0]}")  # fmt: skip
    print(f"tables compared: {len(at_mark)}, rows {sum(n for n, _ in at_mark.values()):,}; "
          f"differing: {differ or 'none'}")  # fmt: skip
    print(f"peduli audit verify: exit {audit.returncode} {audit.stdout.strip()[-200:]}")
    checks = {
        "checksums equal those at the restore point": not differ,
        "peduli audit verify passes on the restored database": audit.returncode == 0,
        "every write acknowledged before the mark is restored": sum(lost.values()) == 0,
        "no write after the mark is restored": sum(absent.values()) == dropped.ids(),
    }
    return _layout.judge(checks)


def main() -> None:
    parser = _layout.arguments(
        __doc__, state="/tmp/peduli-drills-restore", port=8770, pg_port=55508
    )
    parser.add_argument("--seconds", type=float, default=10.0, help="of writes on each side")
    args = parser.parse_args()
    layout = _layout.Layout(args.state, args.port, args.pg_port, archive=True)
    with _layout.running(layout):
        passed = drill(layout, writes=args.writes, clients=args.clients, seconds=args.seconds)
    raise SystemExit(0 if passed else 1)


if __name__ == "__main__":
    main()
