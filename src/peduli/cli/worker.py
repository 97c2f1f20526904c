"""``peduli worker``: deliver the outbox through the configured channels until stopped."""

from __future__ import annotations

import os
import signal
import socket
import threading
import uuid
from collections.abc import Callable, Mapping, Sequence
from functools import partial

import typer

from peduli.agencies.channels import agency_channels
from peduli.cli.keys import require_safe_environment
from peduli.core.config import Settings, get_settings
from peduli.core.db import get_sessionmaker
from peduli.core.logging import configure_logging
from peduli.core.periodic import PeriodicTask, run_lane
from peduli.jobs import PERIODIC_TASKS
from peduli.notify import sender_pacing
from peduli.notify.channels import build_channels
from peduli.notify.dispatcher import dispatch_once, dispatch_urgent, run_worker
from peduli.notify.models import MessagePriority
from peduli.notify.outcomes import RetryPolicy
from peduli.notify.ports import Channel

# How long a stopping worker waits for its slow lanes' turns in hand.
LANE_GRACE_SECONDS = 20.0
# The urgent lane's round: its tasks when due, then the urgent messages (pages to the duty
# officer, sign-in codes, chat replies), a small batch at a time beside the outbox's loop.
URGENT_LANE_SECONDS = 0.25
URGENT_BATCH_SIZE = 50
URGENT_PRIORITY = MessagePriority.CHAT_REPLY


def register(app: typer.Typer) -> None:
    """Add ``peduli worker`` to the command line."""
    app.command("worker")(worker)


def worker(
    batch_size: int = typer.Option(
        0, "--batch-size", min=0, help="Messages per claim (0: PEDULI_NOTIFY_BATCH_SIZE)."
    ),
    once: bool = typer.Option(False, "--once", help="Deliver one batch, then exit."),
) -> None:
    """Deliver queued e-mail and SMS; stops cleanly on Ctrl-C or SIGTERM."""
    configure_logging()
    require_safe_environment()
    settings = get_settings()
    channels = worker_channels(settings)
    size = batch_size or settings.notify_batch_size
    policy = RetryPolicy.from_settings(settings)
    worker_id = new_worker_id()
    sync_configured_senders()
    try:
        if once:
            count = dispatch_once(
                get_sessionmaker(),
                channels=channels,
                batch_size=size,
                worker_id=worker_id,
                policy=policy,
            )
            typer.echo(f"processed {count} message(s)")
            return
        stop = threading.Event()
        _stop_on_signals(stop)
        work_until_stopped(stop, channels=channels, worker_id=worker_id, batch_size=size)
    finally:
        close_channels(channels)


def work_until_stopped(
    stop: threading.Event,
    *,
    channels: Mapping[str, Channel],
    worker_id: str,
    batch_size: int = 0,
    tasks: Sequence[PeriodicTask] = PERIODIC_TASKS,
) -> int:
    """Deliver the outbox and run the periodic tasks until ``stop`` is set.

    The outbox's loop does nothing else. Beside it, each in a thread: the prompt tasks
    together (a statistics tally catching up on a million new people takes a minute, and a
    broadcast must not wait for it), each slow task (``PeriodicTask.slow``) alone, so an
    import's turn or a month's open-data count holds back nothing else, and the urgent lane,
    which runs the urgent tasks (``PeriodicTask.urgent``) every ``URGENT_LANE_SECONDS`` and
    sends the messages of the urgent rungs they queue: a call for help never waits for a
    broadcast's batch. On ``stop`` the lanes finish the turn in hand (``LANE_GRACE_SECONDS``
    at most; their work is transactional and resumes).
    """
    settings = get_settings()
    session_factory = get_sessionmaker()
    idle = settings.notify_idle_seconds
    policy = RetryPolicy.from_settings(settings)
    send_urgent = partial(
        dispatch_urgent, session_factory, channels=channels, batch_size=URGENT_BATCH_SIZE,
        worker_id=worker_id, policy=policy, max_priority=URGENT_PRIORITY,
    )  # fmt: skip
    lanes = _lanes(tasks, worker_id=worker_id, stop=stop, idle=idle, send_urgent=send_urgent)
    for lane in lanes:
        lane.start()
    try:
        return run_worker(
            session_factory,
            channels=channels,
            worker_id=worker_id,
            batch_size=batch_size or settings.notify_batch_size,
            policy=policy,
            idle_seconds=idle,
            stop=stop,
        )
    finally:
        stop.set()
        for lane in lanes:
            lane.join(timeout=LANE_GRACE_SECONDS)


def _lanes(
    tasks: Sequence[PeriodicTask],
    *,
    worker_id: str,
    stop: threading.Event,
    idle: float,
    send_urgent: Callable[[], object],
) -> list[threading.Thread]:
    """A thread for each slow task, one for the prompt tasks, one for the urgent tasks and
    messages."""
    run_tasks = partial(run_lane, get_sessionmaker(), worker_id=worker_id, stop=stop)
    lanes = [
        threading.Thread(
            target=partial(run_tasks, [task], idle_seconds=idle),
            name=f"periodic:{task.name}",
            daemon=True,
        )
        for task in tasks
        if task.slow
    ]
    prompt = [task for task in tasks if not (task.slow or task.urgent)]
    lanes.append(
        threading.Thread(
            target=partial(run_tasks, prompt, idle_seconds=idle), name="prompt", daemon=True
        )
    )
    urgent = [task for task in tasks if task.urgent]
    lanes.append(
        threading.Thread(
            target=partial(
                run_tasks, urgent, idle_seconds=URGENT_LANE_SECONDS, after_round=send_urgent
            ),
            name="urgent",
            daemon=True,
        )
    )
    return lanes


def worker_channels(settings: Settings) -> dict[str, Channel]:
    """Every channel the worker delivers through: the outbox's own and the agencies'
    (webhooks, partner states), which the outbox does not know of."""
    return {**build_channels(settings), **agency_channels(settings, get_sessionmaker())}


def sync_configured_senders() -> None:
    """Write the configured senders and rate limits (``PEDULI_*_SENDERS``) to the database."""
    with get_sessionmaker()() as session, session.begin():
        sender_pacing.sync_senders(session, sender_pacing.configured_senders(get_settings()))


def new_worker_id() -> str:
    """A name for this worker that says where it runs, unique across restarts."""
    return f"{socket.gethostname()}:{os.getpid()}:{uuid.uuid4().hex[:6]}"


def _stop_on_signals(stop: threading.Event) -> None:
    """Finish the batch in hand, then stop, on SIGTERM (orchestrators) or SIGINT (Ctrl-C)."""
    for signum in (signal.SIGTERM, signal.SIGINT):
        signal.signal(signum, lambda _signum, _frame: stop.set())


def close_channels(channels: Mapping[str, Channel]) -> None:
    """Release the channels' connections (SMTP sessions, HTTP pools)."""
    for channel in channels.values():
        close = getattr(channel, "close", None)
        if callable(close):
            close()
