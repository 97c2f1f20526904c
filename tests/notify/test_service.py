"""``notify.service``: the outbox's writers (one message, one per selected row) and its
delivery counts; one row per key, in the caller's transaction."""

from __future__ import annotations

from typing import Any

import pytest
from sqlalchemy import Select, String, cast, func, literal, select, union_all, update
from sqlalchemy.orm import Session

from peduli.auth.models import StaffAccount
from peduli.core.errors import ValidationFailed
from peduli.notify import service
from peduli.notify.models import ChannelName, MessagePriority, OutboxMessage, OutboxStatus
from tests.outbox import all_messages, opened


def _enqueue(db: Session, key: str, body: str = "Your code is 123456") -> None:
    service.enqueue(
        db,
        channel="sms",
        recipient="+6281234567890",
        subject="",
        body=body,
        idempotency_key=key,
    )


def test_a_second_enqueue_with_the_same_key_does_nothing(db: Session) -> None:
    _enqueue(db, "otp:1")
    _enqueue(db, "otp:1", body="a different body")
    db.commit()

    rows = db.scalars(select(OutboxMessage)).all()
    assert len(rows) == 1
    assert rows[0].body == "Your code is 123456"
    assert rows[0].status is OutboxStatus.PENDING
    assert rows[0].attempts == 0


def test_enqueue_is_rolled_back_with_the_callers_transaction(db: Session) -> None:
    _enqueue(db, "otp:2")
    db.rollback()

    assert db.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_an_unknown_channel_is_refused_with_the_known_ones(db: Session) -> None:
    with pytest.raises(ValidationFailed) as caught:
        service.enqueue(
            db, channel="pigeon", recipient="x", subject="", body="b", idempotency_key="k"
        )
    problem = caught.value.problems[0]
    assert problem.field == "channel"
    assert "email" in problem.hint


def _staff(db: Session, *names: str) -> None:
    db.add_all(
        StaffAccount(email=f"{name}@kemlu.example", display_name=name, role="officer")
        for name in names
    )
    db.flush()


def _emails(key_prefix: str = "test:", subject: str = "Hello") -> Select[Any]:
    """One email to every staff account, keyed by account."""
    return select(
        *service.message_columns(
            channel=ChannelName.EMAIL,
            sealed_recipient=StaffAccount.email_sealed,
            subject=subject,
            body=literal("Dear ") + StaffAccount.display_name,
            idempotency_key=literal(key_prefix) + cast(StaffAccount.id, String),
            priority=MessagePriority.CASE_ESCALATION,
        )
    )


def test_enqueue_selected_queues_one_message_per_row_in_one_statement(db: Session) -> None:
    _staff(db, "ana", "budi")

    assert service.enqueue_selected(db, _emails()) == 2
    db.commit()

    messages = all_messages(db)
    assert sorted(opened(m) for m in messages) == ["ana@kemlu.example", "budi@kemlu.example"]
    assert sorted(m.body for m in messages) == ["Dear ana", "Dear budi"]
    assert {m.priority for m in messages} == {MessagePriority.CASE_ESCALATION}
    assert {m.status for m in messages} == {OutboxStatus.PENDING}


def test_enqueue_selected_copies_the_sealed_recipient_as_it_is(db: Session) -> None:
    _staff(db, "ana")

    service.enqueue_selected(db, _emails())

    stored = db.scalar(select(OutboxMessage.recipient))
    assert stored == db.scalar(select(StaffAccount.email_sealed))
    assert stored != "ana@kemlu.example"


def test_enqueue_selected_skips_rows_whose_key_is_already_queued(db: Session) -> None:
    _staff(db, "ana")
    service.enqueue_selected(db, _emails(subject="first"))
    _staff(db, "budi")

    assert service.enqueue_selected(db, _emails(subject="again")) == 1
    db.commit()

    subjects = {opened(m): m.subject for m in all_messages(db)}
    assert subjects == {"ana@kemlu.example": "first", "budi@kemlu.example": "again"}


def test_enqueue_selected_takes_a_union_of_selects(db: Session) -> None:
    _staff(db, "ana")
    both = union_all(_emails("first:"), _emails("second:"))

    assert service.enqueue_selected(db, both) == 2

    keys = sorted(m.idempotency_key.split(":")[0] for m in all_messages(db))
    assert keys == ["first", "second"]


def test_enqueue_selected_is_rolled_back_with_the_callers_transaction(db: Session) -> None:
    _staff(db, "ana")
    db.commit()
    service.enqueue_selected(db, _emails())
    db.rollback()

    assert db.scalar(select(func.count()).select_from(OutboxMessage)) == 0


def test_enqueue_selected_refuses_a_select_of_other_columns(db: Session) -> None:
    with pytest.raises(ValueError, match="message_columns"):
        service.enqueue_selected(db, select(StaffAccount.email_sealed, StaffAccount.id))


def test_message_columns_refuse_an_unknown_channel() -> None:
    with pytest.raises(ValidationFailed):
        service.message_columns(
            channel="pigeon",
            sealed_recipient=StaffAccount.email_sealed,
            subject="",
            body=literal("b"),
            idempotency_key=literal("k"),
            priority=MessagePriority.ORDINARY,
        )


def test_delivery_counts_count_sent_and_dead_messages_per_group(db: Session) -> None:
    _staff(db, "ana", "budi")
    service.enqueue_selected(db, _emails("one:"))
    service.enqueue_selected(db, _emails("two:"))
    to_ana = OutboxMessage.body == "Dear ana"
    db.execute(
        update(OutboxMessage)
        .where(to_ana, OutboxMessage.idempotency_key.startswith("one:"))
        .values(status=OutboxStatus.SENT)
    )
    db.execute(
        update(OutboxMessage)
        .where(to_ana, OutboxMessage.idempotency_key.startswith("two:"))
        .values(status=OutboxStatus.DEAD)
    )

    counts = service.delivery_counts(
        group=StaffAccount.display_name,
        idempotency_keys=[
            literal(prefix) + cast(StaffAccount.id, String) for prefix in ("one:", "two:")
        ],
        where=StaffAccount.display_name.in_(["ana", "budi"]),
    )
    rows = {row.group_key: (row.sent, row.dead) for row in db.execute(select(counts))}
    assert rows == {"ana": (1, 1), "budi": (0, 0)}


def test_a_group_without_queued_messages_has_no_delivery_row(db: Session) -> None:
    _staff(db, "ana")

    counts = service.delivery_counts(
        group=StaffAccount.id,
        idempotency_keys=[literal("never:") + cast(StaffAccount.id, String)],
        where=StaffAccount.display_name == "ana",
    )
    assert db.execute(select(counts)).all() == []


def test_the_priority_ladder_sends_the_most_urgent_first() -> None:
    ladder = sorted(MessagePriority)
    assert ladder == [
        MessagePriority.EMERGENCY_ALERT,
        MessagePriority.SIGN_IN_CODE,
        MessagePriority.CHAT_REPLY,
        MessagePriority.CRISIS_NEAREST,
        MessagePriority.CASE_ESCALATION,
        MessagePriority.DEADLINE_REMINDER,
        MessagePriority.CRISIS_FARTHEST,
        MessagePriority.ORDINARY,
    ]
