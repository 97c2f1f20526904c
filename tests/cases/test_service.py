"""Opening a case: the case written without the unit of work stays an ordinary session row."""

from __future__ import annotations

from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.auth.actor import Actor
from peduli.cases.models import Case, CasePerson
from tests.cases.conftest import open_case


def test_a_new_case_is_in_the_session_and_a_later_change_to_it_is_written(
    db: Session, officer: Actor
) -> None:
    case = open_case(db, officer, people=[{"name": "Siti", "phone": "+60123456789"}])
    assert case in db and db.get(Case, case.id) is case
    case.summary = "Wages unpaid for five months."
    db.commit()
    db.expire_all()
    stored = db.get_one(Case, case.id)
    assert stored.summary == "Wages unpaid for five months."
    person = db.scalars(select(CasePerson).where(CasePerson.case_id == case.id)).one()
    assert person.name == "Siti" and person.role == "subject" and person.added_at is not None
