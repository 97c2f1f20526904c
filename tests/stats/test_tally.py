"""The tally keeps the statistics equal to a recount of the registry's rows, whatever the
order of reports, edits, departures, merges and erasures, and a second run moves nothing."""

from __future__ import annotations

import contextlib
import random
import uuid
from collections import Counter
from datetime import date, timedelta

import pytest
from sqlalchemy import Engine, extract, func, select, text
from sqlalchemy.exc import OperationalError
from sqlalchemy.orm import Session

from peduli.auth.actor import Actor, Role
from peduli.core.db import is_postgres, utcnow
from peduli.core.errors import ValidationFailed
from peduli.erasure import STEPS as ERASURE_STEPS
from peduli.merging import STEPS as MERGE_STEPS
from peduli.registry import merging, rights, service, stays
from peduli.registry.models import DuplicateCandidate, Person, Stay
from peduli.registry.schemas import StayUpdate
from peduli.stats import tally
from peduli.stats.models import (
    CitizenFlowDay,
    CitizenStock,
    Dimension,
    StayContribution,
    TallyCursor,
)
from peduli.stats.tally import ALL
from tests.factories import HONG_KONG, KUALA_LUMPUR, SEOUL, nik, report, staff
from tests.plans import updates_of

PLACES = (SEOUL, KUALA_LUMPUR, HONG_KONG)
REGIONS = ("317101", "327301", "517101", "647101")
PURPOSES = ("work", "study", "family", "other")
SECTORS = ("domestic_work", "plantation", "manufacturing", "fishing_crew", None)
HQ = staff(Role.HQ_ADMIN)


def _stock(db: Session) -> Counter[tuple[str, str, str, str]]:
    rows = db.execute(
        select(
            CitizenStock.dimension,
            CitizenStock.value,
            CitizenStock.country,
            CitizenStock.representation_code,
            CitizenStock.n,
        ).where(CitizenStock.n != 0)
    )
    return Counter({tuple(row[:4]): row[4] for row in rows})


def _recount(db: Session) -> Counter[tuple[str, str, str, str]]:
    """The stock counted straight from the stays and people, the slow way."""
    counted: Counter[tuple[str, str, str, str]] = Counter()
    rows = db.execute(
        select(
            Stay.country,
            Stay.representation_code,
            Stay.purpose,
            Stay.sector,
            Person.sex,
            extract("year", Person.date_of_birth),
            Person.home_province,
            Person.verification,
        )
        .join(Person, Person.id == Stay.person_id)
        .where(Stay.status == "active", Person.status == "active")
    )
    for country, post, purpose, sector, sex, year, province, verification in rows:
        values = {
            Dimension.PURPOSE: purpose,
            Dimension.SECTOR: sector or "",
            Dimension.SEX: sex,
            Dimension.BIRTH_YEAR: str(int(year)),
            Dimension.PROVINCE: province or "",
            Dimension.VERIFICATION: verification,
        }
        for dimension, value in values.items():
            for place in _places(country, post or ""):
                counted[(dimension.value, value, *place)] += 1
    return counted


def _places(country: str, post: str) -> list[tuple[str, str]]:
    """A stay's own (country, post) and its roll-ups."""
    return [(country, post), (country, ALL), (ALL, post), (ALL, ALL)]


def _flows(db: Session) -> Counter[tuple[str, str, str]]:
    f = CitizenFlowDay
    rows = db.execute(
        select(f.kind, f.country, f.representation_code, func.sum(f.n)).group_by(
            f.kind, f.country, f.representation_code
        )
    )
    return Counter({(kind, country, post): int(n) for kind, country, post, n in rows if n})


def _recount_flows(db: Session) -> Counter[tuple[str, str, str]]:
    counted: Counter[tuple[str, str, str]] = Counter()
    rows = db.execute(
        select(Stay.country, Stay.representation_code, Stay.departed_on, Stay.source)
        .join(Person, Person.id == Stay.person_id)
        .where(Person.status == "active")
    )
    for country, post, departed_on, source in rows:
        for place in _places(country, post or ""):
            counted[("arrival", *place)] += 1
            if departed_on is not None:
                counted[("departure", *place)] += 1
            if source == "self_report":
                counted[("self_report", *place)] += 1
    return counted


def _settle(db: Session) -> None:
    db.commit()
    tally.refresh(db, utcnow())
    db.commit()


