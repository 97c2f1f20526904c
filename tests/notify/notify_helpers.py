"""Reading the outbox and the sandboxes from tests, each read in a session of its own."""

from __future__ import annotations

from collections.abc import Callable

from sqlalchemy import select, update
from sqlalchemy.orm import Session

from peduli.notify.models import OutboxMessage, SandboxMessage

SessionFactory = Callable[[], Session]


def outbox(factory: SessionFactory) -> list[OutboxMessage]:
    """Every outbox row, read in a session of its own (SQLite allows one writer at a time)."""
    with factory() as session:
        return list(session.scalars(select(OutboxMessage).order_by(OutboxMessage.id)))


def recipients(factory: SessionFactory) -> set[str]:
    """Every outbox row's recipient in clear (the column holds them encrypted)."""
    from peduli.notify.service import open_recipient

    return {open_recipient(row.channel, row.recipient) for row in outbox(factory)}


def received(factory: SessionFactory, channel: str) -> list[SandboxMessage]:
    """What one sandbox received, oldest first."""
    with factory() as session:
        query = select(SandboxMessage).where(SandboxMessage.channel == channel)
        return list(session.scalars(query.order_by(SandboxMessage.id)))


def make_due(factory: SessionFactory) -> None:
    """Let every waiting retry happen now, as if its back-off had passed."""
    from peduli.core.db import utcnow

    with factory() as session, session.begin():
        session.execute(update(OutboxMessage).values(next_attempt_at=utcnow()))


def held_by_a_dead_worker(factory: SessionFactory, key: str, *, lease_seconds: float) -> None:
    """The message ``key`` claimed by a worker that died mid-send, its lease run out."""
    from datetime import timedelta

    from peduli.core.db import utcnow
    from peduli.notify.models import OutboxStatus

    with factory() as session, session.begin():
        session.execute(
            update(OutboxMessage)
            .where(OutboxMessage.idempotency_key == key)
            .values(
                status=OutboxStatus.SENDING,
                claimed_by="crashed-worker",
                claimed_at=utcnow() - timedelta(seconds=lease_seconds + 1),
                attempts=OutboxMessage.attempts + 1,
            )
        )


def bulk_enqueue(
    factory: SessionFactory, count: int, *, channel: str = "sms", tag: str = "m"
) -> None:
    """``count`` messages to distinct phones in one executemany, as a fan-out would write."""
    from sqlalchemy import insert

    from peduli.notify.service import seal_recipient

    with factory() as session, session.begin():
        session.execute(
            insert(OutboxMessage),
            [
                {
                    "channel": channel,
                    "recipient": seal_recipient(channel, f"+62815{i:07d}"),
                    "subject": "",
                    "body": f"Peringatan dini {i}",
                    "idempotency_key": f"{tag}:{i}",
                }
                for i in range(count)
            ],
        )


class WorkerProcess:
    """A real ``peduli worker`` process; ``ready`` is set once it logged that it started."""

    def __init__(self, env: dict[str, str]) -> None:
        import subprocess
        import sys
        import threading

        command = [sys.executable, "-c", "from peduli.cli.main import app; app()", "worker"]
        self.process = subprocess.Popen(
            command,
            env=env,
            stdout=subprocess.PIPE,
            stderr=subprocess.STDOUT,
            text=True,
        )
        self.ready = threading.Event()
        threading.Thread(target=self._read_log, daemon=True).start()

    def _read_log(self) -> None:
        assert self.process.stdout is not None
        for line in self.process.stdout:
            if "worker started" in line:
                self.ready.set()

    def wait_ready(self, timeout: float = 120) -> None:
        """Block until the worker delivers (imports take seconds on a busy machine)."""
        if not self.ready.wait(timeout):
            self.process.kill()
            raise AssertionError("the worker did not start")

    def kill(self) -> None:
        """SIGKILL: no cleanup, the batch in hand is left as it is."""
        import signal

        self.process.send_signal(signal.SIGKILL)
        self.process.wait(timeout=30)

    def stop(self) -> None:
        """SIGTERM: finish the batch in hand, then exit."""
        self.process.terminate()
        self.process.wait(timeout=60)


def worker_env(sms_url: str, **settings: object) -> dict[str, str]:
    """The environment of a worker process on the test database, pointed at the sandbox."""
    import os

    env = dict(os.environ)
    env |= {
        "PEDULI_SMS_GATEWAY_URL": sms_url,
        "PEDULI_LOG_LEVEL": "INFO",
        "PEDULI_ENVIRONMENT": "test",
    }
    env |= {f"PEDULI_{name.upper()}": str(value) for name, value in settings.items()}
    return env
