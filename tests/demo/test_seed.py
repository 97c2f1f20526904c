"""Bulk seeding: rows the registry reads back as its own, found by search, duplicates flagged."""

from __future__ import annotations

import threading
from datetime import date

import pytest
from sqlalchemy import func, select
from sqlalchemy.orm import Session

from peduli.auth.actor import Role
from peduli.auth.audit import AuditEntry
from peduli.core.errors import Conflict
from peduli.demo import seed as seeding
from peduli.demo.population import Citizen, Population
from peduli.reference.profile import get_profile
from peduli.registry import report_records, search, service
from peduli.registry.models import ContactPoint, DuplicateCandidate, Passport, Person, Stay
from peduli.registry.schemas import PersonSearch
from tests.factories import staff

TODAY = date(2026, 11, 24)
COUNT = 2000
SEED = 77


@pytest.fixture
def seeded(db: Session) -> tuple[seeding.SeedOutcome, list[Citizen]]:
    outcome = seeding.seed_citizens(db, citizens=COUNT, seed=SEED, batch_size=700, today=TODAY)
    db.commit()
    return outcome, list(Population(seed=SEED, today=TODAY).citizens(COUNT))


def _count(db: Session, model: type[object]) -> int:
    return db.scalar(select(func.count()).select_from(model)) or 0


def test_seed_writes_consistent_rows_for_every_table(
    db: Session, seeded: tuple[seeding.SeedOutcome, list[Citizen]]
) -> None:
    outcome, citizens = seeded
    assert _count(db, Person) == outcome.people == COUNT
    assert _count(db, Stay) == outcome.stays == COUNT
    assert _count(db, Passport) == outcome.passports == COUNT
    emails = sum(1 for c in citizens if c.email)
    assert _count(db, ContactPoint) == outcome.contacts == COUNT + emails
    no_post = db.scalar(select(func.count()).where(Stay.representation_code.is_(None)))
    assert no_post == 0, "every stay has the representation of its jurisdiction"
    audit = db.scalars(select(AuditEntry).where(AuditEntry.action == "registry.seed")).all()
    assert len(audit) == 1 and str(SEED) in (audit[0].reason or "")


def test_registry_reads_seeded_people_back_with_decrypted_identifiers(
    db: Session, seeded: tuple[seeding.SeedOutcome, list[Citizen]]
) -> None:
    _outcome, citizens = seeded
    admin = staff(Role.HQ_ADMIN)
    for citizen in citizens[:: COUNT // 10]:
        hits = search.search_people(
            db, query=PersonSearch(passport_number=citizen.passport), actor=admin
        ).hits
        assert len(hits) == 1
        view = service.read_person(db, person_id=hits[0].person.id, actor=admin)
        assert view.nik == citizen.nik
        assert [number for number, _p in view.passports] == [citizen.passport]
        assert view.person.full_name == citizen.full_name
        assert view.person.name_key == report_records.stored_name_key(
            citizen.full_name, get_profile()
        )
        (stay,) = view.stays
        assert (stay.country, stay.city, stay.latitude) == (
            citizen.country,
            citizen.city,
            citizen.latitude,
        )
        assert stay.h3_cell == report_records.h3_cell(citizen.latitude, citizen.longitude)
        expected = report_records.resolve_representation(stay)
        assert stay.representation_code == (expected.code if expected else None)


def test_search_finds_seeded_people_by_nik_and_phone(
    db: Session, seeded: tuple[seeding.SeedOutcome, list[Citizen]]
) -> None:
    _outcome, citizens = seeded
    admin = staff(Role.HQ_ADMIN)
    for citizen in [c for c in citizens if c.nik][:: COUNT // 8]:
        by_nik = search.search_people(db, query=PersonSearch(nik=citizen.nik), actor=admin)
        assert [h.person.full_name for h in by_nik.hits] == [citizen.full_name]
        by_phone = search.search_people(db, query=PersonSearch(phone=citizen.phone), actor=admin)
        assert citizen.full_name in {h.person.full_name for h in by_phone.hits}


def test_officers_see_only_seeded_people_of_their_jurisdiction(
    db: Session, seeded: tuple[seeding.SeedOutcome, list[Citizen]]
) -> None:
    _outcome, citizens = seeded
    in_korea = next(c for c in citizens if c.country == "KR" and c.nik)
    in_malaysia = next(c for c in citizens if c.country == "MY" and c.nik)
    seoul = staff(Role.OFFICER, "kbri-seoul")
    assert search.search_people(db, query=PersonSearch(nik=in_korea.nik), actor=seoul).hits
    assert not search.search_people(db, query=PersonSearch(nik=in_malaysia.nik), actor=seoul).hits


def test_second_reports_are_flagged_for_the_officers(
    db: Session, seeded: tuple[seeding.SeedOutcome, list[Citizen]]
) -> None:
    outcome, citizens = seeded
    seconds = [c for c in citizens if c.duplicate_of is not None]
    assert seconds
    assert outcome.possible_duplicates >= len(seconds)
    assert _count(db, DuplicateCandidate) == outcome.possible_duplicates
    second = seconds[0]
    person = db.scalar(
        select(Person).where(Person.full_name == second.full_name, Person.nik_index.is_(None))
    )
    assert person is not None
    pairs = db.scalars(
        select(DuplicateCandidate).where(
            (DuplicateCandidate.person_id == person.id)
            | (DuplicateCandidate.other_person_id == person.id)
        )
    ).all()
    assert pairs and all(p.status == "open" and p.representation_code for p in pairs)


def test_seeding_the_same_seed_twice_is_refused_and_leaves_nothing(
    db: Session, seeded: tuple[seeding.SeedOutcome, list[Citizen]]
) -> None:
    with pytest.raises(Conflict, match="another --seed"):
        seeding.seed_citizens(db, citizens=10, seed=SEED, today=TODAY)
    db.rollback()
    assert _count(db, Person) == COUNT


def test_a_share_of_the_citizens_also_have_an_earlier_departed_stay(db: Session) -> None:
    outcome = seeding.seed_citizens(
        db, citizens=1500, seed=8, batch_size=400, today=TODAY, stays_per_citizen=1.3
    )
    db.commit()
    assert 1.2 * 1500 < _count(db, Stay) == outcome.stays < 1.4 * 1500
    twice = db.scalars(
        select(Stay.person_id).group_by(Stay.person_id).having(func.count() == 2)
    ).all()
    assert len(twice) == outcome.stays - 1500
    for person_id in twice[:50]:
        earlier, current = db.scalars(
            select(Stay).where(Stay.person_id == person_id).order_by(Stay.arrival_date)
        ).all()
        assert (earlier.status, current.status) == ("departed", "active")
        assert earlier.departed_on is not None and earlier.departed_on < current.arrival_date
        assert earlier.representation_code == current.representation_code


def test_a_stop_ends_the_load_after_the_batch_and_keeps_what_is_in(db: Session) -> None:
    stop = threading.Event()
    stop.set()
    outcome = seeding.seed_citizens(
        db, citizens=3000, seed=9, batch_size=500, today=TODAY, stop=stop
    )
    db.commit()
    assert outcome.people == _count(db, Person) == 500
    citizen = next(iter(Population(seed=9, today=TODAY).citizens(1)))
    admin = staff(Role.HQ_ADMIN)
    hits = search.search_people(db, query=PersonSearch(nik=citizen.nik), actor=admin).hits
    assert [hit.person.full_name for hit in hits] == [citizen.full_name]
