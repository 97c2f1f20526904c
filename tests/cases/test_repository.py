"""The case queries the pages and the API share (``cases.repository``)."""

from __future__ import annotations

import uuid

from sqlalchemy import event, select
from sqlalchemy.orm import Session

from peduli.auth.actor import Actor, Role
from peduli.auth.audit import AuditEntry
from peduli.cases import repository
from peduli.core.db import utcnow
from peduli.registry import service as registry_service
from tests.cases.conftest import KL, make_overdue, open_case, staff_actor
from tests.factories import report


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


def _registered(db: Session, **overrides: object) -> uuid.UUID:
    admin = staff_actor(db, Role.HQ_ADMIN, None, f"admin-{uuid.uuid4().hex[:6]}")
    return registry_service.submit_self_report(
        db, report=report(**overrides), actor=admin
    ).person.id


def test_the_people_of_a_page_of_cases_come_in_one_query_and_are_audited(
    db: Session, officer: Actor, officer_kl: Actor
) -> None:
    yusuf = _registered(db)
    registered = open_case(db, officer, person_id=yusuf)
    typed = open_case(db, officer, people=[{"name": "Siti Aminah"}, {"name": "Dewi Lestari"}])
    nobody = open_case(db, officer)
    elsewhere = open_case(db, officer_kl, people=[{"name": "Kuala Lumpur only"}])
    db.flush()
    statements: list[str] = []

    def capture(*args: object) -> None:
        statements.append(str(args[2]))

    engine = db.get_bind()
    event.listen(engine, "before_cursor_execute", capture)
    try:
        people = repository.people_of_cases(
            db, actor=officer, case_ids=[registered.id, typed.id, nobody.id, elsewhere.id]
        )
    finally:
        event.remove(engine, "before_cursor_execute", capture)
    assert len([s for s in statements if "case_person" in s]) == 1, "one query for the page"
    assert people[registered.id] == [repository.Named("Muhammad Yusuf", yusuf)]
    assert [named.name for named in people[typed.id]] == ["Siti Aminah", "Dewi Lestari"]
    assert nobody.id not in people
    assert elsewhere.id not in people, "another post's people stay hidden"
    entry = db.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1)).one()
    assert (entry.action, entry.entity_id) == ("case.list_people", "3 shown")
