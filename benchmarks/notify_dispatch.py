"""Outbox dispatch on PostgreSQL: database side and end to end, against a raw drain.

    python -m benchmarks.notify_dispatch [--messages 20000] [--e2e-messages 60000]

Recreates the ``peduli_bench_outbox`` database and, in the same run:

1. **raw drain** (the ceiling): ``--messages`` SMS rows written by one ``INSERT … SELECT``,
   then drained in batches of 500 by bare SQL on one connection: a ``FOR UPDATE SKIP
   LOCKED`` claim that marks the rows ``sending`` and returns them, then one UPDATE marking
   them ``sent`` — no Python beyond the loop;
2. **database side**: the same rows drained by ``dispatch_once`` (claim with the senders'
   token buckets, record the outcome) through a channel that accepts everything at once,
   one worker loop; target ≥ 70 % of the raw drain. Every drain runs twice, interleaved,
   and the best of each counts: the machine is shared;
3. **end to end**: two real ``peduli worker`` processes started idle, then
   ``--e2e-messages`` rows committed at once; timed until every row is ``sent`` through the
   sandbox HTTP SMS gateway (500 messages per request, stored by the gateway) with 20
   sender ids at 1,000/s each; target ≥ 10,000 messages/s, and the first message received
   ≤ 5 s after the commit.
"""

from __future__ import annotations

import argparse
import os
import subprocess
import sys
import threading
import time
from collections.abc import Sequence
from pathlib import Path

import psycopg

from benchmarks import _common

DATABASE = "peduli_bench_outbox"
BATCH = 500
DB_SIDE_TARGET = 0.70
ROUNDS = 2
E2E_TARGET = 10_000.0
FIRST_MESSAGE_TARGET = 5.0
E2E_SENDERS = ",".join(f"PEDULI{i:02d}=1000" for i in range(20))


def _libpq(url: str) -> str:
    return url.replace("postgresql+psycopg://", "postgresql://")


def _fill(conn: psycopg.Connection, count: int, tag: str) -> None:
    """``count`` pending SMS rows in one statement, priorities spread like a broadcast's."""
    from peduli.notify.service import seal_recipient

    # Recipients are stored encrypted, as every writer of the outbox stores them.
    sealed = [seal_recipient("sms", f"+62812{g:07d}") for g in range(1, count + 1)]
    conn.execute("TRUNCATE outbox_message, sandbox_message RESTART IDENTITY")
    conn.execute(
        """
        INSERT INTO outbox_message (channel, recipient, body, idempotency_key, priority)
        SELECT 'sms', r.recipient,
               'Peringatan gempa M6.1 dekat Anda. Balas AMAN atau TOLONG.',
               %(tag)s || ':' || r.g, 100 + r.g %% 50
        FROM unnest(%(recipients)s::text[]) WITH ORDINALITY AS r(recipient, g)
        """,
        {"tag": tag, "recipients": sealed},
    )
    conn.commit()
    conn.execute("ANALYZE outbox_message")
    conn.commit()


def _raw_drain(conn: psycopg.Connection, count: int, *, durable: bool = True) -> float:
    """Claim-and-mark in batches of 500 with bare SQL; rows per second.

    The claim has the form the dispatcher uses (``id = ANY(ARRAY(…))``: through the primary
    key, never a hash join over the whole table), so the ceiling stays the best bare SQL.

    ``durable=False`` commits without waiting for the disk (for reference only).
    """
    conn.execute(f"SET synchronous_commit = {'on' if durable else 'off'}")
    conn.commit()
    started = time.perf_counter()
    done = 0
    while True:
        rows = conn.execute(
            """
            UPDATE outbox_message AS o
            SET status = 'sending', claimed_by = 'raw', claimed_at = now(),
                attempts = o.attempts + 1
            WHERE o.id = ANY(ARRAY(
                SELECT id FROM outbox_message
                WHERE channel = 'sms' AND status IN ('pending', 'failed')
                  AND next_attempt_at <= now()
                ORDER BY priority, next_attempt_at, id
                LIMIT %(batch)s FOR UPDATE SKIP LOCKED))
            RETURNING o.id, o.recipient, o.body, o.idempotency_key
            """,
            {"batch": BATCH},
        ).fetchall()
        conn.commit()
        if not rows:
            break
        conn.execute(
            "UPDATE outbox_message SET status = 'sent', sent_at = now() WHERE id = ANY(%s)",
            ([row[0] for row in rows],),
        )
        conn.commit()
        done += len(rows)
    assert done == count, (done, count)
    rate = count / (time.perf_counter() - started)
    conn.execute("SET synchronous_commit = on")
    conn.commit()
    return rate


