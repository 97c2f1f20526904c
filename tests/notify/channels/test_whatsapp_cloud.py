"""The WhatsApp Cloud API adapter against the sandbox API, one by one and in Graph batches."""

from __future__ import annotations

import httpx
import pytest

from peduli.notify import service
from peduli.notify.channels.whatsapp_cloud import WhatsAppCloudChannel
from peduli.notify.dispatcher import dispatch_once
from peduli.notify.models import OutboxStatus
from peduli.notify.outcomes import RetryPolicy
from peduli.notify.ports import Channel
from peduli.notify.sandbox import SandboxHandles
from tests.notify.notify_helpers import SessionFactory, make_due, outbox, received

POLICY = RetryPolicy(max_attempts=3, base_seconds=60)


def _enqueue(factory: SessionFactory, count: int, *, recipient: str = "+62812{i:07d}") -> None:
    with factory() as session, session.begin():
        for i in range(count):
            service.enqueue(
                session,
                channel="whatsapp",
                recipient=recipient.format(i=i),
                subject="",
                body=f"Peringatan gempa {i}",
                idempotency_key=f"wa:{i}",
            )


@pytest.mark.parametrize("batch_size", [1, 50])
def test_messages_reach_the_sandbox_api_one_by_one_or_batched(
    session_factory: SessionFactory, sandboxes: SandboxHandles, batch_size: int
) -> None:
    _enqueue(session_factory, 7)
    channel = WhatsAppCloudChannel(
        api_url=sandboxes.whatsapp_url,
        token="sandbox",
        timeout=2.0,
        default_sender="100000000001",
        batch_size=batch_size,
    )

    assert dispatch_once(session_factory, channels={"whatsapp": channel}, worker_id="w") == 7

    rows = outbox(session_factory)
    assert {row.status for row in rows} == {OutboxStatus.SENT}
    assert all(row.provider_message_id.startswith("wamid.") for row in rows)
    got = received(session_factory, "whatsapp")
    assert sorted(m.idempotency_key for m in got) == sorted(f"wa:{i}" for i in range(7))
    assert {m.sender for m in got} == {"100000000001"}
    assert got[0].recipient.startswith("+62812")


def test_a_refused_number_is_dead_and_the_rest_of_the_batch_is_sent(
    session_factory: SessionFactory, channels: dict[str, Channel]
) -> None:
    _enqueue(session_factory, 3)
    _enqueue(session_factory, 1, recipient="not-a-number")  # key wa:0 again: ignored
    with session_factory() as session, session.begin():
        service.enqueue(
            session,
            channel="whatsapp",
            recipient="0812",
            subject="",
            body="x",
            idempotency_key="wa:bad",
        )

    dispatch_once(session_factory, channels=channels, worker_id="w", policy=POLICY)

    rows = {row.idempotency_key: row for row in outbox(session_factory)}
    assert rows["wa:bad"].status is OutboxStatus.DEAD
    assert "country code" in (rows["wa:bad"].last_error or "")
    assert {rows[f"wa:{i}"].status for i in range(3)} == {OutboxStatus.SENT}


def test_an_api_outage_is_retried_later_and_delivered_once(
    session_factory: SessionFactory, sandboxes: SandboxHandles, channels: dict[str, Channel]
) -> None:
    _enqueue(session_factory, 5)
    sandboxes.whatsapp.faults.fail_next(3, status=503)

    dispatch_once(session_factory, channels=channels, worker_id="w", policy=POLICY)
    assert {row.status for row in outbox(session_factory)} == {OutboxStatus.FAILED}

    make_due(session_factory)
    dispatch_once(session_factory, channels=channels, worker_id="w", policy=POLICY)
    assert {row.status for row in outbox(session_factory)} == {OutboxStatus.SENT}
    assert len(received(session_factory, "whatsapp")) == 5


def test_a_wrong_token_is_a_permanent_failure(
    session_factory: SessionFactory, sandboxes: SandboxHandles
) -> None:
    _enqueue(session_factory, 1)
    channel = WhatsAppCloudChannel(
        api_url=sandboxes.whatsapp_url, token="wrong", timeout=2.0, default_sender="1"
    )

    dispatch_once(session_factory, channels={"whatsapp": channel}, worker_id="w", policy=POLICY)

    (row,) = outbox(session_factory)
    assert row.status is OutboxStatus.DEAD
    assert "401" in (row.last_error or "")


def test_the_sandbox_answers_a_graph_batch_in_order(sandboxes: SandboxHandles) -> None:
    message = (
        '{"messaging_product": "whatsapp", "to": "6281234567890", "type": "text", '
        '"text": {"body": "hi"}, "biz_opaque_callback_data": "k1"}'
    )
    answer = httpx.post(
        sandboxes.whatsapp_url + "/",
        headers={"Authorization": "Bearer sandbox"},
        json={
            "batch": [
                {"method": "POST", "relative_url": "555/messages", "body": message},
                {"method": "POST", "relative_url": "555/messages", "body": "{}"},
            ]
        },
    )
    assert answer.status_code == 200
    first, second = answer.json()
    assert first["code"] == 200 and "wamid." in first["body"]
    assert second["code"] == 400 and "messaging_product" in second["body"]


def test_a_template_row_goes_out_as_a_template_message(
    session_factory: SessionFactory, channels: dict[str, Channel]
) -> None:
    with session_factory() as session, session.begin():
        service.enqueue(
            session,
            channel="whatsapp",
            recipient="+6281234567890",
            subject=service.template_subject("reopen", "zh"),
            body="这里是印度尼西亚代表机构……",
            idempotency_key="wa:template",
        )
    dispatch_once(session_factory, channels=channels, worker_id="w", policy=POLICY)
    assert {row.status for row in outbox(session_factory)} == {OutboxStatus.SENT}
    assert [m.body for m in received(session_factory, "whatsapp")] == ["[template reopen (zh)]"]
