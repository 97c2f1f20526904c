"""Officer search: exact identifiers through indexes, tolerant names, jurisdiction scope."""

from __future__ import annotations

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.auth.actor import Role
from peduli.auth.audit import AuditEntry
from peduli.core.errors import ValidationFailed
from peduli.registry import search, service
from peduli.registry.models import Person
from peduli.registry.schemas import PersonSearch
from tests.factories import KUALA_LUMPUR, nik, report, staff


@pytest.fixture
def population(db: Session) -> dict[str, Person]:
    admin = staff(Role.HQ_ADMIN)
    yusuf = service.submit_self_report(db, report=report(), actor=admin).person
    siti = service.submit_self_report(
        db,
        report=report(
            nik=nik(sex="F", serial=2),
            sex="F",
            passport_number="B2345678",
            full_name="Siti Aminah",
            phone="+60123456789",
            email=None,
            **KUALA_LUMPUR,
            sector="domestic_work",
        ),
        actor=admin,
    ).person
    db.commit()
    return {"yusuf": yusuf, "siti": siti}


def _ids(outcome: search.SearchOutcome) -> list[object]:
    return [hit.person.id for hit in outcome.hits]


def test_finds_by_nik_passport_and_phone(db: Session, population: dict[str, Person]) -> None:
    officer = staff()
    yusuf = population["yusuf"].id
    for query in (
        PersonSearch(nik=nik()),
        PersonSearch(nik="3171 0117 0590 0001"),
        PersonSearch(passport_number="c1234567"),
        PersonSearch(phone="+82 10-1234-5678"),
    ):
        assert _ids(search.search_people(db, query=query, actor=officer)) == [yusuf]


def test_name_search_tolerates_old_spellings_and_abbreviations(
    db: Session, population: dict[str, Person]
) -> None:
    outcome = search.search_people(db, query=PersonSearch(name="Moch. Jusuf"), actor=staff())
    assert _ids(outcome) == [population["yusuf"].id]


def test_results_stay_inside_the_jurisdiction_without_a_reason(
    db: Session, population: dict[str, Person]
) -> None:
    officer = staff()  # Seoul
    assert (
        _ids(search.search_people(db, query=PersonSearch(name="Siti Aminah"), actor=officer)) == []
    )
    with_reason = PersonSearch(
        name="Siti Aminah", reason="Call from her family in Indramayu, case 12"
    )
    outcome = search.search_people(db, query=with_reason, actor=officer)
    assert outcome.out_of_scope
    assert _ids(outcome) == [population["siti"].id]
    entry = db.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1)).one()
    assert (entry.action, entry.reason) == ("person.search_out_of_scope", with_reason.reason)
    assert entry.fields == '["name"]', "criteria names only, never their values"


def test_a_search_needs_a_criterion_and_a_real_reason(db: Session) -> None:
    with pytest.raises(ValidationFailed):
        search.search_people(db, query=PersonSearch(), actor=staff())
    with pytest.raises(ValidationFailed) as error:
        search.search_people(db, query=PersonSearch(name="Siti", reason="x"), actor=staff())
    assert error.value.problems[0].field == "reason"


def test_browsing_the_work_queue_is_audited(db: Session, population: dict[str, Person]) -> None:
    from peduli.registry import queue

    queue.self_reports(db, actor=staff(), filters=queue.QueueFilters(), limit=10, offset=0)
    entry = db.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1)).one()
    assert (entry.action, entry.outcome) == ("queue.self_reports", "allowed")
    assert "date_of_birth" in entry.fields
