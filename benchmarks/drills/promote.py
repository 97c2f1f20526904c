"""The replica promoted while writes go on: a failover, rehearsed.

    python -m benchmarks.drills.promote [--synchronous] [--writes 3000] [--clients 4]
        [--before 10] [--after 20] [--state /tmp/peduli-drills-promote] [--port 8760]
        [--pg-port 55504]

Brings the layout up (primary and streaming replica), drives the writer load, crashes the
primary (``pg_ctl stop -m immediate``), runs ``scripts/layout.sh promote`` (the replica
becomes the primary, the app processes restart on it one at a time) and keeps writing.
Replication is asynchronous by default: a write acknowledged by the primary in the last
moments before the crash may not have reached the replica, and is then lost. With
``--synchronous`` the primary waits for the replica to flush each commit
(``synchronous_standby_names = '*'``) before acknowledging it. PASS when every acknowledged
write is on the new primary and writes are acknowledged after the failover.
"""

from __future__ import annotations

import os
import time

from benchmarks import _common
from benchmarks.drills import _layout, _ledger


def drill(layout: _layout.Layout, *, synchronous: bool, writes: int, clients: int,
          before: float, after: float) -> bool:  # fmt: skip
    """Fail ``layout`` over to its replica under load; print the figures; True if it passed."""
    bodies = _ledger.prepare(layout.database_url(), writes=writes)
    if synchronous:
        _layout.sql(layout.pg_port, "ALTER SYSTEM SET synchronous_standby_names = '*'")
        _layout.sql(layout.pg_port, "SELECT pg_reload_conf()")
    mode = _layout.sql(layout.pg_port, "SELECT sync_state FROM pg_stat_replication")
    load = _ledger.Load(layout.base, bodies, clients=clients)
    time.sleep(before)
    crashed = time.time()
    _layout.pg_ctl(layout.cluster("primary"), "-m", "immediate", "-w", "stop")
    # Answers that arrive between ``crashed`` and here were committed before the stop.
    stopped = time.time()
    layout.run("promote")
    promoted = time.time()
    time.sleep(after)
    ledger = load.stop()

    new_primary = layout.pg_port + 1
    lost = _ledger.missing(ledger, layout.database_url(new_primary))
    back = ledger.first_success_after(stopped)
    during = ledger.statuses(stopped, back or float("inf"))
    in_recovery = _layout.sql(new_primary, "SELECT pg_is_in_recovery()")[0][0]
    print(f"machine: {_common.machine()}, load average {os.getloadavg()[0]:.2f}")
    print(f"replication before the failover: {mode[0][0] if mode else 'none'}")
    print(f"writes acknowledged: {ledger.acknowledged():,} ({ledger.acknowledged(0, crashed):,} "
          f"before the crash, {ledger.acknowledged(promoted):,} after the promotion)")  # fmt: skip
    print(f"acknowledged writes missing on the new primary: {sum(lost.values())} {lost}")
    print(f"promotion and rolling restart (layout.sh promote): {promoted - crashed:.1f} s")
    if back is not None:
        print(f"first write acknowledged {back - stopped:.1f} s after the primary was down")
    print(f"answers from then to the first success again: {dict(during)}")
    print(f"nginx's own answers, by its error log: {dict(layout.nginx_failures())}")
    print(f"new primary (port {new_primary}) in recovery: {in_recovery}")
    checks = {
        "writes acknowledged before the crash (else nothing was at stake)": (
            ledger.acknowledged(0, crashed) > 0
        ),
        "0 acknowledged writes lost": sum(lost.values()) == 0,
        "writes acknowledged on the new primary": ledger.acknowledged(promoted) > 0,
        "the new primary accepts writes (not in recovery)": in_recovery is False,
    }
    return _layout.judge(checks)


def main() -> None:
    parser = _layout.arguments(
        __doc__, state="/tmp/peduli-drills-promote", port=8760, pg_port=55504
    )
    parser.add_argument("--synchronous", action="store_true", help="synchronous replication")
    parser.add_argument("--before", type=float, default=10.0, help="seconds of load before")
    parser.add_argument("--after", type=float, default=20.0, help="seconds of load after")
    args = parser.parse_args()
    layout = _layout.Layout(args.state, args.port, args.pg_port)
    with _layout.running(layout):
        passed = drill(layout, synchronous=args.synchronous, writes=args.writes,
                       clients=args.clients, before=args.before, after=args.after)  # fmt: skip
    raise SystemExit(0 if passed else 1)


if __name__ == "__main__":
    main()
