"""``notify.service.enqueue``: one row per key, in the caller's transaction."""

from __future__ import annotations

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from peduli.core.errors import ValidationFailed
from peduli.notify import service
from peduli.notify.models import OutboxMessage, OutboxStatus


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
