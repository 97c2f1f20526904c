"""Issue 18's crisis day under load, with processes SIGKILLed at random and a ledger.

    python -m benchmarks.load.crisis_day --people 20000 --minutes 2

Brings up the production layout (``scripts/layout.sh``: nginx, ``peduli serve`` × 2,
``peduli worker`` × 2, a PostgreSQL primary and streaming replica) on its own ports, seeds
``--people`` citizens all in Kuala Lumpur (``peduli seed --city``), makes the staff accounts
and a duty officer with a duty phone, starts ``peduli sandbox`` (gateways that really listen
and store what they receive), then runs locust headless (``locustfile.py``) for
``--minutes`` while a SIGKILL hits a random app or worker process every ``--kill-every``
seconds on average (each started again a second later, like systemd). Afterwards: waits for
the outbox to drain, checks the ledger and the broadcast, and prints every target with its
figure; plots go to ``--plots``, the figures to ``RUN_DIR/summary.json``. Stops everything.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import shutil
import subprocess
import sys
import time
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import psycopg

from benchmarks import _common
from benchmarks.load import checks, plots
from benchmarks.load.layout import Chaos, Ports, layout, load_environment
from benchmarks.load.watch import CpuSampler, PortWatch, SlowStatements

CITY = "Kuala Lumpur"
STATE = Path("/tmp/peduli-load")
TARGET_P95_MS = 500.0
TARGET_QUEUED_SECONDS = 60.0
TARGET_ALERT_SECONDS = 5.0
APP_PROCESSES = 2  # scripts/layout.sh's PEDULI_LAYOUT_SERVE default
PASSWORD = "load-test-password-1"
BIN = Path(sys.executable).parent  # the virtual environment's locust and peduli


def make_accounts(run_dir: Path, officers: int) -> str:
    """Officers of KBRI Kuala Lumpur, two HQ admins (one drafts, the other approves), and
    an officer on duty there with a duty phone; writes ``accounts.json``, returns the phone."""
    import pyotp

    from benchmarks.crisis_help_alert import duty_rosters
    from peduli.auth import accounts, totp
    from peduli.auth.actor import Role
    from peduli.core.db import session_scope

    made: dict[str, list[dict[str, str]]] = {"officers": [], "hq": []}
    with session_scope() as db:
        wanted = [
            (f"load.officer{n}@load.example", Role.OFFICER, "officers") for n in range(officers)
        ]
        wanted += [(f"load.hq{n}@load.example", Role.HQ_ADMIN, "hq") for n in range(2)]
        for email, role, group in wanted:
            account, _ = accounts.create_staff(
                db, email=email, role=role, password=PASSWORD,
                representation_code="kbri-kuala-lumpur" if role == Role.OFFICER else None,
            )  # fmt: skip
            secret = pyotp.random_base32()
            totp.set_secret(account, secret)
            made[group].append({"email": email, "password": PASSWORD, "totp": secret})
    (run_dir / "accounts.json").write_text(json.dumps(made))
    return duty_rosters()["kbri-kuala-lumpur"]


def count_statistics() -> None:
    """The statistics counted once from the seeded rows, as a registry in service has them:
    otherwise the workers' tally spends the run's first minutes catching up on a million
    people that arrived at once, which is the seed's doing, not the crisis day's."""
    from peduli.core.db import session_scope
    from peduli.stats import tally

    started = time.perf_counter()
    with session_scope() as session:
        tally.rebuild(session)
    print(f"statistics counted in {time.perf_counter() - started:.1f} s")


def settle_after_seed() -> None:
    """A checkpoint, then the kernel's dirty pages written out, before the day starts: a
    registry in service has no gigabytes of a bulk load still on their way to the disk. The
    run of 09:38 UTC on 2026-12-07 started without it: checkpoints came every 10 to 30 s
    from the seed on, and every request of the layout, even ``/healthz``, stalled for 19 s
    in its first minute, during one of them."""
    from sqlalchemy import text

    from peduli.core.db import get_engine

    started = time.perf_counter()
    with get_engine().connect() as connection:
        connection.execute(text("CHECKPOINT"))
    os.sync()
    print(f"seed written out (checkpoint and sync) in {time.perf_counter() - started:.1f} s")


def keep_logs(run_dir: Path) -> None:
    """The layout's logs (nginx's errors, each process's) into the run's folder, as the
    layout's state is removed afterwards."""
    if (STATE / "log").is_dir():
        shutil.copytree(STATE / "log", run_dir / "log", dirs_exist_ok=True)


