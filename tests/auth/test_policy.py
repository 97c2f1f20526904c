"""Post scope: the SQL filter selects exactly the rows the Python check admits, for every role."""

from __future__ import annotations

import uuid

import pytest
from sqlalchemy import String, literal, select, union_all
from sqlalchemy.orm import Session

from peduli.auth import policy
from peduli.auth.actor import Actor, Role
from tests.factories import staff

SEOUL, TOKYO = "kbri-seoul", "kbri-tokyo"
POSTS: list[str | None] = [SEOUL, TOKYO, None]


def _rows_reached(db: Session, actor: Actor) -> set[str | None]:
    """The posts of a row per post (and one of no post) that ``within_posts`` selects."""
    rows = union_all(*(select(literal(post, String).label("post")) for post in POSTS)).subquery()
    return set(db.scalars(select(rows.c.post).where(policy.within_posts(actor, rows.c.post))))


def _citizen() -> Actor:
    return Actor(role=Role.CITIZEN, account_id=uuid.uuid4(), display="c", person_id=uuid.uuid4())


@pytest.mark.parametrize(
    ("actor", "reached"),
    [
        (staff(Role.HQ_ADMIN), {SEOUL, TOKYO, None}),
        (staff(Role.HQ_ANALYST), {SEOUL, TOKYO, None}),
        (staff(Role.OFFICER, SEOUL), {SEOUL}),
        (staff(Role.SUPERVISOR, TOKYO), {TOKYO}),
        (staff(Role.OFFICER, None), set()),
        (staff(Role.PARTNER), set()),
        (staff(Role.AGENCY), set()),
        (_citizen(), set()),
    ],
    ids=["hq admin", "hq analyst", "officer", "supervisor", "no post", "partner", "agency",
         "citizen"],
)  # fmt: skip
def test_the_sql_filter_agrees_with_the_python_check(
    db: Session, actor: Actor, reached: set[str | None]
) -> None:
    assert {post for post in POSTS if policy.reaches_post(actor, post)} == reached
    assert _rows_reached(db, actor) == reached


def test_post_staff_reach_their_own_post_not_another() -> None:
    officer = staff(Role.OFFICER, SEOUL)
    assert policy.reaches_post(officer, SEOUL)
    assert not policy.reaches_post(officer, TOKYO)
    assert policy.post_scope(officer).limited_to == {SEOUL}
    assert policy.post_scope(staff(Role.HQ_ADMIN)).limited_to is None


def test_person_scope_is_the_post_scope_of_record_workers_and_a_citizens_own_record() -> None:
    assert policy.person_scope(staff(Role.HQ_ADMIN)).everyone
    assert policy.person_scope(staff(Role.OFFICER, SEOUL)).representation_codes == {SEOUL}
    assert policy.person_scope(staff(Role.HQ_ANALYST)).nobody  # figures only, never a record
    citizen = _citizen()
    assert policy.person_scope(citizen).person_id == citizen.person_id


def test_hq_may_narrow_its_scope_to_one_post_and_post_staff_keep_their_own() -> None:
    assert policy.post_scope(staff(Role.HQ_ADMIN)).narrowed_to(TOKYO).limited_to == {TOKYO}
    assert policy.post_scope(staff(Role.HQ_ADMIN)).narrowed_to(None).every_post
    assert policy.post_scope(staff(Role.OFFICER, SEOUL)).narrowed_to(TOKYO).limited_to == {SEOUL}
