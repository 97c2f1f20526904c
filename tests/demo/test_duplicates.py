"""The demo gives each demo officer work in their own post: possible duplicates flagged by
the registry's matching, and cases naming the citizen."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.auth.actor import Actor, Role
from peduli.auth.models import StaffAccount
from peduli.cases import repository as case_repository
from peduli.cases.repository import QueueQuery
from peduli.core.db import utcnow
from peduli.demo import seed as seeding
from peduli.demo.cases import DEMO_POSTS, ensure_demo_cases
from peduli.demo.duplicates import PER_POST, ensure_demo_duplicates
from peduli.demo.staff import ensure_demo_staff
from peduli.registry import work_queue

CITIZENS = 600


def _officer_of(db: Session, post: str) -> Actor:
    account = db.scalars(
        select(StaffAccount).where(
            StaffAccount.role == Role.OFFICER.value, StaffAccount.representation_code == post
        )
    ).one()
    return Actor(
        role=Role.OFFICER,
        account_id=account.id,
        display=account.display_name,
        representation_code=post,
    )


@pytest.fixture
def demo(db: Session) -> Session:
    seeding.seed_citizens(db, citizens=CITIZENS, seed=2026, batch_size=CITIZENS)
    ensure_demo_staff(db)
    return db


def test_every_demo_officer_has_possible_duplicates_of_their_own_post(demo: Session) -> None:
    flagged = ensure_demo_duplicates(demo)
    assert flagged >= len(DEMO_POSTS)
    for post in DEMO_POSTS:
        total, rows = work_queue.duplicates(demo, actor=_officer_of(demo, post), limit=50, offset=0)
        assert total >= 1, post
        assert all(row.representation_code == post for row in rows)
    assert ensure_demo_duplicates(demo) == 0, "once only"
    assert flagged <= PER_POST * len(DEMO_POSTS) * 2


def test_every_demo_officer_has_cases_naming_citizens_of_their_post(demo: Session) -> None:
    ensure_demo_cases(demo)
    for post in DEMO_POSTS:
        officer = _officer_of(demo, post)
        total, cases = case_repository.case_queue(
            demo,
            actor=officer,
            query=QueueQuery(status=None),
            limit=100,
            offset=0,
            now=utcnow(),
        )
        assert total > 0, post
        people = case_repository.people_of_cases(
            demo, actor=officer, case_ids=[case.id for case in cases]
        )
        registered = [n for named in people.values() for n in named if n.person_id]
        assert registered, f"{post}: some cases name a registered citizen"


def test_a_post_with_a_case_already_gets_no_demo_cases_but_the_others_do(demo: Session) -> None:
    from tests.cases.conftest import open_case

    open_case(demo, _officer_of(demo, "kbri-seoul"), summary="An SOS tried before the demo.")
    created = ensure_demo_cases(demo)
    assert created > 0
    total, _cases = case_repository.case_queue(
        demo,
        actor=_officer_of(demo, "kbri-seoul"),
        query=QueueQuery(status=None),
        limit=10,
        offset=0,
        now=utcnow(),
    )
    assert total == 1
