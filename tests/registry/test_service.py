"""Self-report, one record per citizen, stays moving with jurisdiction, validation."""

from __future__ import annotations

from datetime import date, timedelta

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from peduli.auth.actor import Role
from peduli.auth.audit import AuditEntry
from peduli.core.errors import Forbidden, ValidationFailed
from peduli.registry import service, stays
from peduli.registry.models import DuplicateCandidate, Passport, Person, Stay
from peduli.registry.schemas import StayUpdate
from tests.factories import KUALA_LUMPUR, nik, refreshed, report, signed_in_citizen, staff


def _count(session: Session, model: type) -> int:
    return session.scalar(select(func.count()).select_from(model)) or 0


def _problems(error: pytest.ExceptionInfo[ValidationFailed]) -> dict[str, str]:
    return {p.field: p.code for p in error.value.problems}


def test_citizen_self_report_creates_person_stay_and_picks_the_seoul_embassy(db: Session) -> None:
    citizen = signed_in_citizen(db, "yusuf@example.org")
    outcome = service.submit_self_report(db, report=report(), actor=citizen)
    db.commit()
    assert outcome.representation is not None
    assert outcome.representation.code == "kbri-seoul"
    assert outcome.stay.representation_code == "kbri-seoul"
    assert outcome.stay.h3_cell is not None
    assert outcome.account_linked
    assert refreshed(db, citizen).person_id == outcome.person.id


def test_second_report_with_known_nik_attaches_to_the_same_person(db: Session) -> None:
    officer = staff()
    first = service.submit_self_report(db, report=report(), actor=officer)
    second = service.submit_self_report(
        db,
        report=report(
            passport_number="C7654321", city="Incheon", latitude=37.4563, longitude=126.7052
        ),
        actor=officer,
    )
    db.commit()
    assert second.person.id == first.person.id
    assert second.attached_to_existing
    assert _count(db, Person) == 1
    assert _count(db, Stay) == 2
    passports = db.scalars(select(Passport).where(Passport.person_id == first.person.id)).all()
    assert sorted(p.is_current for p in passports) == [False, True], "history kept, one current"


def test_a_report_in_another_language_gives_all_the_persons_stays_that_language(
    db: Session,
) -> None:
    """Broadcasts go out in the language kept on each stay (``Stay.language``)."""
    officer = staff()
    first = service.submit_self_report(db, report=report(), actor=officer)
    service.submit_self_report(
        db,
        report=report(language="en", city="Incheon", latitude=37.4563, longitude=126.7052),
        actor=officer,
    )
    db.commit()
    languages = db.scalars(select(Stay.language).where(Stay.person_id == first.person.id))
    assert sorted(languages) == ["en", "en"]


def test_known_passport_without_nik_attaches_to_the_same_person(db: Session) -> None:
    officer = staff()
    first = service.submit_self_report(db, report=report(), actor=officer)
    second = service.submit_self_report(db, report=report(nik=None), actor=officer)
    assert second.person.id == first.person.id
    assert _count(db, Person) == 1


def test_the_nik_decides_when_nik_and_passport_point_to_different_records(db: Session) -> None:
    """One look-up answers NIK, passport and birth date; the NIK match ranks first."""
    officer = staff()
    holder_of_nik = service.submit_self_report(db, report=report(), actor=officer)
    holder_of_passport = service.submit_self_report(
        db,
        report=report(nik=nik(serial=2), passport_number="C7654321", full_name="Dewi Lestari"),
        actor=officer,
    )
    third = service.submit_self_report(db, report=report(passport_number="C7654321"), actor=officer)
    assert third.person.id == holder_of_nik.person.id != holder_of_passport.person.id


def test_lookalike_is_stored_and_flagged_not_merged(db: Session) -> None:
    officer = staff()
    service.submit_self_report(db, report=report(), actor=officer)
    lookalike = report(
        nik=None, passport_number="B7654321", full_name="Moh. Jusuf", phone="+821098765432"
    )
    outcome = service.submit_self_report(db, report=lookalike, actor=officer)
    db.commit()
    assert not outcome.attached_to_existing
    assert outcome.possible_duplicates == 1
    assert _count(db, Person) == 2
    pair = db.scalars(select(DuplicateCandidate)).one()
    assert pair.status == "open"
    assert pair.representation_code == "kbri-seoul"


def test_namesake_born_years_apart_with_other_identifiers_is_not_a_duplicate(
    db: Session,
) -> None:
    officer = staff()
    service.submit_self_report(db, report=report(), actor=officer)
    other = report(
        date_of_birth=date(1975, 2, 3), passport_number="B7654321",
        phone="+821087654321", email="yusuf.senior@example.org",
    )  # fmt: skip
    outcome = service.submit_self_report(db, report=other, actor=officer)
    assert outcome.possible_duplicates == 0


def test_a_mistyped_birth_year_is_still_flagged_with_its_evidence(db: Session) -> None:
    officer = staff()
    service.submit_self_report(db, report=report(), actor=officer)
    other = report(date_of_birth=date(1991, 5, 17), passport_number="B7654321")
    outcome = service.submit_self_report(db, report=other, actor=officer)
    assert outcome.possible_duplicates == 1
    pair = db.scalars(select(DuplicateCandidate)).one()
    outcomes = {item["comparison"]: item["outcome"] for item in pair.evidence}
    assert outcomes["birth_date"] == "close"
    assert outcomes["nik"] == "close"  # the NIK encodes the birth date: one digit differs
    assert outcomes["phone"] == "exact"
    assert pair.match_probability is not None and pair.match_probability > 0.99


