"""The dispatcher against the real sandbox SMTP server and HTTP gateway."""

from __future__ import annotations

import threading
from collections.abc import Sequence
from datetime import timedelta

import pytest
from sqlalchemy import update

from peduli.core.db import utcnow
from peduli.notify import service
from peduli.notify.dispatcher import dispatch_once, run_worker
from peduli.notify.models import OutboxMessage, OutboxStatus
from peduli.notify.outcomes import RetryPolicy
from peduli.notify.ports import Channel, DeliveryResult, OutboundMessage, email_message_id
from peduli.notify.sandbox import SandboxHandles
from tests.notify.notify_helpers import (
    SessionFactory,
    held_by_a_dead_worker,
    make_due,
    outbox,
    received,
)

POLICY = RetryPolicy(max_attempts=3, base_seconds=60, max_seconds=600, lease_seconds=300)


def _enqueue(factory: SessionFactory, *messages: tuple[str, str, str]) -> None:
    """Queue (channel, recipient, key) messages and commit, as a request would."""
    with factory() as session, session.begin():
        for channel, recipient, key in messages:
            service.enqueue(
                session,
                channel=channel,
                recipient=recipient,
                subject="Kode masuk Peduli",
                body=f"Kode masuk Anda: 482913 ({key})",
                idempotency_key=key,
            )


def _dispatch(
    factory: SessionFactory,
    channels: dict[str, Channel],
    *,
    policy: RetryPolicy = POLICY,
    worker_id: str = "w1",
) -> int:
    return dispatch_once(factory, channels=channels, worker_id=worker_id, policy=policy)


def test_recipients_are_stored_encrypted_and_one_that_does_not_open_is_not_sent(
    session_factory: SessionFactory, channels: dict[str, Channel]
) -> None:
    _enqueue(
        session_factory,
        ("sms", "+6281234567890", "otp:sms:1"),
        ("sms", "+6281299999999", "otp:sms:2"),
        ("sms", "+6281288888888", "otp:sms:3"),
    )
    stored = {row.idempotency_key: row.recipient for row in outbox(session_factory)}
    assert not any("628" in recipient for recipient in stored.values())
    sealed = stored["otp:sms:2"].split("$")
    with session_factory() as session, session.begin():  # damaged, and under a lost key
        damaged = "$".join([sealed[0], sealed[1], sealed[2][::-1]])
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.idempotency_key == "otp:sms:2")
            .values(recipient=damaged)
        )
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.idempotency_key == "otp:sms:3")
            .values(recipient="gone$" + stored["otp:sms:3"].split("$", 1)[1])
        )

    assert _dispatch(session_factory, channels) == 3

    rows = {row.idempotency_key: row for row in outbox(session_factory)}
    assert rows["otp:sms:1"].status == OutboxStatus.SENT
    assert rows["otp:sms:2"].status == OutboxStatus.DEAD
    assert rows["otp:sms:2"].last_error == "the recipient cannot be decrypted"
    assert rows["otp:sms:3"].status == OutboxStatus.FAILED  # retried once the key is back
    assert "gone" in (rows["otp:sms:3"].last_error or "")
    assert [m.recipient for m in received(session_factory, "sms")] == ["+6281234567890"]


def test_messages_reach_the_sandbox_smtp_server_and_sms_gateway(
    session_factory: SessionFactory, channels: dict[str, Channel]
) -> None:
    _enqueue(
        session_factory,
        ("email", "siti@example.id", "otp:email:1"),
        ("sms", "+6281234567890", "otp:sms:1"),
    )

    assert _dispatch(session_factory, channels) == 2

    rows = {row.idempotency_key: row for row in outbox(session_factory)}
    assert {row.status for row in rows.values()} == {OutboxStatus.SENT}
    assert rows["otp:email:1"].provider_message_id == email_message_id("otp:email:1", "peduli.test")
    assert rows["otp:sms:1"].provider_message_id.startswith("sms-")
    assert all(row.sent_at and row.attempts == 1 for row in rows.values())
    (mail,) = received(session_factory, "email")
    assert (mail.recipient, mail.subject) == ("siti@example.id", "Kode masuk Peduli")
    assert "482913" in mail.body
    (sms,) = received(session_factory, "sms")
    assert (sms.recipient, sms.idempotency_key) == ("+6281234567890", "otp:sms:1")
    assert _dispatch(session_factory, channels) == 0


