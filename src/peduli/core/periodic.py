"""Periodic work (SLA checks, escalations, reminders) run by ``peduli worker``.

Timers live in the database, never in a process: a domain stores *when* something is due
(``sla_due_at``, ``escalate_at``…) on its own rows, and its task is one set-based,
conditional statement over the due rows (``UPDATE … WHERE due_at <= now AND escalated_at
IS NULL``). Such a task is idempotent: two workers running it at once, or a worker
restarted half-way, never double an escalation and never miss one.

A worker runs the tasks in lanes beside its outbox's loop, each a thread of its own
(``run_lane``): the prompt tasks together, each slow one (``PeriodicTask.slow``) alone, and
the urgent ones (``PeriodicTask.urgent``) with the urgent messages.

On top of that, each task has a row in ``periodic_task_run`` whose ``next_run_at`` a worker
advances with one conditional UPDATE before running the task; only the worker whose UPDATE
matched runs it, so with any number of workers a task runs about once per interval.
"""

from __future__ import annotations

import threading
from collections.abc import Callable, Sequence
from dataclasses import dataclass
from datetime import datetime, timedelta

from sqlalchemy import Integer, String, insert, select, update
from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Mapped, Session, mapped_column

from peduli.core.db import Base, utcnow
from peduli.core.logging import get_logger

log = get_logger(__name__)

SessionFactory = Callable[[], Session]


@dataclass(frozen=True)
class PeriodicTask:
    """Work to repeat every ``every_seconds``.

    ``run(session, now)`` does one round in the given transaction (the caller commits) and
    returns how many items it handled, for the log. It must be safe to run twice at once.
    A task too big for one transaction (a retention purge over millions of rows) gives
    ``run_batched(session_factory, now)`` instead and opens one transaction per batch.
    """

    name: str
    every_seconds: float
    run: Callable[[Session, datetime], int] | None = None
    run_batched: Callable[[SessionFactory, datetime], int] | None = None
    # May run for minutes (millions of rows, or outside systems that answer slowly): run in
    # the worker's slow lane, so that the prompt tasks (a crisis call for help paging the
    # duty officer, the statistics' tally) and the outbox never wait behind it.
    slow: bool = False
    # A life depends on it within seconds (a crisis's call for help, its page to the duty
    # officer): run in the worker's urgent lane, several times a second, never behind an
    # outbox batch of a million-person broadcast.
    urgent: bool = False


class PeriodicTaskRun(Base):
    """When each periodic task is next due, and who ran it last (for operators)."""

    __tablename__ = "periodic_task_run"

    name: Mapped[str] = mapped_column(String(100), primary_key=True)
    next_run_at: Mapped[datetime]
    last_run_at: Mapped[datetime | None]
    last_run_by: Mapped[str | None] = mapped_column(String(100))
    last_handled: Mapped[int] = mapped_column(Integer, default=0)
    last_error: Mapped[str | None] = mapped_column(String(500))


def run_due_tasks(
    session_factory: SessionFactory,
    tasks: Sequence[PeriodicTask],
    *,
    worker_id: str,
    now: datetime | None = None,
) -> int:
    """Run every task that is due and that no other worker took first; returns items handled.

    A failing task is logged with its error and tried again at its next interval; it never
    stops the worker or the other tasks.
    """
    handled = 0
    for task in tasks:
        moment = now or utcnow()
        if not _take_turn(session_factory, task, worker_id=worker_id, now=moment):
            continue
        handled += _run_one(session_factory, task, worker_id=worker_id, now=moment)
    return handled


def run_lane(
    session_factory: SessionFactory,
    tasks: Sequence[PeriodicTask],
    *,
    worker_id: str,
    stop: threading.Event,
    idle_seconds: float,
    after_round: Callable[[], object] | None = None,
) -> None:
    """Run the due ``tasks`` again and again until ``stop`` is set, pausing ``idle_seconds``
    between rounds, each round followed by ``after_round`` (the urgent lane sends what its
    tasks queued). A failing database is logged and tried again after the pause: the lane
    outlives a database restart, as the outbox's loop does."""
    while not stop.is_set():
        try:
            run_due_tasks(session_factory, tasks, worker_id=worker_id)
            if after_round is not None:
                after_round()
        except Exception:
            log.exception("periodic lane failed; trying again", worker_id=worker_id)
        stop.wait(idle_seconds)


def _take_turn(
    session_factory: SessionFactory, task: PeriodicTask, *, worker_id: str, now: datetime
) -> bool:
    """Advance the task's ``next_run_at`` if it is due; True when this worker got the turn."""
    next_run_at = now + timedelta(seconds=task.every_seconds)
    with session_factory() as session, session.begin():
        result = session.execute(
            update(PeriodicTaskRun)
            .where(PeriodicTaskRun.name == task.name, PeriodicTaskRun.next_run_at <= now)
            .values(next_run_at=next_run_at, last_run_by=worker_id)
            .execution_options(synchronize_session=False)
        )
        if getattr(result, "rowcount", 0):
            return True
        exists = session.scalar(
            select(PeriodicTaskRun.name).where(PeriodicTaskRun.name == task.name)
        )
    if exists is not None:
        return False
    return _first_turn(session_factory, task, worker_id=worker_id, next_run_at=next_run_at)


def _first_turn(
    session_factory: SessionFactory, task: PeriodicTask, *, worker_id: str, next_run_at: datetime
) -> bool:
    """The task has never run anywhere: whoever inserts its row runs it."""
    try:
        with session_factory() as session, session.begin():
            session.execute(
                insert(PeriodicTaskRun).values(
                    name=task.name, next_run_at=next_run_at, last_run_by=worker_id
                )
            )
    except IntegrityError:
        return False
    return True


def _run_one(
    session_factory: SessionFactory, task: PeriodicTask, *, worker_id: str, now: datetime
) -> int:
    error: str | None = None
    handled = 0
    try:
        if task.run_batched is not None:
            handled = task.run_batched(session_factory, now)
        else:
            assert task.run is not None, f"periodic task {task.name} has nothing to run"
            with session_factory() as session, session.begin():
                handled = task.run(session, now)
    except Exception as exc:  # a task's bug must not stop the worker
        log.exception("periodic task failed", task=task.name, worker_id=worker_id)
        error = f"{type(exc).__name__}: {exc}"[:500]
    with session_factory() as session, session.begin():
        session.execute(
            update(PeriodicTaskRun)
            .where(PeriodicTaskRun.name == task.name)
            .values(last_run_at=now, last_handled=handled, last_error=error)
            .execution_options(synchronize_session=False)
        )
    if handled:
        log.info("periodic task ran", task=task.name, handled=handled, worker_id=worker_id)
    return handled
