"""Broadcasts: second-person approval and sending, per post."""

from __future__ import annotations

import pytest
from sqlalchemy.orm import Session

from peduli.auth.actor import Role
from peduli.core.errors import Conflict, Forbidden, ValidationFailed
from peduli.crisis import broadcasts
from peduli.crisis.schemas import BroadcastCreate
from tests.crisis.crisis_helpers import (
    MESSAGES,
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


def _for_post(db: Session, crisis: object, author: object, post: str | None) -> object:
    body = BroadcastCreate(messages=MESSAGES, channels=["sms"], representation_code=post)
    return broadcasts.draft(db, crisis_id=crisis.id, body=body, actor=author)  # type: ignore[attr-defined,arg-type]


def test_a_supervisor_approves_an_hq_broadcast_to_their_own_posts_people(
    db: Session, world: dict
) -> None:
    hq = staff(Role.HQ_ADMIN)
    crisis = declare_crisis(db, hq)
    kl_only = _for_post(db, crisis, hq, "kbri-kuala-lumpur")
    every_post = _for_post(db, crisis, hq, None)
    kl, johor = (
        staff(Role.SUPERVISOR, "kbri-kuala-lumpur"),
        staff(Role.SUPERVISOR, "kjri-johor-bahru"),
    )
    for refused in ((johor, kl_only), (kl, every_post), (johor, every_post)):
        with pytest.raises(Forbidden):
            broadcasts.approve(
                db,
                crisis_id=crisis.id,
                broadcast_id=refused[1].id,
                actor=refused[0],  # type: ignore[attr-defined]
            )
    approved = broadcasts.approve(db, crisis_id=crisis.id, broadcast_id=kl_only.id, actor=kl)  # type: ignore[attr-defined]
    assert approved.approved_by == kl.account_id
    _sent, queued = broadcasts.send(db, crisis_id=crisis.id, broadcast_id=kl_only.id, actor=hq)  # type: ignore[attr-defined]
    assert queued == {"sms": 3}  # Kuala Lumpur's three, not Johor Bahru's one


def test_a_supervisor_of_a_post_the_crisis_does_not_affect_cannot_approve(
    db: Session, world: dict
) -> None:
    crisis = declare_crisis(db, staff(Role.HQ_ADMIN))
    broadcast = draft_broadcast(db, crisis, staff(Role.SUPERVISOR, "kbri-bangkok"))
    assert broadcast.representation_code == "kbri-bangkok"
    with pytest.raises(Forbidden):
        broadcasts.approve(
            db,
            crisis_id=crisis.id,
            broadcast_id=broadcast.id,
            actor=staff(Role.SUPERVISOR, "kbri-bangkok"),
        )


def test_hq_drafts_for_an_affected_post_only(db: Session, world: dict) -> None:
    crisis = declare_crisis(db, staff(Role.HQ_ADMIN))
    with pytest.raises(ValidationFailed) as refused:
        _for_post(db, crisis, staff(Role.HQ_ADMIN), "kbri-bangkok")
    assert refused.value.problems[0].field == "representation_code"


def test_a_supervisors_draft_goes_to_their_own_post_whatever_they_ask(
    db: Session, world: dict
) -> None:
    crisis = declare_crisis(db, staff(Role.HQ_ADMIN))
    made = _for_post(db, crisis, staff(Role.SUPERVISOR, "kbri-kuala-lumpur"), "kjri-johor-bahru")
    assert made.representation_code == "kbri-kuala-lumpur"  # type: ignore[attr-defined]
