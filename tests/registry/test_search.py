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
    from peduli.registry import work_queue

    work_queue.self_reports(
        db, actor=staff(), filters=work_queue.QueueFilters(), limit=10, offset=0
    )
    entry = db.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1)).one()
    assert (entry.action, entry.outcome) == ("queue.self_reports", "allowed")
    assert "date_of_birth" in entry.fields


@pytest.mark.parametrize("name", ["..", "-- --", "?!", "'."])
def test_a_name_of_punctuation_only_is_refused_with_a_clear_message(
    db: Session, population: dict[str, Person], name: str
) -> None:
    """It would match everyone; refused in and out of the jurisdiction, in every language."""
    from peduli.core.i18n import in_language

    reason = "Call from her family in Indramayu, case 12"
    for query in (PersonSearch(name=name), PersonSearch(name=name, reason=reason)):
        with pytest.raises(ValidationFailed) as error:
            search.search_people(db, query=query, actor=staff())
        [problem] = error.value.problems
        assert (problem.field, problem.code) == ("name", "name_without_letters")
        assert problem.hint
        english = in_language(problem.message, "en")
        for language in ("id", "zh", "fr"):
            assert in_language(problem.message, language) != english, language
            assert in_language(problem.hint, language) != in_language(problem.hint, "en")


@pytest.mark.parametrize("name", ["Si", "S. A.", "Al"])
def test_a_name_search_outside_ones_post_needs_three_letters(
    db: Session, population: dict[str, Person], name: str
) -> None:
    reason = "Call from her family in Indramayu, case 12"
    with pytest.raises(ValidationFailed) as error:
        search.search_people(db, query=PersonSearch(name=name, reason=reason), actor=staff())
    [problem] = error.value.problems
    assert (problem.field, problem.code) == ("name", "name_too_short")
    assert "3" in str(problem.message)
    # Inside one's own post a short name is fine, and outside an identifier needs no name.
    search.search_people(db, query=PersonSearch(name=name), actor=staff())
    by_phone = PersonSearch(name=name, phone="+60123456789", reason=reason)
    search.search_people(db, query=by_phone, actor=staff())


def test_a_search_outside_ones_post_returns_a_bounded_page_each_person_audited(
    db: Session,
) -> None:
    admin = staff(Role.HQ_ADMIN)
    for serial in range(1, search.OUT_OF_SCOPE_PAGE + 8):
        service.submit_self_report(
            db,
            report=report(
                nik=nik(sex="F", serial=serial),
                sex="F",
                passport_number=f"B{serial:07d}",
                full_name="Siti Nurhaliza",
                phone=None,
                email=f"siti{serial}@example.org",
                **KUALA_LUMPUR,
            ),
            actor=admin,
        )
    db.commit()
    officer = staff()  # Seoul
    query = PersonSearch(name="Siti", reason="Call from her family in Indramayu", limit=100)
    outcome = search.search_people(db, query=query, actor=officer)
    assert outcome.out_of_scope and len(outcome.hits) == search.OUT_OF_SCOPE_PAGE
    found = db.scalars(
        select(AuditEntry.subject_person_id).where(AuditEntry.action == "person.found_out_of_scope")
    ).all()
    assert sorted(map(str, found)) == sorted(str(hit.person.id) for hit in outcome.hits)
    summary = db.scalars(select(AuditEntry).order_by(AuditEntry.seq.desc()).limit(1)).one()
    assert (summary.action, summary.entity_id) == ("person.search_out_of_scope", "20 found")


def test_an_officer_types_phones_as_they_are_written_in_the_post_country(
    db: Session, population: dict[str, Person]
) -> None:
    """Seoul's officer types the Korean way, Kuala Lumpur's the Malaysian way."""
    seoul = staff()
    found = search.search_people(db, query=PersonSearch(phone="010-1234-5678"), actor=seoul)
    assert _ids(found) == [population["yusuf"].id]
    kuala_lumpur = staff(representation_code="kbri-kuala-lumpur")
    found = search.search_people(db, query=PersonSearch(phone="012-345 6789"), actor=kuala_lumpur)
    assert _ids(found) == [population["siti"].id]


def test_hq_reads_a_local_number_as_indonesian(db: Session, population: dict[str, Person]) -> None:
    """HQ has no post: a number without a country code is one of the home country (and
    010-… is no Indonesian number)."""
    with pytest.raises(ValidationFailed) as refused:
        search.search_people(
            db, query=PersonSearch(phone="010-1234-5678"), actor=staff(Role.HQ_ADMIN)
        )
    assert [problem.field for problem in refused.value.problems] == ["phone"]
    assert search.post_phone_region(staff(Role.HQ_ADMIN)) is None
    assert search.post_phone_region(staff()) == "KR"
