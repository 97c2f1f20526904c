"""Broadcasts: second-person approval and sending, per post."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from peduli.auth.actor import Role
from peduli.core.errors import Conflict, Forbidden
from peduli.crisis import broadcasts
from tests.crisis.crisis_helpers import (
    declare_crisis,
    draft_broadcast,
)
from tests.factories import staff


def test_author_cannot_approve_and_second_person_can(db: Session, world: dict) -> None:
    author, second = staff(Role.HQ_ADMIN), staff(Role.HQ_ADMIN)
    crisis = declare_crisis(db, author)
    broadcast = draft_broadcast(db, crisis, author)
    with pytest.raises(Conflict):
        broadcasts.approve(
            db, crisis_id=broadcast.crisis_id, broadcast_id=broadcast.id, actor=author
        )
    with pytest.raises(Conflict):
        broadcasts.send(db, crisis_id=broadcast.crisis_id, broadcast_id=broadcast.id, actor=author)
    with pytest.raises(Forbidden):
        broadcasts.approve(
            db,
            crisis_id=broadcast.crisis_id,
            broadcast_id=broadcast.id,
            actor=staff(Role.OFFICER, "kbri-kuala-lumpur"),
        )
    approved = broadcasts.approve(
        db, crisis_id=broadcast.crisis_id, broadcast_id=broadcast.id, actor=second
    )
    assert approved.status == "approved" and approved.approved_by == second.account_id
    with pytest.raises(Conflict):
        broadcasts.approve(
            db, crisis_id=broadcast.crisis_id, broadcast_id=broadcast.id, actor=staff(Role.HQ_ADMIN)
        )


def test_supervisor_cannot_approve_another_posts_broadcast(db: Session, world: dict) -> None:
    author = staff(Role.SUPERVISOR, "kbri-kuala-lumpur")
    crisis = declare_crisis(db, staff(Role.HQ_ADMIN))
    broadcast = draft_broadcast(db, crisis, author)
    with pytest.raises(Forbidden):
        broadcasts.approve(
            db,
            crisis_id=broadcast.crisis_id,
            broadcast_id=broadcast.id,
            actor=staff(Role.SUPERVISOR, "kjri-johor-bahru"),
        )
    broadcasts.approve(
        db,
        crisis_id=broadcast.crisis_id,
        broadcast_id=broadcast.id,
        actor=staff(Role.SUPERVISOR, "kbri-kuala-lumpur"),
    )
    _sent, queued = broadcasts.send(
        db, crisis_id=broadcast.crisis_id, broadcast_id=broadcast.id, actor=author
    )
    assert queued == {"sms": 3, "email": 1}  # the Johor Bahru post's person is not theirs
