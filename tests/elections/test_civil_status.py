"""The civil registry's marital status on the voter list: asked for every citizen abroad
when an election is declared, answered by the sandbox through the worker; a married citizen
under 17 per the civil registry is listed, and a status the committee recorded that the
civil registry contradicts is a blocking problem."""

from __future__ import annotations

import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.agencies import verification
from peduli.agencies.models import MARITAL_STATUS, CheckState, PersonVerification, Source
from peduli.agencies.sandbox.civil_registry import CivilRecord, CivilRegistrySandbox
from peduli.auth.actor import Role
from peduli.core.db import get_sessionmaker, utcnow
from peduli.core.errors import Conflict
from peduli.elections import checks, repository
from peduli.elections.models import VoterEntry
from tests.agencies.conftest import agencies, civil_registry  # noqa: F401  (fixtures)
from tests.elections.conftest import ELECTION_DAY, SEOUL, election, facts, generated, person
from tests.elections.conftest import officer as staff_of
from tests.factories import nik

SUPERVISOR = staff_of(SEOUL, Role.SUPERVISOR)
YOUNG = ELECTION_DAY.replace(year=ELECTION_DAY.year - 16)  # 16 on election day


def _known(sandbox: CivilRegistrySandbox, serial: int, born: date, status: str) -> None:
    sandbox.add(CivilRecord(nik=nik(born=born, sex="F", serial=serial), full_name="x",
                            date_of_birth=born.isoformat(), place_of_birth="Bogor", sex="F",
                            mother_name="Sri Wahyuni", marital_status=status))  # fmt: skip


def _answered(db: Session) -> int:
    """One worker turn over the queued checks (the test's session holds no transaction)."""
    db.commit()
    handled = verification.run_due(get_sessionmaker(), utcnow(), since=None)
    db.expire_all()
    return handled


def _listed(db: Session) -> dict[uuid.UUID, bool | None]:
    return dict(db.execute(select(VoterEntry.person_id, VoterEntry.ever_married)).all())


@pytest.fixture
def answered(db: Session, civil_registry: CivilRegistrySandbox) -> dict[str, uuid.UUID]:  # noqa: F811
    """A 16-year-old married per the civil registry, one not, and an adult the committee
    recorded as never married whom the civil registry has married; the registry answered."""
    _known(civil_registry, 1, YOUNG, "kawin")
    _known(civil_registry, 2, YOUNG, "belum_kawin")
    _known(civil_registry, 3, date(1990, 5, 17), "cerai_hidup")
    people = {
        "married_young": person(db, 1, name="Ayu Muda", born=YOUNG),
        "young": person(db, 2, name="Bunga Muda", born=YOUNG),
        "adult": person(db, 3, name="Citra Dewasa"),
    }
    facts(db, people["adult"], ever_married=False)
    made = election(db)
    db.info["election"] = made.id
    asked = db.scalars(
        select(PersonVerification.person_id).where(
            PersonVerification.subject == MARITAL_STATUS,
            PersonVerification.purpose == "elections",
            PersonVerification.due_at.is_not(None),
        )
    ).all()
    assert set(asked) == set(people.values()), "every citizen abroad is asked"
    assert _answered(db) == 3
    return people


def test_a_married_citizen_under_17_per_the_civil_registry_is_listed(
    db: Session, answered: dict[str, uuid.UUID]
) -> None:
    generated(db, db.info["election"])
    listed = _listed(db)
    assert listed.get(answered["married_young"]) is True
    assert answered["young"] not in listed
    assert listed[answered["adult"]] is True, "married per either source: married"


def test_a_contradiction_with_the_civil_registrys_status_blocks_until_resolved(
    db: Session, answered: dict[str, uuid.UUID]
) -> None:
    election_id = db.info["election"]
    generated(db, election_id)
    checks.run_checks(db, election_id=election_id, post=None, actor=SUPERVISOR)
    [voter_list] = repository.lists_of_round(db, election_id=election_id, where=True)  # Seoul
    found = {
        (name, p.kind): p
        for p, name in repository.problems(db, list_id=voter_list.id, open_only=True)
    }
    problem = found[("Citra Dewasa", "marital_status")]
    assert problem.blocking and problem.detail == "ever_married"
    assert ("Ayu Muda", "marital_status") not in found, "no status recorded: nothing to contradict"
    with pytest.raises(Conflict):
        checks.fix(db, election_id=election_id, post=None, actor=SUPERVISOR)
    checks.resolve(db, election_id=election_id, problem_id=problem.id, strike=False,
                   note="divorced in 2020, certificate seen", actor=SUPERVISOR)  # fmt: skip
    facts(db, answered["adult"], ever_married=True)
    checks.run_checks(db, election_id=election_id, post=None, actor=SUPERVISOR)
    assert checks.fix(db, election_id=election_id, post=None, actor=SUPERVISOR).state == "fixed"


def test_an_answer_older_than_the_election_is_asked_again(
    db: Session, answered: dict[str, uuid.UUID]
) -> None:
    db.execute(
        PersonVerification.__table__.update()
        .where(PersonVerification.subject == MARITAL_STATUS)
        .values(checked_at=utcnow() - timedelta(days=400))
    )
    election(db, ELECTION_DAY + timedelta(days=365))
    due = db.scalars(
        select(PersonVerification.state).where(
            PersonVerification.subject == MARITAL_STATUS,
            PersonVerification.source == Source.CIVIL_REGISTRY.value,
        )
    ).all()
    assert due == [CheckState.QUEUED.value] * 3