def test_nik_and_passport_are_encrypted_at_rest_with_a_blind_index(db: Session) -> None:
    officer = staff()
    outcome = service.submit_self_report(db, report=report(), actor=officer)
    db.commit()
    person = db.get_one(Person, outcome.person.id)
    raw_nik = nik()
    assert raw_nik not in (person.nik_encrypted or "")
    assert person.nik_index and raw_nik not in person.nik_index
    for column in ("nik_encrypted", "nik_index"):
        found = db.scalar(
            select(func.count())
            .select_from(Person)
            .where(getattr(Person, column).contains(raw_nik))
        )
        assert found == 0
    stored = db.scalars(select(Passport.number_encrypted)).one()
    assert "C1234567" not in stored
    assert service.read_person(db, person_id=person.id, actor=officer).nik == raw_nik


def test_staff_cannot_report_for_another_jurisdiction_and_the_denial_is_audited(
    db: Session,
) -> None:
    officer = staff(representation_code="kbri-seoul")
    with pytest.raises(Forbidden):
        service.submit_self_report(db, report=report(**KUALA_LUMPUR), actor=officer)
    from peduli.core.db import rollback_and_keep

    rollback_and_keep(db)
    denial = db.scalars(select(AuditEntry)).one()
    assert (denial.action, denial.outcome) == ("self_report.create", "denied")
    assert _count(db, Person) == 0


def test_moving_country_moves_the_stay_to_that_representation(db: Session) -> None:
    admin = staff(Role.HQ_ADMIN)
    outcome = service.submit_self_report(db, report=report(), actor=admin)
    changes = StayUpdate(
        country="MY", city="Kuala Lumpur", latitude=3.139, longitude=101.6869, subdivision=None
    )
    stay = stays.update_stay(db, stay_id=outcome.stay.id, changes=changes, actor=admin)
    assert stay.representation_code == "kbri-kuala-lumpur"
    assert stay.country == "MY"


def test_departure_closes_the_stay_and_must_follow_arrival(db: Session) -> None:
    officer = staff()
    outcome = service.submit_self_report(db, report=report(), actor=officer)
    with pytest.raises(ValidationFailed) as error:
        stays.report_departure(
            db, stay_id=outcome.stay.id, departed_on=date(2020, 1, 1), actor=officer
        )
    assert _problems(error) == {"departed_on": "before_arrival"}
    stay = stays.report_departure(
        db, stay_id=outcome.stay.id, departed_on=date(2025, 1, 1), actor=officer
    )
    assert (stay.status, stay.departed_on) == ("departed", date(2025, 1, 1))


def test_a_departure_after_today_everywhere_is_refused(db: Session) -> None:
    officer = staff()
    outcome = service.submit_self_report(db, report=report(), actor=officer)
    with pytest.raises(ValidationFailed) as error:
        stays.report_departure(
            db,
            stay_id=outcome.stay.id,
            departed_on=stays.latest_today() + timedelta(days=1),
            actor=officer,
        )
    assert _problems(error) == {"departed_on": "in_future"}
    # Today in the earliest time zone (UTC+14) is not the future there.
    stay = stays.report_departure(
        db, stay_id=outcome.stay.id, departed_on=stays.latest_today(), actor=officer
    )
    assert stay.status == "departed"


def test_every_bad_field_is_reported_at_once(db: Session) -> None:
    bad = report(
        nik="3171011705910001",  # birth year 91 disagrees with 1990
        country="KR",
        latitude=35.6762,  # Tokyo is not in Korea
        longitude=139.6503,
        planned_end_date=date(2020, 1, 1),
        purpose="work",
        sector=None,
        phone="12",
    )
    with pytest.raises(ValidationFailed) as error:
        service.submit_self_report(db, report=bad, actor=staff())
    fields = _problems(error)
    assert {"nik", "latitude", "planned_end_date", "sector", "phone"} <= set(fields)
    assert fields["latitude"] == "outside_country"
    assert all(p.message and p.hint for p in error.value.problems)


def test_unknown_country_and_missing_identifiers_are_explained(db: Session) -> None:
    with pytest.raises(ValidationFailed) as error:
        service.submit_self_report(
            db,
            report=report(
                nik=None, passport_number=None, country="XX", latitude=None, longitude=None
            ),
            actor=staff(),
        )
    assert _problems(error) == {"nik": "identifier_required", "country": "unknown_country"}


def test_citizen_cannot_take_over_a_record_owned_by_another_account(db: Session) -> None:
    owner = signed_in_citizen(db, "owner@example.org")
    service.submit_self_report(db, report=report(email="owner@example.org"), actor=owner)
    intruder = signed_in_citizen(db, "intruder@example.org", ip="203.0.113.9")
    outcome = service.submit_self_report(
        db, report=report(email="intruder@example.org"), actor=intruder
    )
    assert isinstance(outcome, service.PendingClaim), "a claim, never the record"
    assert refreshed(db, intruder).person_id is None


def test_citizen_claims_an_officer_made_record_listing_their_address(db: Session) -> None:
    service.submit_self_report(db, report=report(email="yusuf@example.org"), actor=staff())
    citizen = signed_in_citizen(db, "yusuf@example.org")
    outcome = service.submit_self_report(db, report=report(), actor=citizen)
    assert outcome.attached_to_existing and outcome.account_linked