def test_a_gateway_503_is_retried_later_with_backoff(
    session_factory: SessionFactory, sandboxes: SandboxHandles, channels: dict[str, Channel]
) -> None:
    _enqueue(session_factory, ("sms", "+6281234567890", "k1"))
    sandboxes.sms.faults.fail_next(3, status=503)  # more than the adapter's own tries
    before = utcnow()

    _dispatch(session_factory, channels)

    (row,) = outbox(session_factory)
    assert row.status is OutboxStatus.FAILED
    assert row.attempts == 1
    assert "503" in (row.last_error or "")
    # base 60 s with jitter between half and all of it
    assert before + timedelta(seconds=29) < row.next_attempt_at < before + timedelta(seconds=61)
    assert received(session_factory, "sms") == []
    assert _dispatch(session_factory, channels) == 0  # not due yet

    make_due(session_factory)
    assert _dispatch(session_factory, channels) == 1
    (row,) = outbox(session_factory)
    assert (row.status, row.attempts) == (OutboxStatus.SENT, 2)
    assert len(received(session_factory, "sms")) == 1


def test_a_short_outage_is_absorbed_by_the_adapters_own_bounded_retry(
    session_factory: SessionFactory, sandboxes: SandboxHandles, channels: dict[str, Channel]
) -> None:
    _enqueue(session_factory, ("sms", "+6281234567890", "k1"))
    sandboxes.sms.faults.fail_next(1, status=503)

    _dispatch(session_factory, channels)

    (row,) = outbox(session_factory)
    assert (row.status, row.attempts) == (OutboxStatus.SENT, 1)


def test_retry_after_from_the_gateway_is_respected(
    session_factory: SessionFactory, sandboxes: SandboxHandles, channels: dict[str, Channel]
) -> None:
    _enqueue(session_factory, ("sms", "+6281234567890", "k1"))
    sandboxes.sms.faults.fail_next(1, status=429, retry_after=300)
    before = utcnow()

    _dispatch(session_factory, channels)

    (row,) = outbox(session_factory)
    assert row.status is OutboxStatus.FAILED
    assert row.next_attempt_at >= before + timedelta(seconds=300)


def test_a_message_is_dead_after_the_last_attempt(
    session_factory: SessionFactory, sandboxes: SandboxHandles, channels: dict[str, Channel]
) -> None:
    _enqueue(session_factory, ("sms", "+6281234567890", "k1"))
    sandboxes.sms.faults.failure_rate = 1.0

    for _ in range(POLICY.max_attempts):
        make_due(session_factory)
        assert _dispatch(session_factory, channels) == 1

    (row,) = outbox(session_factory)
    assert (row.status, row.attempts) == (OutboxStatus.DEAD, POLICY.max_attempts)
    make_due(session_factory)
    assert _dispatch(session_factory, channels) == 0


def test_a_refused_message_is_dead_at_once_and_the_rest_of_the_batch_is_sent(
    session_factory: SessionFactory, channels: dict[str, Channel]
) -> None:
    _enqueue(
        session_factory,
        ("sms", "0812-not-e164", "bad"),
        ("sms", "+6281234567890", "good"),
    )

    _dispatch(session_factory, channels)

    rows = {row.idempotency_key: row for row in outbox(session_factory)}
    assert rows["bad"].status is OutboxStatus.DEAD
    assert "E.164" in (rows["bad"].last_error or "")
    assert rows["good"].status is OutboxStatus.SENT


@pytest.mark.parametrize(("code", "status"), [(451, OutboxStatus.FAILED), (554, OutboxStatus.DEAD)])
def test_smtp_4xx_is_retried_and_5xx_is_final(
    session_factory: SessionFactory,
    sandboxes: SandboxHandles,
    channels: dict[str, Channel],
    code: int,
    status: OutboxStatus,
) -> None:
    _enqueue(session_factory, ("email", "siti@example.id", "k1"))
    sandboxes.smtp.faults.fail_next(1, status=code)

    _dispatch(session_factory, channels)

    (row,) = outbox(session_factory)
    assert row.status is status
    assert f"SMTP {code}" in (row.last_error or "")


def test_an_unreachable_smtp_server_is_retried(session_factory: SessionFactory) -> None:
    from peduli.notify.channels.email_smtp import SmtpEmailChannel

    _enqueue(session_factory, ("email", "siti@example.id", "k1"))
    closed_port = SmtpEmailChannel(host="127.0.0.1", port=1, sender="a@b.c", timeout=1.0)

    _dispatch(session_factory, {"email": closed_port})

    (row,) = outbox(session_factory)
    assert row.status is OutboxStatus.FAILED
    assert "SMTP server" in (row.last_error or "")


