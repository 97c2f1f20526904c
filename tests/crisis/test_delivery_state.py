"""Each recipient row's delivery, followed from the outbox by the crisis task
(``crisis.delivery_state``), and the board that counts it."""

from __future__ import annotations

import uuid
from collections.abc import Sequence
from datetime import datetime, timedelta
from typing import Any

from sqlalchemy import select, update

from peduli.core.db import get_sessionmaker, session_scope, utcnow
from peduli.crisis import delivery_state
from peduli.crisis.models import Recipient
from peduli.notify.dispatcher import dispatch_once
from peduli.notify.models import OutboxMessage, OutboxStatus
from peduli.notify.ports import DeliveryResult, DeliveryStatus, OutboundMessage
from peduli.registry.models import Person
from tests.crisis.board_before import board_before
from tests.crisis.conftest import Sent
from tests.outbox import all_messages, opened

ANI, BUDI, THIRD = "Ani Lestari", "Budi Santoso", '=HYPERLINK("x")'


def _finish(ids: list[int], status: OutboxStatus, at: datetime) -> None:
    """The messages ``ids`` sent or given up on at ``at``, as the worker records them."""
    when = {"sent_at": at} if status is OutboxStatus.SENT else {"next_attempt_at": at}
    with session_scope() as db:
        db.execute(
            update(OutboxMessage).where(OutboxMessage.id.in_(ids)).values(status=status, **when)
        )


def _follow(now: datetime) -> int:
    with session_scope() as db:
        return delivery_state.follow_outbox(db, now)


def _deliveries() -> dict[str, list[str | None]]:
    """Each person's recipient rows' delivery, by name, oldest row first."""
    with session_scope() as db:
        rows = db.execute(
            select(Person.full_name, Recipient.delivery)
            .join(Person, Person.id == Recipient.person_id)
            .order_by(Recipient.id)
        )
        found: dict[str, list[str | None]] = {}
        for name, state in rows:
            found.setdefault(name, []).append(state)
        return found


def _messages(sent: Sent) -> dict[str, list[int]]:
    """The outbox ids of each phone's SMS and of the e-mail, oldest first."""
    with session_scope() as db:
        found: dict[str, list[int]] = {}
        for message in all_messages(db):
            found.setdefault(opened(message), []).append(message.id)
        return found


def test_the_rows_follow_sends_and_deaths_when_the_task_runs(sent: Sent) -> None:
    ani, budi, _third = (_messages(sent)[phone] for phone in sent.phones)
    email = _messages(sent)["ani@example.org"]
    start = utcnow()
    _finish(ani, OutboxStatus.SENT, start)
    _finish(budi, OutboxStatus.DEAD, start)
    assert _deliveries() == {ANI: [None], BUDI: [None], THIRD: [None]}, "not before it runs"
    # The first run starts from the oldest recipient row: an hour late, it still sees them.
    assert _follow(start + timedelta(hours=1)) == 2
    assert _deliveries() == {ANI: ["sent"], BUDI: ["dead"], THIRD: [None]}
    assert _follow(start + timedelta(hours=1, seconds=2)) == 0, "nothing new, nothing written"
    # The gateway reports Ani's SMS undelivered: her e-mail still waits, so nothing reached her.
    _finish(ani, OutboxStatus.DEAD, start + timedelta(hours=1, seconds=3))
    assert _follow(start + timedelta(hours=1, seconds=4)) == 1
    assert _deliveries()[ANI] == ["dead"]
    _finish(email, OutboxStatus.SENT, start + timedelta(hours=1, seconds=5))
    assert _follow(start + timedelta(hours=1, seconds=6)) == 1
    assert _deliveries()[ANI] == ["sent"]


def test_a_run_reads_only_what_finished_since_its_mark(sent: Sent) -> None:
    budi = _messages(sent)[sent.phones[1]]
    now = utcnow()
    assert _follow(now) == 0
    # Finished well before the mark (longer ago than a commit can lag): not read again.
    _finish(budi, OutboxStatus.SENT, now - delivery_state.OVERLAP - timedelta(seconds=1))
    assert _follow(now + timedelta(seconds=2)) == 0
    assert _deliveries()[BUDI] == [None]
    # Within the overlap before the mark: a commit that came late, still read.
    _finish(budi, OutboxStatus.DEAD, now - delivery_state.OVERLAP + timedelta(seconds=3))
    assert _follow(now + timedelta(seconds=4)) == 1
    assert _deliveries()[BUDI] == ["dead"]


