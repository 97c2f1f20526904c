"""The Telegram Bot API adapter against the sandbox Bot API: sending, 429 with its
``retry_after``, 5xx, a chat that blocked the bot, and nothing lost or sent twice."""

from __future__ import annotations

from collections.abc import Iterator

import httpx
import pytest

from peduli.core.db import utcnow
from peduli.notify import service
from peduli.notify.channels.telegram_bot import TelegramBotChannel
from peduli.notify.dispatcher import dispatch_once
from peduli.notify.models import OutboxStatus
from peduli.notify.outcomes import RetryPolicy
from peduli.notify.sandbox import SandboxHandles
from tests.notify.notify_helpers import SessionFactory, make_due, outbox, received

POLICY = RetryPolicy(max_attempts=5, base_seconds=60)


@pytest.fixture
def telegram(sandboxes: SandboxHandles) -> Iterator[TelegramBotChannel]:
    channel = TelegramBotChannel(api_url=sandboxes.telegram_url, token="sandbox", timeout=2.0)
    yield channel
    channel.close()


def _enqueue(factory: SessionFactory, count: int, *, first_chat: int = 700100) -> None:
    with factory() as session, session.begin():
        for i in range(count):
            service.enqueue(
                session,
                channel="telegram",
                recipient=str(first_chat + i),
                subject="",
                body=f"Peringatan banjir {i}",
                idempotency_key=f"tg:{i}",
            )


def _dispatch(factory: SessionFactory, channel: TelegramBotChannel) -> int:
    return dispatch_once(factory, channels={"telegram": channel}, worker_id="w", policy=POLICY)


def test_messages_reach_the_chats_with_their_provider_ids(
    session_factory: SessionFactory, telegram: TelegramBotChannel
) -> None:
    _enqueue(session_factory, 3)

    assert _dispatch(session_factory, telegram) == 3

    rows = outbox(session_factory)
    assert {row.status for row in rows} == {OutboxStatus.SENT}
    got = {m.idempotency_key: m for m in received(session_factory, "telegram")}
    assert sorted(got) == ["tg:0", "tg:1", "tg:2"]
    assert got["tg:1"].recipient == "700101" and got["tg:1"].body == "Peringatan banjir 1"
    # A message id is unique within its chat only: the provider id names both.
    assert {row.provider_message_id for row in rows} == {
        f"{m.recipient}:{m.id}" for m in got.values()
    }


def test_a_short_429_is_waited_out_inline_and_each_message_arrives_once(
    session_factory: SessionFactory, sandboxes: SandboxHandles, telegram: TelegramBotChannel
) -> None:
    _enqueue(session_factory, 2)
    sandboxes.telegram.faults.fail_next(1, status=429, retry_after=0)

    _dispatch(session_factory, telegram)

    assert {row.status for row in outbox(session_factory)} == {OutboxStatus.SENT}
    assert [m.deliveries for m in received(session_factory, "telegram")] == [1, 1]


def test_a_long_429_hands_the_whole_batch_back_for_after_its_retry_after(
    session_factory: SessionFactory, sandboxes: SandboxHandles, telegram: TelegramBotChannel
) -> None:
    _enqueue(session_factory, 4)
    sandboxes.telegram.faults.fail_next(1, status=429, retry_after=120)
    before = utcnow()

    _dispatch(session_factory, telegram)

    rows = outbox(session_factory)
    assert {row.status for row in rows} == {OutboxStatus.FAILED}
    # The bot's flood wait is honoured for every message, not only the refused one.
    assert all((row.next_attempt_at - before).total_seconds() >= 119 for row in rows)
    assert "retry after 120" in (rows[0].last_error or "")
    assert received(session_factory, "telegram") == []

    make_due(session_factory)
    _dispatch(session_factory, telegram)
    assert {row.status for row in outbox(session_factory)} == {OutboxStatus.SENT}
    assert len(received(session_factory, "telegram")) == 4


def test_a_server_error_is_retried_later_and_nothing_is_lost(
    session_factory: SessionFactory, sandboxes: SandboxHandles, telegram: TelegramBotChannel
) -> None:
    _enqueue(session_factory, 2)
    sandboxes.telegram.faults.fail_next(3, status=502)  # every inline try of the first

    _dispatch(session_factory, telegram)
    statuses = {row.idempotency_key: row.status for row in outbox(session_factory)}
    assert statuses == {"tg:0": OutboxStatus.FAILED, "tg:1": OutboxStatus.SENT}

    make_due(session_factory)
    _dispatch(session_factory, telegram)
    assert {row.status for row in outbox(session_factory)} == {OutboxStatus.SENT}
    assert sorted(m.idempotency_key for m in received(session_factory, "telegram")) == [
        "tg:0",
        "tg:1",
    ]


def test_a_chat_that_blocked_the_bot_is_dead_and_the_others_are_sent(
    session_factory: SessionFactory, sandboxes: SandboxHandles, telegram: TelegramBotChannel
) -> None:
    _enqueue(session_factory, 3)
    sandboxes.telegram.blocked_chats.add("700101")

    _dispatch(session_factory, telegram)

    rows = {row.idempotency_key: row for row in outbox(session_factory)}
    assert rows["tg:1"].status is OutboxStatus.DEAD
    assert "403" in (rows["tg:1"].last_error or "")
    assert "blocked" in (rows["tg:1"].last_error or "")
    assert {rows["tg:0"].status, rows["tg:2"].status} == {OutboxStatus.SENT}


def test_a_wrong_bot_token_is_a_permanent_failure(
    session_factory: SessionFactory, sandboxes: SandboxHandles
) -> None:
    _enqueue(session_factory, 1)
    channel = TelegramBotChannel(api_url=sandboxes.telegram_url, token="wrong", timeout=2.0)

    _dispatch(session_factory, channel)
    channel.close()

    (row,) = outbox(session_factory)
    assert row.status is OutboxStatus.DEAD
    assert "401" in (row.last_error or "")


def test_the_sandbox_refuses_an_empty_text_as_the_bot_api_does(sandboxes: SandboxHandles) -> None:
    answer = httpx.post(
        f"{sandboxes.telegram_url}/botsandbox/sendMessage", json={"chat_id": 5, "text": " "}
    )
    assert answer.status_code == 400
    assert answer.json() == {
        "ok": False,
        "error_code": 400,
        "description": "Bad Request: message text is empty",
    }
