"""The outbox under crashes, a failing gateway and concurrent workers: nothing is lost and
nobody gets a message twice, as judged by what the sandbox gateway logged per idempotency key.

The process tests start real ``peduli worker`` processes against PostgreSQL (SQLite runs
one worker, in-process tests cover it). Raw re-sends (the same key arriving again, which the
gateway deduplicates as a provider does) are counted and printed.
"""

from __future__ import annotations

import random
import threading
import time

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import func, select

from peduli.auth import service as auth_service
from peduli.auth.actor import Role
from peduli.core.db import session_scope
from peduli.notify.channels.sms_http import HttpSmsChannel
from peduli.notify.dispatcher import dispatch_once, run_worker
from peduli.notify.models import OutboxMessage, OutboxStatus, SandboxMessage
from peduli.notify.outcomes import RetryPolicy
from peduli.notify.sandbox import SandboxHandles
from tests.notify.notify_helpers import (
    SessionFactory,
    WorkerProcess,
    bulk_enqueue,
    make_due,
    outbox,
    received,
    worker_env,
)
from tests.notify.notify_helpers import (
    recipients as outbox_recipients,
)


@pytest.fixture
def postgres(session_factory: SessionFactory) -> None:
    with session_factory() as session:
        if session.get_bind().dialect.name != "postgresql":
            pytest.skip("several worker processes need PostgreSQL; SQLite runs one worker")


def _count(factory: SessionFactory, *where: object) -> int:
    with factory() as session:
        query = select(func.count()).select_from(OutboxMessage).where(*where)  # type: ignore[arg-type]
        return int(session.scalar(query) or 0)