def _report(db: Session, rng: random.Random) -> None:
    born = date(rng.randint(1950, 2006), rng.randint(1, 12), rng.randint(1, 28))
    sex = rng.choice("MF")
    serial = rng.randint(1, 9999)
    purpose = rng.choice(PURPOSES)
    values = {
        **rng.choice(PLACES),
        # Some report without a NIK (they can be merged into a record that has one).
        "nik": nik(born=born, sex=sex, serial=serial, region=rng.choice(REGIONS))
        if rng.random() < 0.6
        else None,
        "passport_number": f"C{rng.randint(1000000, 9999999)}",
        "full_name": f"Warga {uuid.uuid4().hex[:8]}",
        "phone": f"+8210{rng.randint(10000000, 99999999)}",
        "email": f"{uuid.uuid4().hex[:10]}@example.org",
        "purpose": purpose,
        "sector": rng.choice(SECTORS[:-1]) if purpose == "work" else None,
    }
    service.submit_self_report(db, report=report(date_of_birth=born, sex=sex, **values), actor=HQ)


def _random_stay(db: Session, rng: random.Random) -> Stay | None:
    ids = list(db.scalars(select(Stay.id).where(Stay.status == "active").order_by(Stay.id)))
    return db.get(Stay, rng.choice(ids)) if ids else None


def _active_people(db: Session) -> list[uuid.UUID]:
    return list(db.scalars(select(Person.id).where(Person.status == "active").order_by(Person.id)))


def _operate(db: Session, rng: random.Random) -> None:
    operation = rng.choice(
        ("report", "report", "edit", "move", "depart", "merge", "erase", "person")
    )
    if operation == "report":
        _report(db, rng)
        return
    if operation in ("merge", "erase", "person"):
        people = _active_people(db)
        if len(people) < 2:
            return
        if operation == "merge":
            without_nik = set(
                db.scalars(
                    select(Person.id).where(Person.nik_index.is_(None), Person.status == "active")
                )
            )
            if not without_nik:
                return
            other = rng.choice(sorted(without_nik))
            keep = rng.choice([p for p in people if p != other])
            pair = DuplicateCandidate(
                person_id=keep,
                other_person_id=other,
                score=0.9,
                reason="test",
                representation_code=None,
            )
            db.add(pair)
            db.flush()
            merging.merge(
                db, candidate_id=pair.id, keep_person_id=keep, actor=HQ, steps=MERGE_STEPS
            )
        elif operation == "erase":
            citizen = Actor(
                role=Role.CITIZEN,
                account_id=uuid.uuid4(),
                display="c",
                person_id=rng.choice(people),
            )
            rights.delete_own_data(db, actor=citizen, steps=ERASURE_STEPS)
        else:
            person = db.get_one(Person, rng.choice(people))
            person.home_province = rng.choice(("31", "32", "51", "64"))
            person.sex = rng.choice("MF")
            person.verification = rng.choice(("unverified", "verified", "rejected"))
        return
    stay = _random_stay(db, rng)
    if stay is None:
        return
    if operation == "edit":
        changes = StayUpdate(purpose="work", sector=rng.choice(SECTORS[:-1]))
        if rng.random() < 0.3:
            changes = StayUpdate(purpose=rng.choice(PURPOSES[1:]))
        stays.update_stay(db, stay_id=stay.id, changes=changes, actor=HQ)
    elif operation == "move":
        place = rng.choice(PLACES)
        changes = StayUpdate(country=place["country"], city=place["city"])
        stays.update_stay(db, stay_id=stay.id, changes=changes, actor=HQ)
    else:
        departed = max(stay.arrival_date, date.today() - timedelta(days=rng.randint(0, 30)))
        stays.report_departure(db, stay_id=stay.id, departed_on=departed, actor=HQ)


def test_random_operations_leave_the_aggregates_equal_to_a_recount(db: Session) -> None:
    rng = random.Random(17)
    for round_ in range(8):
        for _ in range(12):
            # A refused operation changed nothing (e.g. a move without a position).
            with contextlib.suppress(ValidationFailed):
                _operate(db, rng)
        _settle(db)
        assert _stock(db) == _recount(db), f"stock after round {round_}"
        assert _flows(db) == _recount_flows(db), f"flows after round {round_}"
    # People were left to count (how many depends on the random ids the choices fall on).
    assert _stock(db)[("sex", "M", ALL, ALL)] + _stock(db)[("sex", "F", ALL, ALL)] > 0
    before = (_stock(db), _flows(db))
    tally.apply(db, list(db.scalars(select(StayContribution.stay_id))))
    db.commit()
    assert (_stock(db), _flows(db)) == before, "applying again moves nothing"


def test_a_rebuild_counts_what_the_tally_counted(db: Session) -> None:
    rng = random.Random(3)
    for _ in range(15):
        with contextlib.suppress(ValidationFailed):
            _operate(db, rng)
    _settle(db)
    counted = _stock(db)
    tally.rebuild(db)
    db.commit()
    assert _stock(db) == counted == _recount(db)