class _Accepting:
    """A provider that accepts every message at once: the database side alone."""

    def send(self, messages: Sequence[object]) -> list[object]:
        from peduli.notify.ports import DeliveryResult, DeliveryStatus

        return [
            DeliveryResult(m.id, DeliveryStatus.SENT, provider_message_id=f"p{m.id}")  # type: ignore[attr-defined]
            for m in messages
        ]


def _dispatcher_drain(count: int, *, with_senders: bool) -> float:
    """``dispatch_once`` until the outbox is empty; rows per second."""
    from peduli.core.db import get_sessionmaker
    from peduli.notify import sender_pacing
    from peduli.notify.dispatcher import dispatch_batch

    factory = get_sessionmaker()
    specs = "A=1000000,B=1000000,C=1000000,D=1000000" if with_senders else ""
    with factory() as session, session.begin():
        sender_pacing.sync_senders(session, {"sms": sender_pacing.parse_senders(specs)})
    channels = {"sms": _Accepting()}
    started = time.perf_counter()
    done = 0
    # As ``run_worker`` does: orphans are looked for a few times per lease, not every batch.
    while claimed := dispatch_batch(
        factory,
        channels=channels,  # type: ignore[arg-type]
        batch_size=BATCH,
        worker_id="bench",
        reclaim=done == 0,
    ).claimed:
        done += claimed
    assert done == count, (done, count)
    return count / (time.perf_counter() - started)


def _end_to_end(url: str, conn: psycopg.Connection, count: int) -> tuple[float, float]:
    """Two ``peduli worker`` processes through the sandbox gateway; (messages/s, first s)."""
    from peduli.core.db import get_sessionmaker
    from peduli.notify.sandbox.sms_gateway import SmsGateway

    conn.execute("TRUNCATE outbox_message, sandbox_message RESTART IDENTITY")
    conn.commit()
    gateway = SmsGateway(session_factory=get_sessionmaker())
    gateway.start()
    env = os.environ | {
        "PEDULI_DATABASE_URL": url,
        "PEDULI_SMS_GATEWAY_URL": gateway.url,
        "PEDULI_SMS_SENDERS": E2E_SENDERS,
        "PEDULI_SMS_BATCH_SIZE": str(BATCH),
        "PEDULI_NOTIFY_BATCH_SIZE": str(BATCH),
        "PEDULI_LOG_LEVEL": "INFO",
    }
    command = [sys.executable, "-c", "from peduli.cli.main import app; app()", "worker"]
    workers = [
        subprocess.Popen(command, env=env, stdout=subprocess.PIPE, text=True) for _ in range(2)
    ]
    try:
        ready = [threading.Event() for _ in workers]
        for worker, event in zip(workers, ready, strict=True):
            threading.Thread(target=_drain_log, args=(worker, event), daemon=True).start()
        for event in ready:
            if not event.wait(120):
                raise RuntimeError("a worker did not start within 120 s")
        time.sleep(1.5)  # both found nothing and poll idle
        from peduli.notify.service import seal_recipient

        sealed = [seal_recipient("sms", f"+62812{g:07d}") for g in range(1, count + 1)]
        conn.execute(
            """
            INSERT INTO outbox_message (channel, recipient, body, idempotency_key, priority)
            SELECT 'sms', r.recipient,
                   'Peringatan gempa M6.1 dekat Anda. Balas AMAN atau TOLONG.',
                   'e2e:' || r.g, 100 + r.g %% 50
            FROM unnest(%(recipients)s::text[]) WITH ORDINALITY AS r(recipient, g)
            """,
            {"recipients": sealed},
        )
        committed_at = conn.execute("SELECT clock_timestamp()").fetchone()[0]  # type: ignore[index]
        conn.commit()
        cpu_before = [_cpu_seconds(w.pid) for w in workers], time.process_time()
        started = time.perf_counter()
        while True:  # polled rarely: a count of 100k rows would compete with the workers
            time.sleep(0.5)
            (left,) = conn.execute(
                "SELECT count(*) FROM outbox_message WHERE status <> 'sent'"
            ).fetchone()  # type: ignore[misc]
            conn.commit()
            if left == 0:
                break
            if time.perf_counter() - started > 300:
                raise RuntimeError(f"{left} messages still not sent after 300 s")
        (first, received, resent) = conn.execute(
            "SELECT min(received_at), count(*), sum(deliveries) - count(*) FROM sandbox_message"
        ).fetchone()  # type: ignore[misc]
        cpu_workers = sum(_cpu_seconds(w.pid) for w in workers) - sum(cpu_before[0])
        cpu_gateway = time.process_time() - cpu_before[1]
        (last_sent,) = conn.execute("SELECT max(sent_at) FROM outbox_message").fetchone()  # type: ignore[misc]
        conn.commit()
        elapsed = (last_sent - committed_at).total_seconds()
    finally:
        for worker in workers:
            worker.terminate()
        for worker in workers:
            worker.wait(timeout=30)
        gateway.stop()
    assert received == count, (received, count)
    print(f"  gateway stored {received} messages, {resent} raw re-sends")
    print(
        f"  CPU seconds while sending: workers {cpu_workers:.1f}, gateway {cpu_gateway:.1f} "
        f"(over {elapsed:.1f} s on {os.cpu_count()} cores; the rest is PostgreSQL and others)"
    )
    return count / elapsed, (first - committed_at).total_seconds()


