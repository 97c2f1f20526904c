"""The case queries the pages and the API share (``cases.repository``)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from peduli.auth.actor import Actor, Role
from peduli.cases import repository
from peduli.core.db import utcnow
from tests.cases.conftest import KL, make_overdue, open_case, staff_actor


def test_the_overdue_list_shows_only_late_cases_of_the_post(
    db: Session, officer: Actor, officer_kl: Actor
) -> None:
    late, _on_time = open_case(db, officer), open_case(db, officer)
    other = open_case(db, officer_kl)
    make_overdue(db, late)
    make_overdue(db, other)
    db.flush()
    db.expire_all()
    total, items = repository.overdue_cases(db, actor=officer, limit=50, now=utcnow())
    assert (total, [c.id for c in items]) == (1, [late.id])


def test_the_overdue_list_narrows_to_one_post_for_hq(
    db: Session, officer: Actor, officer_kl: Actor
) -> None:
    late, other = open_case(db, officer), open_case(db, officer_kl)
    make_overdue(db, late)
    make_overdue(db, other)
    db.flush()
    db.expire_all()
    admin = staff_actor(db, Role.HQ_ADMIN, None, "admin")
    total, items = repository.overdue_cases(
        db, actor=admin, limit=50, now=utcnow(), representation_code=KL
    )
    assert (total, [c.id for c in items]) == (1, [other.id])
