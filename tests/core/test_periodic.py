"""Periodic tasks: due tasks run once per interval across any number of workers, and a
failing task is recorded without stopping the others."""

from __future__ import annotations

import threading
from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.engine import Engine
from sqlalchemy.orm import Session

from peduli.core import ratelimit
from peduli.core.db import get_sessionmaker, session_scope, utcnow
from peduli.core.periodic import PeriodicTask, PeriodicTaskRun, run_due_tasks
from peduli.jobs import PERIODIC_TASKS


class Counter:
    def __init__(self) -> None:
        self.calls = 0
        self.lock = threading.Lock()

    def __call__(self, _session: Session, _now: datetime) -> int:
        with self.lock:
            self.calls += 1
        return 1


def test_a_task_runs_when_due_and_not_again_within_its_interval(clean_engine: Engine) -> None:
    counter = Counter()
    task = PeriodicTask("count", 60, counter)
    start = utcnow()
    assert run_due_tasks(get_sessionmaker(), [task], worker_id="w1", now=start) == 1
    run_due_tasks(get_sessionmaker(), [task], worker_id="w2", now=start + timedelta(seconds=30))
    assert counter.calls == 1
    run_due_tasks(get_sessionmaker(), [task], worker_id="w2", now=start + timedelta(seconds=61))
    assert counter.calls == 2
    with session_scope() as db:
        run = db.scalars(select(PeriodicTaskRun)).one()
        assert (run.last_run_by, run.last_handled, run.last_error) == ("w2", 1, None)


def test_workers_racing_for_the_same_turn_run_it_once(clean_engine: Engine) -> None:
    counter = Counter()
    task = PeriodicTask("race", 60, counter)
    moment = utcnow()
    run_due_tasks(get_sessionmaker(), [task], worker_id="first", now=moment)
    later = moment + timedelta(minutes=2)
    barrier = threading.Barrier(4)

    def worker(name: str) -> None:
        barrier.wait()
        run_due_tasks(get_sessionmaker(), [task], worker_id=name, now=later)

    threads = [threading.Thread(target=worker, args=(f"w{i}",)) for i in range(4)]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert counter.calls == 2


def test_a_failing_task_is_recorded_and_the_others_still_run(clean_engine: Engine) -> None:
    def broken(_session: Session, _now: datetime) -> int:
        raise RuntimeError("the rates table is empty")

    counter = Counter()
    tasks = [PeriodicTask("broken", 60, broken), PeriodicTask("fine", 60, counter)]
    run_due_tasks(get_sessionmaker(), tasks, worker_id="w1")
    assert counter.calls == 1
    with session_scope() as db:
        run = db.get(PeriodicTaskRun, "broken")
        assert run is not None and run.last_error == "RuntimeError: the rates table is empty"


def test_the_platform_forgets_rate_limit_counters_older_than_a_day(clean_engine: Engine) -> None:
    with session_scope() as db:
        db.add(
            ratelimit.RateLimitCounter(
                key="old", window_started_at=utcnow() - timedelta(days=2), hits=3
            )
        )
        db.add(ratelimit.RateLimitCounter(key="new", window_started_at=utcnow(), hits=1))
    run_due_tasks(get_sessionmaker(), PERIODIC_TASKS, worker_id="w1")
    with session_scope() as db:
        assert db.scalars(select(ratelimit.RateLimitCounter.key)).all() == ["new"]
