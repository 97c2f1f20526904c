"""The board page's "not yet reached" counts from one row per person (the counted row the
reminder marks) are the counts of every recipient row grouped by person, as before."""

from __future__ import annotations

from datetime import datetime, timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.auth.actor import Actor, Role
from peduli.core.db import utcnow
from peduli.crisis import broadcasts, checkins, reminders, unreached
from peduli.crisis.models import Crisis, Recipient
from peduli.crisis.schemas import BroadcastCreate, ReachCounts
from peduli.registry.models import Stay
from tests.crisis.crisis_helpers import Placed, add_person, declare_crisis
from tests.crisis.unreached_before import counts_before
from tests.factories import staff

KL, JB = "kbri-kuala-lumpur", "kjri-johor-bahru"
HQ, SECOND = staff(Role.HQ_ADMIN), staff(Role.HQ_ADMIN)
READERS = {
    "hq": HQ,
    "analyst": staff(Role.HQ_ANALYST),
    "officer_kl": staff(Role.OFFICER, KL),
    "officer_jb": staff(Role.OFFICER, JB),
    "supervisor_jb": staff(Role.SUPERVISOR, JB),
}


def _send(db: Session, crisis: Crisis, *, at: datetime, remind_after: int) -> None:
    body = BroadcastCreate(
        messages={"id": "Gempa kuat."}, channels=["sms"], remind_after_minutes=remind_after
    )
    broadcast = broadcasts.draft(db, crisis_id=crisis.id, body=body, actor=HQ)
    broadcasts.approve(db, crisis_id=crisis.id, broadcast_id=broadcast.id, actor=SECOND)
    broadcasts.send(db, crisis_id=crisis.id, broadcast_id=broadcast.id, actor=HQ, now=at)
    db.commit()


def _answer(db: Session, crisis: Crisis, person: Placed, answer: str) -> None:
    """The person answers on their latest broadcast's link."""
    latest = db.scalar(
        select(Recipient.id)
        .where(Recipient.crisis_id == crisis.id, Recipient.person_id == person.person_id)
        .order_by(Recipient.id.desc())
        .limit(1)
    )
    assert latest is not None
    checkins.record(db, recipient_id=latest, answer=answer, via="web")
    db.commit()


def _attempt(db: Session, crisis: Crisis, person: Placed, outcome: str, actor: Actor) -> None:
    unreached.record_attempt(
        db, crisis_id=crisis.id, person_id=person.person_id, outcome=outcome,
        note="Called twice.", actor=actor,
    )  # fmt: skip
    db.commit()


def _both_ways(db: Session, crisis: Crisis) -> dict[str, tuple[int, int, int, int]]:
    """Each reader's counts, checked equal to the old statement's."""
    figures = {}
    for name, actor in READERS.items():
        now = unreached.counts(db, crisis_id=crisis.id, actor=actor)
        assert now == counts_before(db, crisis_id=crisis.id, actor=actor), name
        figures[name] = _four(now)
    return figures


def _four(counts: ReachCounts) -> tuple[int, int, int, int]:
    return (counts.not_reached, counts.unreachable, counts.reached_safe, counts.need_help)