def _cpu_seconds(pid: int) -> float:
    """User + system CPU time of a process so far (Linux)."""
    fields = Path(f"/proc/{pid}/stat").read_text().rsplit(")", 1)[1].split()
    return (int(fields[11]) + int(fields[12])) / os.sysconf("SC_CLK_TCK")


def _drain_log(worker: subprocess.Popen[str], ready: threading.Event) -> None:
    """Read a worker's log; set ``ready`` once it says it started."""
    assert worker.stdout is not None
    for line in worker.stdout:
        if "worker started" in line:
            ready.set()


def main() -> None:
    """Run the three measurements and print figures and ratios."""
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--messages", type=int, default=20_000, help="per drain (8 drains)")
    parser.add_argument("--e2e-messages", type=int, default=60_000)
    args = parser.parse_args()
    url = _common.recreate_postgres(DATABASE)
    _common.use_database(url)
    print(f"machine: {_common.machine()}")
    best: dict[str, float] = {}
    with psycopg.connect(_libpq(url)) as conn:
        for round_ in range(ROUNDS):  # interleaved, best of each: the machine is shared
            runs = {
                "raw": lambda: _raw_drain(conn, args.messages),
                "raw_async": lambda: _raw_drain(conn, args.messages, durable=False),
                "plain": lambda: _dispatcher_drain(args.messages, with_senders=False),
                "buckets": lambda: _dispatcher_drain(args.messages, with_senders=True),
            }
            for name, run in runs.items():
                _fill(conn, args.messages, f"{name}{round_}")
                best[name] = max(best.get(name, 0.0), run())
        raw, raw_async = best["raw"], best["raw_async"]
        print(f"raw SKIP LOCKED claim-and-mark drain, batches of {BATCH}: {raw:,.0f} rows/s")
        print(f"  for reference, commits not waiting for the disk:  {raw_async:,.0f} rows/s")
        for name, label in (("plain", "no senders"), ("buckets", "4 senders' token buckets")):
            ratio = best[name] / raw
            verdict = "ok" if ratio >= DB_SIDE_TARGET else "BELOW TARGET"
            print(
                f"dispatcher, {label}: {best[name]:,.0f} rows/s = {ratio:.0%} of raw "
                f"(target ≥ {DB_SIDE_TARGET:.0%}: {verdict})"
            )
        rate, first = _end_to_end(url, conn, args.e2e_messages)
    verdict = "ok" if rate >= E2E_TARGET else "BELOW TARGET"
    print(
        f"end to end, 2 peduli worker processes → sandbox HTTP gateway: {rate:,.0f} messages/s "
        f"({rate / raw:.0%} of raw; target ≥ {E2E_TARGET:,.0f}/s: {verdict})"
    )
    verdict = "ok" if first <= FIRST_MESSAGE_TARGET else "BELOW TARGET"
    print(f"first message at the gateway {first:.2f} s after the commit (target ≤ 5 s: {verdict})")


if __name__ == "__main__":
    main()
