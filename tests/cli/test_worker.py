"""``peduli worker``: a slow periodic task runs in a lane of its own, so the prompt tasks keep
their pace while it works for minutes; and the urgent lane pages the duty officer while the
outbox's loop is deep in a broadcast."""

from __future__ import annotations

import threading
import time
from collections.abc import Sequence
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from peduli.cli.worker import work_until_stopped
from peduli.core.db import session_scope
from peduli.core.periodic import PeriodicTask, SessionFactory
from peduli.jobs import PERIODIC_TASKS
from peduli.notify.models import MessagePriority
from peduli.notify.ports import DeliveryResult, DeliveryStatus, OutboundMessage
from peduli.notify.service import enqueue


def test_prompt_tasks_keep_running_while_a_slow_task_is_busy(clean_engine: Engine) -> None:
    slow_started = threading.Event()
    release = threading.Event()
    prompt_runs: list[float] = []

    def import_for_minutes(_factory: SessionFactory, _now: datetime) -> int:
        slow_started.set()
        release.wait(timeout=30)
        return 1

    def page_the_duty_officer(_session: Session, _now: datetime) -> int:
        prompt_runs.append(time.monotonic())
        return 0

    tasks = (
        PeriodicTask("slow-import", 0, run_batched=import_for_minutes, slow=True),
        PeriodicTask("prompt-alert", 0, run=page_the_duty_officer),
    )
    stop = threading.Event()
    worker = threading.Thread(
        target=lambda: work_until_stopped(stop, channels={}, worker_id="w", tasks=tasks)
    )
    worker.start()
    try:
        assert slow_started.wait(timeout=10)
        busy_since = time.monotonic()
        deadline = busy_since + 10
        while len([t for t in prompt_runs if t > busy_since]) < 3 and time.monotonic() < deadline:
            time.sleep(0.05)
        assert len([t for t in prompt_runs if t > busy_since]) >= 3, "held back by the import"
        assert not release.is_set()  # the slow task was busy the whole time
    finally:
        release.set()
        stop.set()
        worker.join(timeout=30)
    assert not worker.is_alive()


def test_the_platform_s_long_tasks_are_the_slow_ones() -> None:
    """The tasks that chew through millions of rows or wait on outside systems."""
    slow = {task.name for task in PERIODIC_TASKS if task.slow}
    assert slow == {
        "agency-checks", "work-agency-imports", "refresh-licensed-agencies", "fetch-chat-media",
        "publish-open-data", "purge-past-retention", "crisis-send-broadcasts",
        "crisis-follow-delivery",
    }  # fmt: skip
    assert {"alert-crisis-calls-for-help", "stats-citizens"}.isdisjoint(slow)


class _BroadcastGateway:
    """An SMS gateway that holds a broadcast's batch until released (a million messages
    take minutes), and takes a page to the duty officer at once."""

    def __init__(self) -> None:
        self.release = threading.Event()
        self.broadcast_in_hand = threading.Event()
        self.delivered: list[str] = []

    def send(self, messages: Sequence[OutboundMessage]) -> list[DeliveryResult]:
        if any(m.idempotency_key.startswith("crisis:") for m in messages):
            self.broadcast_in_hand.set()
            self.release.wait(timeout=30)
        self.delivered += [m.idempotency_key for m in messages]
        return [DeliveryResult(m.id, DeliveryStatus.SENT) for m in messages]


def _queue(priority: MessagePriority, key: str) -> None:
    with session_scope() as session:
        enqueue(
            session, channel="sms", recipient="+6281234567890", subject="", body=key,
            idempotency_key=key, priority=priority,
        )  # fmt: skip


def test_a_page_to_the_duty_officer_never_waits_for_a_broadcast_batch(
    clean_engine: Engine,
) -> None:
    """The urgent lane sends it while the outbox's loop is still in a broadcast's batch."""
    gateway = _BroadcastGateway()
    _queue(MessagePriority.CRISIS_NEAREST, "crisis:1:sms")
    stop = threading.Event()
    worker = threading.Thread(
        target=lambda: work_until_stopped(stop, channels={"sms": gateway}, worker_id="w", tasks=())
    )
    worker.start()
    try:
        assert gateway.broadcast_in_hand.wait(timeout=10)
        _queue(MessagePriority.EMERGENCY_ALERT, "emergency:1:step:0:duty")
        deadline = time.monotonic() + 5
        while "emergency:1:step:0:duty" not in gateway.delivered and time.monotonic() < deadline:
            time.sleep(0.05)
        assert gateway.delivered == ["emergency:1:step:0:duty"]  # the broadcast still held
    finally:
        gateway.release.set()
        stop.set()
        worker.join(timeout=30)
    assert not worker.is_alive()


def test_the_outbox_keeps_sending_while_a_prompt_task_is_busy(clean_engine: Engine) -> None:
    """A statistics tally catching up on a million new people must not hold a broadcast."""
    busy, release = threading.Event(), threading.Event()

    def tally_for_a_minute(_session: Session, _now: datetime) -> int:
        busy.set()
        release.wait(timeout=30)
        return 0

    gateway = _BroadcastGateway()
    gateway.release.set()  # the gateway takes everything at once
    stop = threading.Event()
    tasks = (PeriodicTask("stats-tally", 0, run=tally_for_a_minute),)
    worker = threading.Thread(
        target=lambda: work_until_stopped(
            stop, channels={"sms": gateway}, worker_id="w", tasks=tasks
        )
    )
    worker.start()
    try:
        assert busy.wait(timeout=10)
        _queue(MessagePriority.CRISIS_NEAREST, "crisis:2:sms")
        deadline = time.monotonic() + 5
        while not gateway.delivered and time.monotonic() < deadline:
            time.sleep(0.05)
        assert gateway.delivered == ["crisis:2:sms"]
        assert not release.is_set()
    finally:
        release.set()
        stop.set()
        worker.join(timeout=30)
    assert not worker.is_alive()


def test_the_calls_for_help_and_their_pages_are_the_urgent_tasks() -> None:
    urgent = [task.name for task in PERIODIC_TASKS if task.urgent]
    # Raised first, so the page goes out in the same round.
    assert urgent == ["crisis-raise-calls-for-help", "alert-crisis-calls-for-help"]
    assert not any(task.urgent and task.slow for task in PERIODIC_TASKS)