def run_locust(args: argparse.Namespace, run_dir: Path, ports: Ports) -> None:
    env = dict(os.environ) | {
        "LOAD_DIR": str(run_dir), "LOAD_SEED": str(args.seed),
        "LOAD_CRISIS_AFTER": str(args.crisis_after), "LOAD_OFFICERS": str(args.officers),
        "LOAD_CITIZENS": str(args.citizens), "LOAD_STORM": str(args.storm),
        "LOAD_STORM_RATE": str(args.storm_rate), "PYTHONPATH": str(Path.cwd()),
    }  # fmt: skip
    users = args.officers + args.citizens + args.storm + 2  # HQ and the baseline
    command = [
        str(BIN / "locust"), "-f", str(Path(__file__).with_name("locustfile.py")),
        "--headless", "--users", str(users), "--spawn-rate", str(max(1, users // 10)),
        "--run-time", f"{int(args.minutes * 60)}s", "--host", f"http://127.0.0.1:{ports.http}",
        "--csv", str(run_dir / "locust"), "--csv-full-history", "--only-summary",
        "--stop-timeout", "10", "--loglevel", "WARNING",
    ]  # fmt: skip
    subprocess.run(command, env=env, check=False)


def endpoint_p95(run_dir: Path) -> list[dict[str, Any]]:
    """Per endpoint: requests, failures, p50, p95, p99 (ms), page or API."""
    with (run_dir / "locust_stats.csv").open(newline="") as handle:
        rows = [r for r in csv.DictReader(handle) if r["Name"] != "Aggregated"]
    return [
        {"endpoint": f"{r['Type']} {r['Name']}",
         "kind": "API" if r["Name"].startswith("/api/") else "page",
         "requests": int(r["Request Count"]), "failures": int(r["Failure Count"]),
         "p50": float(r["50%"]), "p95": float(r["95%"]), "p99": float(r["99%"])}
        for r in rows
    ]  # fmt: skip


def kind_p95(run_dir: Path) -> dict[str, dict[str, float]]:
    """p50 and p95 over every page request and over every API request of the run, and of
    GET /healthz beside them (the baseline), with the ratio of each p95 to the baseline's."""
    timings: dict[str, list[float]] = {"page": [], "API": [], "baseline": []}
    path = run_dir / "requests.csv"
    for line in path.read_text().splitlines() if path.exists() else []:
        _at, kind, ms, _status = line.split(",")
        timings[kind].append(float(ms))
    figures = {
        kind: {"requests": len(ms), "p50": _common.percentile(ms, 50),
               "p95": _common.percentile(ms, 95)}
        for kind, ms in timings.items() if ms
    }  # fmt: skip
    if "baseline" in figures:
        for kind in ("page", "API"):
            if kind in figures:
                figures[kind]["p95_over_baseline"] = figures[kind]["p95"] / max(
                    figures["baseline"]["p95"], 0.1
                )
    return figures


def server_errors(run_dir: Path, kills: list[float]) -> dict[str, int]:
    """5xx answers, split into those within 5 s after a SIGKILL and the others."""
    path = run_dir / "errors.jsonl"
    errors = [json.loads(line) for line in path.read_text().splitlines()] if path.exists() else []
    near = sum(1 for e in errors if any(0 <= e["t"] - k <= 5 for k in kills))
    return {"total": len(errors), "within_5s_of_a_kill": near, "other": len(errors) - near}


@dataclass
class Watched:
    """The app ports' refusals and the CPU of each part, from locust's start until the
    outbox has drained (``figures`` waits for it before ``stop``)."""

    ports: PortWatch
    cpu: CpuSampler
    statements: SlowStatements
    started: float

    @classmethod
    def start(cls, ports: Ports, run_dir: Path) -> Watched:
        app_ports = tuple(ports.http + 1 + n for n in range(APP_PROCESSES))
        url = os.environ["PEDULI_DATABASE_URL"].replace("postgresql+psycopg://", "postgresql://")
        statements = SlowStatements(every=1, url=url, path=run_dir / "slow-statements.jsonl")
        watched = cls(PortWatch(every=0.25, ports=app_ports), CpuSampler(every=5), statements,
                      time.time())  # fmt: skip
        for poller in (watched.ports, watched.cpu, watched.statements):
            poller.start()
        return watched

    def stop(self) -> dict[str, Any]:
        for poller in (self.ports, self.cpu, self.statements):
            poller.stop()
        seconds = time.time() - self.started
        return {
            "app_ports": self.ports.figures(),
            "cpu_by_part": self.cpu.figures(seconds),
            "slow_statements": self.statements.figures(),
        }


def report(summary: dict[str, Any]) -> None:
    """Every target with its figure."""
    print(json.dumps(summary, indent=2, default=str))


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--minutes", type=float, default=2.0)
    parser.add_argument("--seed", type=int, default=2026)
    parser.add_argument("--officers", type=int, default=6, help="locust users (and accounts)")
    parser.add_argument("--citizens", type=int, default=10, help="locust users")
    parser.add_argument("--storm", type=int, default=20, help="locust users answering check-ins")
    parser.add_argument("--storm-rate", type=float, default=1.0, help="answers/s per storm user")
    parser.add_argument("--crisis-after", type=float, default=20.0, help="seconds into the run")
    parser.add_argument("--kill-every", type=float, default=20.0, help="mean seconds; 0: none")
    parser.add_argument("--sms-rate", type=int, default=1000, help="the provider's messages/s")
    parser.add_argument("--drain-minutes", type=float, default=20.0)
    parser.add_argument("--run-dir", type=Path, default=Path("/tmp/peduli-load-run"))
    parser.add_argument("--plots", type=Path, default=None, help="where the SVG plots go")
    parser.add_argument("--keep", action="store_true", help="leave the layout running")
    args = parser.parse_args()
    ports, run_dir = Ports(), args.run_dir
    run_dir.mkdir(parents=True, exist_ok=True)
    for old in run_dir.iterdir():
        shutil.rmtree(old) if old.is_dir() else old.unlink()
    os.environ.update(ports.settings(STATE))
    os.environ["PEDULI_SMS_SENDERS"] = f"PEDULI={args.sms_rate}"
    os.environ["PEDULI_LOG_LEVEL"] = "WARNING"
    print(f"machine: {_common.machine()}, load average {os.getloadavg()[0]:.2f} at the start")
    os.environ["PEDULI_LAYOUT_READY_SECONDS"] = "900"
    layout("stop", "--purge")
    chaos = Chaos(STATE, args.kill_every)
    sandbox = None
    try:
        layout("start")
        load_environment(STATE)
        started = time.perf_counter()
        seed = ["seed", "--citizens", str(args.people), "--city", CITY, "--seed", str(args.seed)]
        subprocess.run([str(BIN / "peduli"), *seed], check=True)
        seeded = time.perf_counter() - started
        count_statistics()
        settle_after_seed()
        duty_phone = make_accounts(run_dir, args.officers)
        sandbox = _common.peduli_process(["sandbox"], "press Ctrl-C")
        watched = Watched.start(ports, run_dir)
        if args.kill_every > 0:
            chaos.start()
        run_locust(args, run_dir, ports)
        if args.kill_every > 0:
            chaos.stop()
        summary = figures(args, run_dir, duty_phone, chaos, seeded) | watched.stop()
        if args.plots is not None:
            plots.write_plots(run_dir, args.plots, kills=[k.at for k in chaos.kills])
        (run_dir / "summary.json").write_text(json.dumps(summary, indent=2, default=str))
        report(summary)
    finally:
        if sandbox is not None:
            sandbox.terminate()
            sandbox.wait(timeout=30)
        if not args.keep:
            keep_logs(run_dir)
            layout("stop", "--purge")


def figures(
    args: argparse.Namespace, run_dir: Path, duty_phone: str, chaos: Chaos, seeded: float
) -> dict[str, Any]:
    """Wait for the outbox, then measure every target."""
    ledger = checks.Ledger.read(run_dir / "ledger.jsonl")
    sent = (
        json.loads((run_dir / "broadcast.json").read_text())
        if (run_dir / "broadcast.json").exists()
        else {}
    )
    with psycopg.connect(os.environ["PEDULI_DATABASE_URL"], autocommit=True) as conn:
        drained = checks.wait_for_outbox(conn, seconds=args.drain_minutes * 60)
        present = checks.ledger_present(conn, ledger)
        broadcast = checks.broadcast_figures(conn, sent["broadcast_id"]) if sent else {}
        alerts, unalerted, stages = checks.help_alert_seconds(conn, ledger, duty_phone)
    endpoints = endpoint_p95(run_dir)
    kills = [k.at for k in chaos.kills]
    worst = {kind: max((e["p95"] for e in endpoints if e["kind"] == kind), default=0.0)
             for kind in ("page", "API")}  # fmt: skip
    delivery_rate = (
        broadcast["received"] / broadcast["delivery_seconds"]
        if broadcast.get("delivery_seconds") else None
    )  # fmt: skip
    return {
        "people": args.people, "minutes": args.minutes, "seed_seconds": round(seeded, 1),
        "kills": [{"at": k.at, "process": k.process} for k in chaos.kills],
        "server_errors": server_errors(run_dir, kills),
        "p95_ms": kind_p95(run_dir), "worst_endpoint_p95_ms": worst,
        "p95_target_ms": TARGET_P95_MS, "endpoints": endpoints,
        "ledger": present,
        "ledger_lost": sum(v["acknowledged"] - v["present"] for v in present.values()),
        "broadcast": broadcast,
        "queued_seconds_after_approval": (sent["sent_at"] - sent["approved_at"]) if sent else None,
        "outbox_drained_seconds_after_run": drained,
        "delivery_rate_per_second": delivery_rate, "configured_rate_per_second": args.sms_rate,
        "help_alerts": {
            "count": len(alerts), "never_arrived": unalerted,
            "p50_s": _common.percentile(alerts, 50) if alerts else None,
            "p95_s": _common.percentile(alerts, 95) if alerts else None,
            "max_s": max(alerts) if alerts else None,
            "within_5s": sum(1 for s in alerts if s <= TARGET_ALERT_SECONDS),
            "stages_p95_s": {
                stage: _common.percentile([a[stage] for a in stages], 95)
                for stage in ("raised", "queued", "sent", "received")
            } if stages else None,
            "slowest": checks.slowest(stages, 10),
        },
    }  # fmt: skip


if __name__ == "__main__":
    main()