def test_a_message_stuck_in_sending_is_reclaimed_after_the_lease(
    session_factory: SessionFactory, channels: dict[str, Channel]
) -> None:
    _enqueue(session_factory, ("sms", "+6281234567890", "k1"), ("sms", "+6281234567891", "k2"))
    held_by_a_dead_worker(session_factory, "k1", lease_seconds=POLICY.lease_seconds)
    with session_factory() as session, session.begin():
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.idempotency_key == "k2")
            .values(status=OutboxStatus.SENDING, claimed_by="busy-worker", claimed_at=utcnow())
        )

    assert _dispatch(session_factory, channels, worker_id="w2") == 1

    rows = {row.idempotency_key: row for row in outbox(session_factory)}
    assert (rows["k1"].status, rows["k1"].claimed_by, rows["k1"].attempts) == (
        OutboxStatus.SENT,
        "w2",
        2,
    )
    assert (rows["k2"].status, rows["k2"].claimed_by) == (OutboxStatus.SENDING, "busy-worker")


class _Crash(BaseException):
    """The process dying: not an error the dispatcher may catch."""


class _CrashAfterSend:
    """Delivers for real, then dies before the dispatcher can record the outcome."""

    def __init__(self, inner: Channel) -> None:
        self.inner = inner

    def send(self, messages: Sequence[OutboundMessage]) -> list[DeliveryResult]:
        self.inner.send(messages)
        raise _Crash


@pytest.mark.parametrize("channel", ["email", "sms"])
def test_a_crash_between_send_and_mark_never_delivers_twice(
    session_factory: SessionFactory, channels: dict[str, Channel], channel: str
) -> None:
    recipient = "siti@example.id" if channel == "email" else "+6281234567890"
    _enqueue(session_factory, (channel, recipient, "otp:1"))

    with pytest.raises(_Crash):
        _dispatch(session_factory, {channel: _CrashAfterSend(channels[channel])})
    (row,) = outbox(session_factory)
    assert row.status is OutboxStatus.SENDING
    assert len(received(session_factory, channel)) == 1

    expired = RetryPolicy(max_attempts=3, lease_seconds=0)
    assert _dispatch(session_factory, channels, policy=expired, worker_id="w2") == 1

    (row,) = outbox(session_factory)
    assert (row.status, row.attempts) == (OutboxStatus.SENT, 2)
    (copy,) = received(session_factory, channel)
    assert copy.deliveries == 2  # sent twice over the wire, kept once


def test_run_worker_delivers_then_stops_when_asked(
    session_factory: SessionFactory, channels: dict[str, Channel]
) -> None:
    stop = threading.Event()
    worker = threading.Thread(
        target=run_worker,
        kwargs={
            "session_factory": session_factory,
            "channels": channels,
            "worker_id": "loop",
            "idle_seconds": 0.05,
            "stop": stop,
        },
    )
    worker.start()
    try:
        _enqueue(session_factory, ("sms", "+6281234567890", "k1"))
        deadline = utcnow() + timedelta(seconds=5)
        while utcnow() < deadline and not received(session_factory, "sms"):
            stop.wait(0.05)
    finally:
        stop.set()
        worker.join(timeout=5)
    assert not worker.is_alive()
    (row,) = outbox(session_factory)
    assert row.status is OutboxStatus.SENT


class _Recording:
    """Remembers which messages each call was given, then delivers them for real."""

    def __init__(self, inner: Channel) -> None:
        self.inner = inner
        self.seen: list[int] = []
        self._lock = threading.Lock()

    def send(self, messages: Sequence[OutboundMessage]) -> list[DeliveryResult]:
        with self._lock:
            self.seen.extend(m.id for m in messages)
        return self.inner.send(messages)


def test_concurrent_workers_on_postgresql_never_claim_the_same_message(
    session_factory: SessionFactory, channels: dict[str, Channel]
) -> None:
    with session_factory() as session:
        if session.get_bind().dialect.name != "postgresql":
            pytest.skip("SKIP LOCKED claims need PostgreSQL; SQLite runs one worker")
    total = 600
    _enqueue(session_factory, *[("sms", f"+62812{i:07d}", f"k{i}") for i in range(total)])
    recorders = [_Recording(channels["sms"]) for _ in range(3)]
    barrier = threading.Barrier(len(recorders))

    def drain(index: int) -> None:
        barrier.wait()
        while dispatch_once(
            session_factory,
            channels={"sms": recorders[index]},
            batch_size=40,
            worker_id=f"w{index}",
            policy=POLICY,
        ):
            pass

    threads = [threading.Thread(target=drain, args=(i,)) for i in range(len(recorders))]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join(timeout=30)

    claimed = [message_id for recorder in recorders for message_id in recorder.seen]
    assert len(claimed) == len(set(claimed)) == total
    assert sum(1 for recorder in recorders if recorder.seen) > 1
    assert {row.status for row in outbox(session_factory)} == {OutboxStatus.SENT}
    copies = received(session_factory, "sms")
    assert len(copies) == total
    assert {copy.deliveries for copy in copies} == {1}
