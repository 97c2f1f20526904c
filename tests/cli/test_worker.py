"""``peduli worker``: a slow periodic task runs in a lane of its own, so the prompt tasks (a
crisis call for help paging the duty officer) keep their pace while it works for minutes."""

from __future__ import annotations

import threading
import time
from datetime import datetime

from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from peduli.cli.worker import work_until_stopped
from peduli.core.periodic import PeriodicTask, SessionFactory
from peduli.jobs import PERIODIC_TASKS


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
        "publish-open-data", "purge-past-retention",
    }  # fmt: skip
    assert {"alert-crisis-calls-for-help", "stats-citizens"}.isdisjoint(slow)
