"""Check-in answers over HTTP against the same server's trivial JSON endpoint.

    python -m benchmarks.crisis_checkin_http --db sqlite|postgres [--people 20000]
        [--workers 2] [--seconds 15] [--help-every 10] [--worker-during-runs]

Seeds people in three Malaysian posts, each with an officer on duty (so every call for help
raises an emergency and queues the duty officer's alerts, as in production), writes a
broadcast's recipients and signed links, starts ``peduli serve --workers`` (the production
server), then drives with wrk, in the same run: GET /healthz (the baseline), POST
/api/v1/crises/check-ins with "I am safe" only, then with every ``--help-every``-th answer "I
need help" (each from a person of their own: a first call for help, the expensive one). Each
run has people of its own, so every answer is a person's first. Target: the mixed answers at ≥
40 % of the baseline's rate. The endpoint is measured alone: the calls for help it records are
raised by ``peduli worker`` (with ``peduli sandbox``), started after the runs, which reports
how long it took to raise them all; ``--worker-during-runs`` runs them beside the server on the
same two cores instead (in production the workers have machines of their own).
"""

from __future__ import annotations

import argparse
import json
import tempfile
import time
from contextlib import nullcontext
from pathlib import Path

import numpy as np
from sqlalchemy import func, select

from benchmarks import _common
from benchmarks.crisis_help_alert import crisis_tokens, duty_rosters, seed_people
from benchmarks.self_report_http import WRK_THREADS, WrkRun, _wrk

DATABASE = "peduli_crisis_http"
TARGET_SHARE = 0.40


def _bodies(tokens: list[str], help_every: int) -> str:
    """A wrk bodies file: one answer per token, every ``help_every``-th "I need help"."""

    def answer(i: int) -> str:
        return "need_help" if help_every and i % help_every == 0 else "safe"

    lines = [
        json.dumps({"token": token, "answer": answer(i), "note": "ok"}).encode()
        for i, token in enumerate(tokens)
    ]
    with tempfile.NamedTemporaryFile("wb", suffix=".jsonl", delete=False) as handle:
        handle.write(b"\n".join(lines))
    return handle.name


def _emergencies() -> tuple[int, int]:
    """Emergencies raised and duty officers' alerts queued so far."""
    from peduli.core.db import session_scope
    from peduli.emergency.models import Emergency
    from peduli.notify.models import MessagePriority, OutboxMessage

    with session_scope() as db:
        raised = db.scalar(select(func.count()).select_from(Emergency)) or 0
        alerts = db.scalar(
            select(func.count())
            .select_from(OutboxMessage)
            .where(OutboxMessage.priority == MessagePriority.EMERGENCY_ALERT)
        )
    return raised, alerts or 0


def _wait_until_raised(seconds: float = 120) -> float | None:
    """Seconds after the last answer until the worker had raised every call for help."""
    from peduli.core.db import session_scope
    from peduli.crisis.models import Answer, CheckIn

    pending = (
        select(func.count())
        .select_from(CheckIn)
        .where(CheckIn.answer == Answer.NEED_HELP, CheckIn.help_raised_at.is_(None))
    )
    started = time.monotonic()
    while time.monotonic() - started < seconds:
        with session_scope() as db:
            if not db.scalar(pending):
                return time.monotonic() - started
        time.sleep(0.2)
    return None


def _line(name: str, run: WrkRun, baseline: WrkRun) -> None:
    print(
        f"{name:<34}: {run.rate:8.1f} req/s, p50 {run.p50_ms:.1f} ms, p99 {run.p99_ms:.1f} ms, "
        f"{run.errors} non-2xx, {run.rate / baseline.rate:.1%} of the baseline"
    )


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--db", choices=("sqlite", "postgres"), default="postgres")
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument("--help-every", type=int, default=10, help="every Nth answer 'I need help'")
    parser.add_argument(
        "--worker-during-runs",
        action="store_true",
        help="run the worker (and sandboxes) beside the server on the same cores during the runs, "
        "instead of after them (in production the workers have machines of their own)",
    )
    args = parser.parse_args()
    url = _common.recreate_postgres(DATABASE) if args.db == "postgres" else _common.sqlite_url()
    _common.use_database(url)
    print(f"machine: {_common.machine()}; database: {args.db}")
    seed_people(args.people, np.random.default_rng(7))
    duty_rosters()
    tokens = crisis_tokens(send=False)
    half = len(tokens) // 2
    safe_file, mixed_file = _bodies(tokens[:half], 0), _bodies(tokens[half:], args.help_every)
    script = ["-s", str(Path(__file__).with_name("wrk_post.lua"))]
    worker_beside = _common.sandbox_and_worker(url) if args.worker_during_runs else nullcontext()
    with worker_beside, _common.server(url, workers=args.workers, start_seconds=300) as base:
        checkins = f"{base}/api/v1/crises/check-ins"
        _wrk(f"{base}/healthz", clients=4, seconds=2, script=[])
        baseline = _wrk(f"{base}/healthz", clients=args.clients, seconds=args.seconds, script=[])
        safe = _wrk(checkins, clients=args.clients, seconds=args.seconds, script=script,
                    script_args=[safe_file, "none", str(WRK_THREADS)])  # fmt: skip
        mixed = _wrk(checkins, clients=args.clients, seconds=args.seconds, script=script,
                     script_args=[mixed_file, "none", str(WRK_THREADS)])  # fmt: skip
    with _common.sandbox_and_worker(url) if not args.worker_during_runs else nullcontext():
        drained = _wait_until_raised()
    raised, alerts = _emergencies()
    print(f"baseline GET /healthz             : {baseline.rate:8.1f} req/s, "
          f"p50 {baseline.p50_ms:.1f} ms, p99 {baseline.p99_ms:.1f} ms")  # fmt: skip
    _line("check-ins, 'I am safe' only", safe, baseline)
    _line(f"check-ins, 1 in {args.help_every} 'I need help'", mixed, baseline)
    share, against_safe = mixed.rate / baseline.rate, mixed.rate / safe.rate
    print(f"ratio mixed/baseline              : {share:.1%} (target ≥ {TARGET_SHARE:.0%}); "
          f"mixed/safe-only {against_safe:.1%}")  # fmt: skip
    sent = mixed.rate * args.seconds
    print(
        "every call for help raised by the worker "
        + (f"{drained:.1f} s after " if drained is not None else "NOT within 120 s of ")
        + ("the last answer" if args.worker_during_runs else "it started, after the runs")
    )
    print(
        f"emergencies raised: {raised:,}, duty officers' alerts queued: {alerts:,} "
        f"(about {sent / args.help_every:,.0f} calls for help sent; bodies per run: {half:,}"
        + (", some answered twice" if max(safe.rate, mixed.rate) * args.seconds > half else "")
        + ")"
    )


if __name__ == "__main__":
    main()
