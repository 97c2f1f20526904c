"""PostgreSQL stopped in immediate mode mid-load, then started again.

    python -m benchmarks.drills.pg_restart [--writes 3000] [--clients 4] [--before 10]
        [--outage 5] [--after 20] [--state /tmp/peduli-drills-restart] [--port 8750]
        [--pg-port 55500]

Brings the layout up, drives the writer load through nginx (``_ledger``), stops the primary
with ``pg_ctl stop -m immediate`` (a crash: no checkpoint, crash recovery at the next
start), starts it again after ``--outage`` seconds and keeps writing. PASS when every
acknowledged write is in the database, every answer during the outage was 2xx or a
problem+json (503), none waited past the client's time-out, writes succeed again, and
every app process logged "database reachable again".
"""

from __future__ import annotations

import time

from benchmarks import _common
from benchmarks.drills import _layout, _ledger


def drill(layout: _layout.Layout, *, writes: int, clients: int, before: float, outage: float,
          after: float) -> bool:  # fmt: skip
    """Run the drill on the running ``layout``; print the figures; True if it passed."""
    url = layout.database_url()
    bodies = _ledger.prepare(url, writes=writes)
    primary = layout.cluster("primary")
    load = _ledger.Load(layout.base, bodies, clients=clients)
    time.sleep(before)
    stopped = time.time()
    _layout.pg_ctl(primary, "-m", "immediate", "-w", "stop")
    time.sleep(outage)
    restarting = time.time()
    _layout.pg_ctl(primary, "-w", "-t", "120", "start", log=layout.state / "log" / "primary.log")
    started = time.time()
    time.sleep(after)
    ledger = load.stop()

    lost = _ledger.missing(ledger, url)
    back = ledger.first_success_after(started)
    during = ledger.statuses(stopped, back or float("inf"))
    unclean = sum(n for status, n in during.items() if "not problem" in status or status == "0")
    slowest = max(a.seconds for a in ledger.answers)
    recovered = [
        line for line in layout.app_log()
        if line["event"] == "database reachable again" and line["timestamp"] >= _iso(stopped)
    ]  # fmt: skip
    serves = {f"serve-{layout.port + n}" for n in range(1, layout.serve + 1)}
    logged = {line["process"] for line in recovered}

    print(f"machine: {_common.machine()} (shared with other engineers' work)")
    print(f"writes acknowledged: {ledger.acknowledged():,} ({ledger.acknowledged(0, stopped):,} "
          f"before the stop, {ledger.acknowledged(started):,} after the start); "
          f"self-reports {len(ledger.stays):,}, check-ins {len(ledger.check_ins):,}")  # fmt: skip
    print(f"acknowledged writes lost: {sum(lost.values())} {lost}")
    print(f"database down (stop to start returned): {started - stopped:.1f} s, of which crash "
          f"recovery and start {started - restarting:.1f} s")  # fmt: skip
    if back is not None:
        print(f"first write acknowledged {back - started:.2f} s after the start returned, "
              f"{back - stopped:.1f} s after the stop")  # fmt: skip
    print(f"answers from the stop to the first success again: {dict(during)}")
    print(
        f"slowest answer: {slowest:.2f} s (client time-out {_ledger.CLIENT_TIMEOUT_SECONDS:.0f} s)"
    )
    for line in recovered:
        print(f"  {line['process']}: {line['event']} after {line['unreachable_seconds']} s, "
              f"{line['errors']} error(s)")  # fmt: skip
    checks = {
        "writes acknowledged before the stop (else nothing was at stake)": (
            ledger.acknowledged(0, stopped) > 0
        ),
        "0 acknowledged writes lost": sum(lost.values()) == 0,
        "outage answers clean (problem+json, no time-outs)": unclean == 0,
        "writes acknowledged again after the start": back is not None,
        "every app process logged 'database reachable again'": serves <= logged,
    }
    return _layout.judge(checks)


def _iso(moment: float) -> str:
    """``moment`` as the logs write their timestamps (ISO 8601, UTC)."""
    from datetime import UTC, datetime

    return datetime.fromtimestamp(moment, UTC).isoformat().replace("+00:00", "Z")


def main() -> None:
    parser = _layout.arguments(
        __doc__, state="/tmp/peduli-drills-restart", port=8750, pg_port=55500
    )
    parser.add_argument("--before", type=float, default=10.0, help="seconds of load before")
    parser.add_argument("--outage", type=float, default=5.0, help="seconds the primary is down")
    parser.add_argument("--after", type=float, default=20.0, help="seconds of load after")
    args = parser.parse_args()
    layout = _layout.Layout(args.state, args.port, args.pg_port)
    with _layout.running(layout):
        passed = drill(layout, writes=args.writes, clients=args.clients, before=args.before,
                       outage=args.outage, after=args.after)  # fmt: skip
    raise SystemExit(0 if passed else 1)


if __name__ == "__main__":
    main()