def test_a_second_worker_waits_for_the_lease(db: Session) -> None:
    now = utcnow()
    assert tally.take_lease(db, owner="one", now=now)
    assert not tally.take_lease(db, owner="two", now=now)
    assert tally.take_lease(db, owner="two", now=now + tally.LEASE + timedelta(seconds=1))


def test_a_change_committed_after_the_cursor_passed_it_is_still_counted(db: Session) -> None:
    rng = random.Random(5)
    _report(db, rng)
    _settle(db)
    _report(db, rng)
    db.commit()
    # The second report's transaction "committed late": stamped before rows already read.
    late = db.scalars(select(Stay).order_by(Stay.created_at.desc()).limit(1)).one()
    cursor_at = db.scalar(select(TallyCursor.seen_at).where(TallyCursor.name == tally.STAYS))
    assert cursor_at is not None
    late.updated_at = cursor_at - timedelta(seconds=3)
    db.get_one(Person, late.person_id).updated_at = cursor_at - timedelta(seconds=3)
    db.commit()
    _settle(db)
    assert _stock(db) == _recount(db)
    assert (
        sum(n for key, n in _stock(db).items() if key[0] == "sex" and key[2] == ALL == key[3]) == 2
    )


def test_a_transaction_open_longer_than_the_overlap_is_counted_when_it_commits(
    db: Session, clean_engine: Engine
) -> None:
    """On PostgreSQL: a stay changed in a transaction that stays open while the tally reads
    past it, for longer than the overlap, is counted once it commits."""
    if not is_postgres(db):
        pytest.skip("SQLite's single writer keeps every transaction short")
    rng = random.Random(11)
    for _ in range(2):
        _report(db, rng)
    _settle(db)
    slow, quick = db.scalars(select(Stay).order_by(Stay.created_at)).all()
    with Session(clean_engine) as long_transaction:
        moved = "study" if slow.purpose != "study" else "work"
        long_transaction.get_one(Stay, slow.id).purpose = moved
        long_transaction.flush()  # stamped now, and holding a transaction id
        other = "family" if quick.purpose != "family" else "other"
        stays.update_stay(db, stay_id=quick.id, changes=StayUpdate(purpose=other), actor=HQ)
        db.commit()
        later = utcnow() + 3 * tally.OVERLAP  # the cursor and the overlap are past the stamp
        tally.refresh(db, later)
        db.commit()
        long_transaction.commit()
    tally.refresh(db, later + timedelta(seconds=2))
    db.commit()
    assert _stock(db) == _recount(db)
    assert (
        _stock(db)[("purpose", "study", ALL, ALL)] == _recount(db)[("purpose", "study", ALL, ALL)]
    )


def test_a_round_with_nothing_new_leaves_the_cursors_unwritten(db: Session) -> None:
    """The worker runs a round every few seconds: a quiet registry costs no cursor writes."""
    _report(db, random.Random(3))
    _settle(db)
    quiet = utcnow() + 3 * tally.OVERLAP  # the overlap is past every stamp
    tally.refresh(db, quiet)
    db.commit()
    with updates_of(db, "stats_tally_cursor") as sent:
        tally.refresh(db, quiet + timedelta(seconds=2))
        db.commit()
    assert [s for s, _p in sent if "seen_at" in s] == []
    assert len(sent) == 2  # the lease taken and given back


def test_a_rebuild_waits_for_a_workers_round_before_it_writes_anything(
    db: Session, clean_engine: Engine
) -> None:
    """On PostgreSQL: a rebuild started while a worker's round is in flight waits for it at
    the cursors, holding nothing; writing at once, the two deadlocked on each other's
    contributions and stock (the 1 M load test, right after its seed)."""
    if not is_postgres(db):
        pytest.skip("SQLite's single writer keeps every transaction short")
    _report(db, random.Random(1))
    _settle(db)  # the cursors exist, as in a registry in service
    for seed in range(2, 4):
        _report(db, random.Random(seed))
    db.commit()
    with Session(clean_engine) as worker, Session(clean_engine) as rebuilding:
        assert tally.refresh(worker, utcnow() + 3 * tally.OVERLAP) == 2  # not committed yet
        rebuilding.execute(text("SET lock_timeout = '300ms'"))
        with pytest.raises(OperationalError, match="lock timeout") as waited:
            tally.rebuild(rebuilding)
        assert "stats_tally_cursor" in str(waited.value.statement), "it waited at the cursors"
        rebuilding.rollback()
        worker.commit()
        tally.rebuild(rebuilding)
        rebuilding.commit()
    assert _stock(db) == _recount(db)
