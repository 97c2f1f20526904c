"""Check-in answers over HTTP against the same server's trivial JSON endpoint (PostgreSQL).

    python -m benchmarks.crisis_checkin_http [--people 20000] [--workers 2] [--seconds 15]

Seeds people in a crisis area, sends a broadcast (recipients and signed links), starts
``peduli serve --workers`` (the production server), then drives with wrk: GET /healthz (the
baseline), then POST /api/v1/crises/check-ins with distinct genuine tokens. Target: ≥ 40 % of the
baseline's rate.
"""

from __future__ import annotations

import argparse
import json
import tempfile
from datetime import UTC, datetime
from pathlib import Path

import numpy as np
from sqlalchemy import select

from benchmarks import _common
from benchmarks.crisis_fanout import seed
from benchmarks.self_report_http import WRK_THREADS, _wrk

DATABASE = "peduli_crisis_http"
TARGET_SHARE = 0.40


def _tokens(people: int, help_every: int) -> list[bytes]:
    from peduli.auth.actor import Role
    from peduli.core.db import get_engine, session_scope
    from peduli.crisis import broadcasts, delivery, links, service
    from peduli.crisis.models import Recipient
    from peduli.crisis.schemas import BroadcastCreate, CrisisCreate
    from tests.factories import staff

    def answer(i: int) -> str:
        return "need_help" if help_every and i % help_every == 0 else "safe"

    seed(get_engine(), people, np.random.default_rng(7))
    hq, second = staff(Role.HQ_ADMIN), staff(Role.HQ_ADMIN)
    with session_scope() as db:
        body = CrisisCreate(
            title="Bench", kind="flood", severity="severe", area={"countries": ["MY"]}
        )
        crisis = service.declare(db, body=body, actor=hq)
        draft = BroadcastCreate(messages={"id": "Banjir."}, channels=["sms"])
        broadcast = broadcasts.draft(db, crisis_id=crisis.id, body=draft, actor=hq)
        broadcasts.approve(db, crisis_id=crisis.id, broadcast_id=broadcast.id, actor=second)
        delivery.add_recipients(db, crisis, broadcast, now=datetime.now(UTC))
    with session_scope() as db:
        ids = db.scalars(select(Recipient.id)).all()
    # Most people answer "I am safe"; "I need help" opens a case (measured apart, --help-share).
    return [
        json.dumps({"token": links.token_for(i), "answer": answer(i), "note": "ok"}).encode()
        for i in ids
    ]


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__)
    parser.add_argument("--people", type=int, default=20_000)
    parser.add_argument("--workers", type=int, default=2)
    parser.add_argument("--clients", type=int, default=32)
    parser.add_argument("--seconds", type=float, default=15.0)
    parser.add_argument(
        "--help-every", type=int, default=0, help="every Nth answer is 'I need help' (0: none)"
    )
    args = parser.parse_args()
    url = _common.recreate_postgres(DATABASE)
    _common.use_database(url)
    print(f"machine: {_common.machine()}")
    bodies = _tokens(args.people, args.help_every)
    with tempfile.NamedTemporaryFile("wb", suffix=".jsonl", delete=False) as handle:
        handle.write(b"\n".join(bodies))
    script = ["-s", str(Path(__file__).with_name("wrk_post.lua"))]
    with _common.server(url, workers=args.workers, start_seconds=300) as base:
        _wrk(f"{base}/healthz", clients=4, seconds=2, script=[])
        baseline = _wrk(f"{base}/healthz", clients=args.clients, seconds=args.seconds, script=[])
        answers = _wrk(
            f"{base}/api/v1/crises/check-ins",
            clients=args.clients,
            seconds=args.seconds,
            script=script,
            script_args=[handle.name, "none", str(WRK_THREADS)],
        )
    share = answers.rate / baseline.rate
    print(
        f"baseline GET /healthz  : {baseline.rate:8.1f} req/s, "
        f"p50 {baseline.p50_ms:.1f} ms, p99 {baseline.p99_ms:.1f} ms"
    )
    print(
        f"POST /crises/check-ins : {answers.rate:8.1f} req/s, p50 {answers.p50_ms:.1f} ms, "
        f"p99 {answers.p99_ms:.1f} ms, {answers.errors} non-2xx"
    )
    print(f"ratio check-ins/baseline   : {share:.1%} (target ≥ 40 %)")


if __name__ == "__main__":
    main()
