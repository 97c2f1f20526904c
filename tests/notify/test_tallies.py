"""``notify.tallies``: a tally's counts follow its messages through every change of state
(queued, sent, delivered, dead, back in line), each counted once, and always equal a
recount of the outbox."""

from __future__ import annotations

import threading
from collections.abc import Sequence

import pytest
from sqlalchemy import case, func, literal, select, text, union_all
from sqlalchemy.orm import Session

from peduli.core.db import utcnow
from peduli.notify import dead_letters, receipts, service, tallies
from peduli.notify.dispatcher import dispatch_once
from peduli.notify.models import OutboxMessage, OutboxStatus, OutboxTally
from peduli.notify.outcomes import RetryPolicy
from peduli.notify.ports import Channel
from peduli.notify.receipts import Receipt, SmsReport
from peduli.notify.sandbox import SandboxHandles
from tests.notify.notify_helpers import SessionFactory, held_by_a_dead_worker, make_due, outbox

POLICY = RetryPolicy(max_attempts=2, base_seconds=60, max_seconds=600, lease_seconds=300)
NAMES = ("test:alpha", "test:beta")


def _ensure(session: Session) -> None:
    names = union_all(*(select(literal(name).label("name")) for name in NAMES))
    tallies.ensure(session, select(names.subquery().c.name), channel="sms")


def _queue(factory: SessionFactory, messages: Sequence[tuple[str, str | None, str]]) -> int:
    """Queue (key, tally name or None, phone) SMS in one INSERT … SELECT, as a fan-out does."""
    with factory() as session, session.begin():
        _ensure(session)
        rows = [
            select(
                *service.message_columns(
                    channel="sms",
                    sealed_recipient=literal(service.seal_recipient("sms", phone)),
                    subject="",
                    body=literal("Gempa. Jauhi bangunan."),
                    idempotency_key=literal(key),
                    priority=10,
                    tally_id=select(OutboxTally.id)
                    .where(OutboxTally.name == (name or ""), OutboxTally.channel == "sms")
                    .scalar_subquery(),
                )
            )
            for key, name, phone in messages
        ]
        return service.enqueue_selected(session, union_all(*rows))


def _kept(factory: SessionFactory) -> dict[str, tallies.TallyFigures]:
    with factory() as session:
        kept = {name: tallies.totals(session, prefix=name) for name in NAMES}
    return {name: kept[name].get("sms", tallies.TallyFigures(0, 0, 0, 0)) for name in NAMES}


def _recounted(factory: SessionFactory) -> dict[str, tallies.TallyFigures]:
    """The same figures counted from every outbox row, as the live screen once did."""
    status = OutboxMessage.status
    with factory() as session:
        rows = session.execute(
            select(
                OutboxTally.name,
                func.sum(case((status.in_(service.WAITING), 1), else_=0)),
                func.sum(case((status == OutboxStatus.SENT, 1), else_=0)),
                func.sum(case((OutboxMessage.delivered_at.is_not(None), 1), else_=0)),
                func.sum(case((status == OutboxStatus.DEAD, 1), else_=0)),
            )
            .join(OutboxTally, OutboxTally.id == OutboxMessage.tally_id)
            .group_by(OutboxTally.name)
        ).all()
    recounted = {name: tallies.TallyFigures(*map(int, counts)) for name, *counts in rows}
    return {name: recounted.get(name, tallies.TallyFigures(0, 0, 0, 0)) for name in NAMES}


def _figures(factory: SessionFactory) -> dict[str, tuple[int, int, int, int]]:
    kept = _kept(factory)
    assert kept == _recounted(factory)
    return {name: (f.waiting, f.sent, f.delivered, f.dead) for name, f in kept.items()}


def _dispatch(factory: SessionFactory, channels: dict[str, Channel]) -> None:
    make_due(factory)
    dispatch_once(factory, channels=channels, worker_id="w1", policy=POLICY)


def _on_postgresql_only(factory: SessionFactory) -> None:
    with factory() as session:
        if session.get_bind().dialect.name != "postgresql":
            pytest.skip("concurrent writers need PostgreSQL; SQLite takes one at a time")


def _provider_ids(factory: SessionFactory) -> dict[str, str]:
    return {m.idempotency_key: m.provider_message_id or "" for m in outbox(factory)}


