"""The HTTP SMS adapter against the real sandbox gateway."""

from __future__ import annotations

from peduli.notify.channels.sms_http import HttpSmsChannel
from peduli.notify.ports import DeliveryStatus, OutboundMessage
from peduli.notify.sandbox import SandboxHandles


def _messages(count: int) -> list[OutboundMessage]:
    return [
        OutboundMessage(
            id=i,
            channel="sms",
            recipient=f"+62812{i:07d}",
            subject="",
            body=f"Pesan {i}",
            idempotency_key=f"k{i}",
        )
        for i in range(count)
    ]


def test_large_sends_are_split_into_gateway_batches(sandboxes: SandboxHandles) -> None:
    channel = HttpSmsChannel(url=sandboxes.sms_url, token="sandbox", timeout=2.0, batch_size=50)
    try:
        results = channel.send(_messages(120))
    finally:
        channel.close()

    assert len(results) == 120
    assert {r.status for r in results} == {DeliveryStatus.SENT}
    assert len({r.provider_message_id for r in results}) == 120


def test_a_wrong_token_is_final_and_says_so(sandboxes: SandboxHandles) -> None:
    channel = HttpSmsChannel(url=sandboxes.sms_url, token="wrong", timeout=2.0)
    try:
        results = channel.send(_messages(2))
    finally:
        channel.close()

    assert {r.status for r in results} == {DeliveryStatus.REJECTED}
    assert all("401" in (r.error or "") for r in results)