def test_counts_from_counted_rows_equal_the_old_grouping(db: Session) -> None:
    at = [(3.14 + i / 100, 101.69) for i in range(9)]
    kl = [add_person(db, latitude=lat, longitude=lon, post=KL) for lat, lon in at[:6]]
    jb = [add_person(db, latitude=lat, longitude=lon, post=JB) for lat, lon in at[6:]]
    crisis = declare_crisis(db, HQ)
    db.commit()
    now = utcnow()
    # The first broadcast's reminder is not due yet; the second's is, for everyone silent.
    _send(db, crisis, at=now - timedelta(hours=5), remind_after=600)
    _answer(db, crisis, kl[0], "safe")  # before the second broadcast: reminded on it, answered
    _send(db, crisis, at=now - timedelta(hours=3), remind_after=120)
    assert _both_ways(db, crisis)["hq"] == (0, 0, 0, 0), "nobody reminded yet"
    reminders.remind_silent(db, now)
    db.commit()
    _answer(db, crisis, kl[1], "need_help")  # answers the reminder
    _attempt(db, crisis, kl[2], "unreachable", READERS["officer_kl"])
    _attempt(db, crisis, kl[3], "unreachable", READERS["officer_kl"])
    _attempt(db, crisis, kl[3], "reached_safe", READERS["officer_kl"])
    _attempt(db, crisis, jb[0], "need_help", HQ)
    _attempt(db, crisis, jb[1], "unreachable", READERS["officer_jb"])
    late = add_person(db, latitude=3.2, longitude=101.7, post=KL)  # arrives, not reminded yet
    db.commit()
    _send(db, crisis, at=now, remind_after=120)
    first = _both_ways(db, crisis)
    # Silent: kl 2, 4, 5 and jb 1, 2; unreachable of them: kl 2 and jb 1.
    assert first == {
        "hq": (5, 2, 1, 1), "analyst": (5, 2, 1, 1), "officer_kl": (3, 1, 1, 0),
        "officer_jb": (2, 1, 0, 1), "supervisor_jb": (2, 1, 0, 1),
    }  # fmt: skip
    # The third broadcast's reminder: the late arrival's first, and again to those who
    # answered before it (their rows of it are unanswered), who stay reached.
    reminders.remind_silent(db, now + timedelta(hours=3))
    db.commit()
    second = _both_ways(db, crisis)
    assert second["hq"] == (6, 2, 1, 1) and second["officer_kl"] == (4, 1, 1, 0)
    _answer(db, crisis, late, "safe")
    _answer(db, crisis, jb[1], "safe")  # the unreachable answers after all
    assert _both_ways(db, crisis)["hq"] == (4, 1, 1, 1)


def _in_kl_with_a_crisis(db: Session) -> tuple[Placed, Crisis, datetime]:
    """One person in Kuala Lumpur, a crisis declared over them, and now."""
    person = add_person(db, latitude=3.14, longitude=101.69, post=KL)
    crisis = declare_crisis(db, HQ)
    db.commit()
    return person, crisis, utcnow()


def test_the_reminder_marks_each_persons_counted_row_once(db: Session) -> None:
    person, crisis, now = _in_kl_with_a_crisis(db)
    _send(db, crisis, at=now - timedelta(hours=5), remind_after=600)
    _send(db, crisis, at=now - timedelta(hours=3), remind_after=120)
    reminders.remind_silent(db, now)
    db.commit()
    rows = db.execute(
        select(Recipient.counted, Recipient.reminded, Recipient.reminded_at.is_not(None))
        .where(Recipient.person_id == person.person_id)
        .order_by(Recipient.id)
    ).all()
    # Reminded on the second broadcast only; the first, counted row says so.
    assert [tuple(row) for row in rows] == [(True, True, False), (False, False, True)]


def test_a_person_counts_under_their_counted_rows_post_as_on_the_board(db: Session) -> None:
    mover, crisis, now = _in_kl_with_a_crisis(db)
    _send(db, crisis, at=now - timedelta(hours=5), remind_after=120)
    stay = db.get_one(Stay, mover.stay_id)
    stay.representation_code = JB  # the stay moves to the other post between broadcasts
    db.commit()
    _send(db, crisis, at=now - timedelta(hours=3), remind_after=120)
    reminders.remind_silent(db, now)
    db.commit()
    figures = {
        name: unreached.counts(db, crisis_id=crisis.id, actor=actor).not_reached
        for name, actor in READERS.items()
    }
    assert figures == {"hq": 1, "analyst": 1, "officer_kl": 1, "officer_jb": 0, "supervisor_jb": 0}
    # Before, each post whose row of theirs was reminded counted them: both posts.
    jb = counts_before(db, crisis_id=crisis.id, actor=READERS["officer_jb"])
    assert jb.not_reached == 1