def test_a_tally_follows_its_messages_through_every_state_once(
    session_factory: SessionFactory, sandboxes: SandboxHandles, channels: dict[str, Channel]
) -> None:
    messages: list[tuple[str, str | None, str]]
    messages = [(f"a{i}", "test:alpha", f"+6281234567{i:03d}") for i in range(4)]
    messages += [("b0", "test:beta", "0812-not-e164"), ("b1", "test:beta", "+6281299999999")]
    messages += [("untallied", None, "+6281288888888")]
    assert _queue(session_factory, messages) == 7
    assert _queue(session_factory, messages) == 0  # a replayed fan-out queues nothing twice
    with session_factory() as session:
        assert session.scalar(select(func.count()).select_from(OutboxTally)) == 2
    assert _figures(session_factory) == {"test:alpha": (4, 0, 0, 0), "test:beta": (2, 0, 0, 0)}

    _dispatch(session_factory, channels)  # b0 is refused: dead at once
    assert _figures(session_factory) == {"test:alpha": (0, 4, 0, 0), "test:beta": (0, 1, 0, 1)}

    sent_as = _provider_ids(session_factory)
    delivered = [Receipt(sent_as[key], utcnow()) for key in ("a0", "a1", "b1")]
    with session_factory() as session, session.begin():
        assert receipts.record(session, channel="sms", receipts=delivered) == 3
        assert receipts.record(session, channel="sms", receipts=delivered) == 0  # again
        failed = [SmsReport(sent_as["a2"], "failed"), SmsReport(sent_as["a0"], "failed")]
        assert receipts.record_sms_reports(session, failed) == 1  # a0 was delivered already
    assert _figures(session_factory) == {"test:alpha": (0, 3, 2, 1), "test:beta": (0, 1, 1, 1)}

    with session_factory() as session, session.begin():
        assert dead_letters.retry(session, message_id=None, channel="sms") == 2
    assert _figures(session_factory) == {"test:alpha": (1, 3, 2, 0), "test:beta": (1, 1, 1, 0)}

    _dispatch(session_factory, channels)  # a2 goes out again; b0 is refused again
    assert _figures(session_factory) == {"test:alpha": (0, 4, 2, 0), "test:beta": (0, 1, 1, 1)}


def test_failures_and_orphans_count_dead_only_after_the_last_attempt(
    session_factory: SessionFactory, sandboxes: SandboxHandles, channels: dict[str, Channel]
) -> None:
    _queue(session_factory, [(f"a{i}", "test:alpha", f"+6281234567{i:03d}") for i in range(3)])
    _queue(session_factory, [("b0", "test:beta", "+6281299999999")])
    sandboxes.sms.faults.failure_rate = 1.0
    _dispatch(session_factory, channels)  # the first of two attempts: tried again later
    assert _figures(session_factory) == {"test:alpha": (3, 0, 0, 0), "test:beta": (1, 0, 0, 0)}
    held_by_a_dead_worker(session_factory, "b0", lease_seconds=POLICY.lease_seconds)

    _dispatch(session_factory, channels)  # the last attempt of the alphas; b0 reclaimed dead

    assert _figures(session_factory) == {"test:alpha": (0, 0, 0, 3), "test:beta": (0, 0, 0, 1)}


def test_receipts_racing_for_the_same_messages_count_each_delivery_once(
    session_factory: SessionFactory, sandboxes: SandboxHandles, channels: dict[str, Channel]
) -> None:
    _on_postgresql_only(session_factory)
    total = 120
    _queue(session_factory, [(f"a{i}", "test:alpha", f"+6281234{i:05d}") for i in range(total)])
    _dispatch(session_factory, channels)
    delivered = [
        Receipt(provider_id, utcnow()) for provider_id in _provider_ids(session_factory).values()
    ]
    racers = 3
    barrier = threading.Barrier(racers)

    def report() -> None:  # the gateway reporting the same batch again, at the same moment
        with session_factory() as session, session.begin():
            barrier.wait()
            receipts.record(session, channel="sms", receipts=delivered)

    threads = [threading.Thread(target=report) for _ in range(racers)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    assert _figures(session_factory)["test:alpha"] == (0, total, total, 0)


def test_a_tally_s_writers_never_wait_for_one_another(
    session_factory: SessionFactory, sandboxes: SandboxHandles, channels: dict[str, Channel]
) -> None:
    _on_postgresql_only(session_factory)
    _queue(session_factory, [("a0", "test:alpha", "+6281234567000")])
    _dispatch(session_factory, channels)
    with session_factory() as session:
        tally_id = session.scalar(select(OutboxTally.id).where(OutboxTally.name == "test:alpha"))
    receipt = [Receipt(_provider_ids(session_factory)["a0"], utcnow())]
    fan_out = session_factory()  # a run of a fan-out, still writing, has added to the tally
    try:
        tallies.add(fan_out, "queued", [tally_id] * 50_000)
        with session_factory() as session, session.begin():  # a receipt meanwhile
            session.execute(text("SET LOCAL lock_timeout = '2s'"))
            assert receipts.record(session, channel="sms", receipts=receipt) == 1
    finally:
        fan_out.rollback()
        fan_out.close()
    assert _figures(session_factory)["test:alpha"] == (0, 1, 1, 0)