def _wait_until_sent(factory: SessionFactory, total: int, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while time.monotonic() < deadline:
        if _count(factory, OutboxMessage.status == OutboxStatus.SENT) == total:
            return
        time.sleep(0.2)


def _wait_for_work_in_flight(factory: SessionFactory, timeout: float) -> None:
    deadline = time.monotonic() + timeout
    while _count(factory, OutboxMessage.status == OutboxStatus.SENDING) == 0:
        if time.monotonic() > deadline:
            return
        time.sleep(0.05)


def _judge(factory: SessionFactory, total: int, *, recipients: set[str]) -> int:
    """Everyone got the message, nobody twice; returns the raw re-sends the gateway saw."""
    rows = outbox(factory)
    assert {row.status for row in rows} == {OutboxStatus.SENT}
    got = received(factory, "sms")
    assert len(got) == total, f"{len(got)} messages reached the gateway, expected {total}"
    assert sorted(m.recipient for m in got) == sorted(recipients)
    assert {m.idempotency_key for m in got} == {row.idempotency_key for row in rows}
    return sum(m.deliveries - 1 for m in got)


@pytest.mark.slow
@pytest.mark.usefixtures("postgres")
def test_workers_killed_at_random_points_lose_nothing_and_double_nothing(
    session_factory: SessionFactory, sandboxes: SandboxHandles
) -> None:
    total, rounds = 10_000, 4
    bulk_enqueue(session_factory, total)
    recipients = outbox_recipients(session_factory)
    env = worker_env(
        sandboxes.sms_url,
        sms_senders="K1=400,K2=400",  # 800/s: the messages stay in flight for seconds
        notify_batch_size=100,
        sms_batch_size=100,
        notify_lease_seconds=2,
        notify_idle_seconds=0.2,
        notify_retry_base_seconds=0.2,
    )
    rng = random.Random()
    seed = rng.randrange(1_000_000)
    rng.seed(seed)
    in_flight_at_kill: list[int] = []
    delays = [rng.uniform(0.0, 1.2) for _ in range(rounds * 2)]

    def kill_after(worker: WorkerProcess, delay: float) -> None:
        worker.wait_ready()
        # Once work is in flight (a loaded machine may take seconds to claim the first
        # batch), a random point of it: claiming, sending, recording.
        _wait_for_work_in_flight(session_factory, timeout=60)
        time.sleep(delay)
        in_flight_at_kill.append(
            _count(session_factory, OutboxMessage.status == OutboxStatus.SENDING)
        )
        worker.kill()

    for round_ in range(rounds):
        killers = [
            threading.Thread(target=kill_after, args=(WorkerProcess(env), delays[2 * round_ + i]))
            for i in range(2)
        ]
        for killer in killers:
            killer.start()
        for killer in killers:
            killer.join(timeout=180)
        pending = _count(session_factory, OutboxMessage.status != OutboxStatus.SENT)
        assert pending > 0, "all sent before the last kill: the test no longer kills mid-flight"
    kills = len(in_flight_at_kill)
    workers = [WorkerProcess(env) for _ in range(2)]
    try:
        _wait_until_sent(session_factory, total, timeout=120)
    finally:
        for worker in workers:
            worker.stop()

    resends = _judge(session_factory, total, recipients=recipients)
    reclaimed = sum(1 for row in outbox(session_factory) if row.attempts > 1)
    print(
        f"\nkill test (seed {seed}): {kills} SIGKILLs, rows in flight at each kill "
        f"{in_flight_at_kill}; {total} delivered once each; {reclaimed} messages claimed again "
        f"after a kill; {resends} raw re-sends deduplicated by the gateway"
    )
    assert sum(in_flight_at_kill) > 0, "no kill caught a batch in flight"


@pytest.mark.slow
@pytest.mark.usefixtures("postgres")
def test_two_worker_processes_at_once_never_deliver_a_message_twice(
    session_factory: SessionFactory, sandboxes: SandboxHandles
) -> None:
    total = 3_000
    env = worker_env(sandboxes.sms_url, sms_senders="", notify_batch_size=50, sms_batch_size=50)
    workers = [WorkerProcess(env) for _ in range(2)]
    try:
        for worker in workers:
            worker.wait_ready()
        bulk_enqueue(session_factory, total)
        recipients = outbox_recipients(session_factory)
        _wait_until_sent(session_factory, total, timeout=120)
    finally:
        for worker in workers:
            worker.stop()

    resends = _judge(session_factory, total, recipients=recipients)
    assert resends == 0  # no crash, no time-out: not even a raw re-send
    assert len({row.claimed_by for row in outbox(session_factory)}) == 2


@pytest.mark.slow
def test_a_gateway_failing_half_the_requests_or_timing_out_still_delivers_all_once(
    session_factory: SessionFactory, sandboxes: SandboxHandles
) -> None:
    total = 400
    bulk_enqueue(session_factory, total)
    recipients = outbox_recipients(session_factory)
    sandboxes.sms.faults.failure_rate = 0.5
    sandboxes.sms.faults.slow_rate = 0.2
    sandboxes.sms.faults.slow_seconds = 0.6  # past the adapter's time-out: it re-sends
    with session_factory() as session:
        workers = 2 if session.get_bind().dialect.name == "postgresql" else 1
    policy = RetryPolicy(max_attempts=30, base_seconds=0.05, max_seconds=0.5, lease_seconds=10)
    # One try per send: with the adapter's own quick re-tries a request failed three times in
    # a row only one time in eight, so a run without an outbox retry came about one in eight.
    channels = [
        HttpSmsChannel(
            url=sandboxes.sms_url, token="sandbox", timeout=0.3, batch_size=25, max_tries=1
        )
        for _ in range(workers)
    ]
    stop = threading.Event()
    threads = [
        threading.Thread(
            target=run_worker,
            kwargs={
                "session_factory": session_factory,
                "channels": {"sms": channel},
                "worker_id": f"w{i}",
                "batch_size": 50,
                "policy": policy,
                "idle_seconds": 0.05,
                "stop": stop,
            },
        )
        for i, channel in enumerate(channels)
    ]
    for thread in threads:
        thread.start()
    try:
        _wait_until_sent(session_factory, total, timeout=90)
    finally:
        stop.set()
        for thread in threads:
            thread.join(timeout=30)
        for channel in channels:
            channel.close()

    resends = _judge(session_factory, total, recipients=recipients)
    retried = sum(1 for row in outbox(session_factory) if row.attempts > 1)
    print(f"\nfaulty gateway: {retried} messages needed retries, {resends} raw re-sends")
    assert retried > 0


@pytest.fixture
def staff_headers(clean_engine: object) -> dict[str, dict[str, str]]:
    headers = {}
    with session_scope() as db:
        for role in (Role.HQ_ADMIN, Role.HQ_ANALYST, Role.OFFICER):
            email = f"{role.value}@kemlu.example"
            post = "kbri-seoul" if role is Role.OFFICER else None
            auth_service.create_staff(db, email=email, role=role, representation_code=post)
            token = auth_service.create_token(db, email=email)
            headers[role.value] = {"Authorization": f"Bearer {token}"}
    return headers


def test_dead_letters_are_listed_for_staff_and_a_retry_delivers_them(
    session_factory: SessionFactory,
    sandboxes: SandboxHandles,
    client: TestClient,
    staff_headers: dict[str, dict[str, str]],
) -> None:
    bulk_enqueue(session_factory, 3)
    sms = HttpSmsChannel(url=sandboxes.sms_url, token="sandbox", timeout=2.0)
    policy = RetryPolicy(max_attempts=2, base_seconds=60)
    sandboxes.sms.faults.failure_rate = 1.0
    for _ in range(policy.max_attempts):
        make_due(session_factory)
        dispatch_once(session_factory, channels={"sms": sms}, worker_id="w", policy=policy)
    assert _count(session_factory, OutboxMessage.status == OutboxStatus.DEAD) == 3

    listed = client.get("/api/v1/notify/dead-letters", headers=staff_headers[Role.HQ_ANALYST.value])
    assert listed.status_code == 200, listed.text
    page = listed.json()
    assert page["total"] == 3
    first = page["items"][0]
    assert first["recipient"].startswith("+628") and "…" in first["recipient"]
    assert "503" in first["last_error"] and first["attempts"] == 2
    officer = client.get("/api/v1/notify/dead-letters", headers=staff_headers[Role.OFFICER.value])
    assert officer.status_code == 403
    analyst_retry = client.post(
        f"/api/v1/notify/dead-letters/{first['id']}/retry",
        headers=staff_headers[Role.HQ_ANALYST.value],
    )
    assert analyst_retry.status_code == 403

    admin = staff_headers[Role.HQ_ADMIN.value]
    one = client.post(f"/api/v1/notify/dead-letters/{first['id']}/retry", headers=admin)
    assert one.json() == {"retried": 1}
    again = client.post(f"/api/v1/notify/dead-letters/{first['id']}/retry", headers=admin)
    assert again.status_code == 404
    rest = client.post("/api/v1/notify/dead-letters/retry", json={"channel": "sms"}, headers=admin)
    assert rest.json() == {"retried": 2}

    sandboxes.sms.faults.failure_rate = 0.0
    assert dispatch_once(session_factory, channels={"sms": sms}, worker_id="w", policy=policy) == 3
    assert {row.status for row in outbox(session_factory)} == {OutboxStatus.SENT}
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(SandboxMessage)) == 3
    sms.close()