class _Gateway:
    """An SMS gateway that takes every text but Budi's, which it refuses for good."""

    def __init__(self, refused: str) -> None:
        self.refused = refused

    def send(self, messages: Sequence[OutboundMessage]) -> list[DeliveryResult]:
        return [
            DeliveryResult(m.id, DeliveryStatus.REJECTED, error="no such number")
            if m.recipient == self.refused
            else DeliveryResult(m.id, DeliveryStatus.SENT, provider_message_id=f"gw-{m.id}")
            for m in messages
        ]


def test_the_worker_s_outcomes_reach_the_board_at_the_task_s_next_run(sent: Sent) -> None:
    """Through the outbox's own writes: the dispatcher stamps when each message finished."""
    channels = {"sms": _Gateway(refused=sent.phones[1]), "email": _Gateway(refused="")}
    assert dispatch_once(get_sessionmaker(), channels=channels, worker_id="w") == 4
    assert _board(sent)["totals"]["delivered"] == 0, "not before the task runs"
    _follow(utcnow())
    totals = _board(sent)["totals"]
    assert (totals["targeted"], totals["delivered"], totals["failed"]) == (3, 2, 1)


def _send_again(sent: Sent) -> None:
    """A second SMS broadcast of the crisis to the same people."""
    base = f"/api/v1/crises/{sent.crisis_id}/broadcasts"
    drafted = sent.client.post(
        base, json={"messages": {"id": "Gempa susulan."}, "channels": ["sms"]},
        headers=sent.headers["hq"],
    )  # fmt: skip
    path = f"{base}/{drafted.json()['id']}"
    assert sent.client.post(f"{path}/approve", headers=sent.headers["hq2"]).status_code == 200
    assert sent.client.post(f"{path}/send", headers=sent.headers["hq"]).status_code == 200


def _board(sent: Sent) -> dict[str, Any]:
    response = sent.client.get(f"/api/v1/crises/{sent.crisis_id}/board", headers=sent.headers["hq"])
    assert response.status_code == 200, response.text
    return response.json()


def test_the_board_counts_as_the_outbox_did_per_person(sent: Sent) -> None:
    _send_again(sent)
    ani, budi, third = (_messages(sent)[phone] for phone in sent.phones)
    at = utcnow()
    # Ani: the first SMS dead, the e-mail waiting, the second SMS sent: reached.
    _finish(ani[:1], OutboxStatus.DEAD, at)
    _finish(ani[1:], OutboxStatus.SENT, at)
    # Budi: the first SMS dead, the second waiting: failed. The third: both waiting.
    _finish(budi[:1], OutboxStatus.DEAD, at)
    assert len(third) == 2
    sent.client.post(
        "/api/v1/crises/check-ins",
        json={"token": sent.tokens[sent.phones[1]], "answer": "need_help"},
    )
    _follow(at + timedelta(seconds=1))
    # The person's delivery over both broadcasts, on their first row (the one counted).
    assert _deliveries() == {ANI: ["sent", None], BUDI: ["dead", None], THIRD: [None, None]}
    with session_scope() as db:
        before = {
            k: [r.model_dump() for r in v]
            for k, v in board_before(db, uuid.UUID(sent.crisis_id)).items()
        }
    board = _board(sent)
    assert [board["totals"]] == before["totals"]
    assert board["by_representation"] == before["by_representation"]
    assert board["by_area"] == before["by_area"]
    assert board["totals"] | {"key": "all"} == {
        "key": "all", "targeted": 3, "delivered": 1, "failed": 1,
        "safe": 0, "need_help": 1, "no_answer": 2,
    }  # fmt: skip
    assert before["by_area"][0]["key"] == "MY · Kuala Lumpur"
