"""The urgent lane's send: only the urgent rungs, and only on channels that hold any."""

from __future__ import annotations

from peduli.notify import service
from peduli.notify.dispatcher import dispatch_urgent
from peduli.notify.models import MessagePriority, OutboxStatus
from peduli.notify.outcomes import RetryPolicy
from peduli.notify.ports import Channel
from tests.notify.notify_helpers import SessionFactory, outbox

POLICY = RetryPolicy(max_attempts=3, base_seconds=60)


def _queue(factory: SessionFactory, channel: str, key: str, priority: MessagePriority) -> None:
    recipient = "siti@example.id" if channel == "email" else "+6281234567890"
    with factory() as session, session.begin():
        service.enqueue(
            session, channel=channel, recipient=recipient, subject="Peduli", body=key,
            idempotency_key=key, priority=priority,
        )  # fmt: skip


def _send_urgent(factory: SessionFactory, channels: dict[str, Channel]) -> int:
    return dispatch_urgent(
        factory, channels=channels, batch_size=50, worker_id="urgent", policy=POLICY,
        max_priority=MessagePriority.CHAT_REPLY,
    )  # fmt: skip


def test_only_the_urgent_rungs_leave(
    session_factory: SessionFactory, channels: dict[str, Channel]
) -> None:
    _queue(session_factory, "sms", "crisis:1:sms", MessagePriority.CRISIS_NEAREST)
    assert _send_urgent(session_factory, channels) == 0

    _queue(session_factory, "sms", "emergency:1:step:0:duty", MessagePriority.EMERGENCY_ALERT)
    _queue(session_factory, "email", "citizen-code:1", MessagePriority.SIGN_IN_CODE)
    assert _send_urgent(session_factory, channels) == 2

    status = {row.idempotency_key: row.status for row in outbox(session_factory)}
    assert status == {
        "crisis:1:sms": OutboxStatus.PENDING,
        "emergency:1:step:0:duty": OutboxStatus.SENT,
        "citizen-code:1": OutboxStatus.SENT,
    }
