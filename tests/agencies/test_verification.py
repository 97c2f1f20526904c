"""Verification by the worker against the real sandbox civil registry: each state, an outage
deferred and retried, and an identity claim proven by a match."""

from __future__ import annotations

import json
import threading
import time
import uuid
from datetime import date, timedelta

import pytest
from sqlalchemy import func, select, update
from sqlalchemy.orm import Session

from peduli.agencies import verification
from peduli.agencies.models import AgencyMessage, CheckState, PersonVerification, Source
from peduli.agencies.sandbox.civil_registry import CivilRecord, CivilRegistrySandbox
from peduli.agencies.sandbox.faults import FaultMode
from peduli.core.config import get_settings
from peduli.core.db import get_sessionmaker, utcnow
from peduli.registry import service
from peduli.registry.models import ClaimProof, ClaimStatus, IdentityClaim
from tests.factories import nik, report, signed_in_citizen, staff

BORN = date(1990, 5, 17)


def _record(**changes: object) -> CivilRecord:
    values: dict[str, object] = {
        "nik": nik(born=BORN, sex="M"),
        "full_name": "Muhammad Yusuf",
        "date_of_birth": BORN.isoformat(),
        "place_of_birth": "Bogor",
        "sex": "M",
        "mother_name": "Sri Wahyuni",
    }
    return CivilRecord(**(values | changes))  # type: ignore[arg-type]


def _reported(db: Session, **changes: object) -> uuid.UUID:
    outcome = service.submit_self_report(
        db, report=report(place_of_birth="Bogor", **changes), actor=staff()
    )
    assert isinstance(outcome, service.SelfReportOutcome)
    person_id = outcome.person.id
    db.commit()
    return person_id


def _turn(db: Session) -> int:
    """One worker turn, in sessions of its own (the test's session holds no transaction)."""
    db.rollback()
    now = utcnow()
    handled = verification.run_due(get_sessionmaker(), now, since=now - timedelta(days=1))
    db.expire_all()
    return handled


def _state(db: Session, person_id: uuid.UUID, subject: str = "record") -> PersonVerification:
    db.expire_all()
    return db.get_one(PersonVerification, (person_id, Source.CIVIL_REGISTRY.value, subject))


def test_a_new_self_report_is_verified_by_the_next_turn(
    db: Session, civil_registry: CivilRegistrySandbox
) -> None:
    civil_registry.add(_record())
    person = _reported(db)
    assert _turn(db) == 3  # the civil registry, immigration and placements checks
    check = _state(db, person)
    assert (check.state, json.loads(check.fields), check.due_at) == ("verified", [], None)
    assert check.checked_at is not None
    assert check.name_score == 100.0
    assert _turn(db) == 0  # checked once, not at every turn


def test_a_birth_place_written_otherwise_is_a_mismatch_on_that_field(
    db: Session, civil_registry: CivilRegistrySandbox
) -> None:
    civil_registry.add(_record(place_of_birth="Jakarta"))
    person = _reported(db)
    _turn(db)
    check = _state(db, person)
    assert (check.state, json.loads(check.fields)) == ("mismatch", ["place_of_birth"])


def test_an_unknown_nik_is_not_found_and_a_deceased_holder_a_mismatch(
    db: Session, civil_registry: CivilRegistrySandbox
) -> None:
    unknown = _reported(db)
    _turn(db)
    assert _state(db, unknown).state == CheckState.NOT_FOUND
    civil_registry.add(_record(nik=nik(born=BORN, sex="M", serial=2), alive=False))
    late = _reported(
        db, nik=nik(born=BORN, sex="M", serial=2), passport_number="C2222222",
        email="other@example.org", phone="+821022223333", full_name="Joko Widodo",
    )  # fmt: skip
    _turn(db)
    check = _state(db, late)
    assert (check.state, json.loads(check.fields)) == ("mismatch", ["full_name", "active"])


def test_an_outage_defers_every_check_with_one_call_then_they_are_retried(
    db: Session, civil_registry: CivilRegistrySandbox
) -> None:
    civil_registry.add(_record())
    civil_registry.add(_record(nik=nik(born=BORN, sex="M", serial=2), full_name="Budi"))
    first = _reported(db)
    second = _reported(
        db, nik=nik(born=BORN, sex="M", serial=2), passport_number="C2222222",
        email="budi@example.org", phone="+821022223333", full_name="Budi",
    )  # fmt: skip
    civil_registry.faults.switch_on(FaultMode.MAINTENANCE, seconds=600)
    before = utcnow()
    _turn(db)
    for person in (first, second):
        check = _state(db, person)
        assert check.state == CheckState.UNAVAILABLE
        assert check.retry_at is not None
        assert check.retry_at >= before + timedelta(seconds=590)
        assert check.due_at == check.retry_at
    assert len(civil_registry.received) == 0  # maintenance answered before any operation
    sent = db.scalar(
        select(func.count())
        .select_from(AgencyMessage)
        .where(AgencyMessage.direction == "request", AgencyMessage.agency == "civil_registry")
    )
    assert sent == 1  # the other check waited without a call
    assert _turn(db) == 0  # nothing due before the retry time
    civil_registry.faults.switch_off()
    db.execute(
        update(PersonVerification).values(due_at=utcnow() - timedelta(seconds=1))
    )  # the retry time has come (and the breaker's open time is over)
    db.commit()
    _reopen_breaker(db)
    _turn(db)
    assert {_state(db, first).state, _state(db, second).state} == {CheckState.VERIFIED}


def _reopen_breaker(db: Session) -> None:
    from peduli.agencies.models import AgencyBreaker

    db.execute(update(AgencyBreaker).values(opened_until=utcnow() - timedelta(seconds=1)))
    db.commit()


def _claim(db: Session, **changes: object) -> tuple[uuid.UUID, uuid.UUID]:
    service.submit_self_report(db, report=report(place_of_birth="Bogor"), actor=staff())
    db.commit()
    citizen = signed_in_citizen(db, "claimant@example.org")
    outcome = service.submit_self_report(
        db,
        report=report(
            place_of_birth="Bogor", email="claimant@example.org", phone="+821099998888",
            passport_number="C7777777", **changes,
        ),
        actor=citizen,
    )  # fmt: skip
    assert isinstance(outcome, service.PendingClaim)
    claim = outcome.claim
    ids = (claim.id, claim.person_id)
    db.commit()
    return ids


def test_a_claim_matching_with_the_mothers_name_is_proven(
    db: Session, civil_registry: CivilRegistrySandbox
) -> None:
    civil_registry.add(_record())
    claim_id, person_id = _claim(db, mother_name="Sri Wahyuni")
    _turn(db)
    proven = db.get_one(IdentityClaim, claim_id)
    assert (proven.status, proven.proof) == (ClaimStatus.PROVEN, ClaimProof.CIVIL_REGISTRY)
    assert _state(db, person_id, str(claim_id)).state == CheckState.VERIFIED


def test_a_claim_with_another_mothers_name_stays_for_an_officer(
    db: Session, civil_registry: CivilRegistrySandbox
) -> None:
    civil_registry.add(_record())
    claim_id, person_id = _claim(db, mother_name="Dewi Lestari")
    _turn(db)
    assert db.get_one(IdentityClaim, claim_id).status == ClaimStatus.PENDING
    check = _state(db, person_id, str(claim_id))
    assert (check.state, json.loads(check.fields)) == ("mismatch", ["mother_name"])


def test_a_claim_without_the_mothers_name_is_not_proven(
    db: Session, civil_registry: CivilRegistrySandbox
) -> None:
    civil_registry.add(_record())
    claim_id, _person_id = _claim(db)
    _turn(db)
    assert db.get_one(IdentityClaim, claim_id).status == ClaimStatus.PENDING


def test_a_slow_agency_holds_no_transaction_so_other_writes_go_on(
    db: Session, civil_registry: CivilRegistrySandbox, monkeypatch: pytest.MonkeyPatch
) -> None:
    """On SQLite a transaction open during the call would hold the one writer's lock: a
    citizen's self-report would wait for the agency. The worker asks with none open."""
    monkeypatch.setenv("PEDULI_AGENCY_TIMEOUT_SECONDS", "8")
    get_settings.cache_clear()
    civil_registry.add(_record())
    person = _reported(db)
    civil_registry.faults.switch_on(FaultMode.SLOW, seconds=3)
    turn = threading.Thread(target=_turn, args=(get_sessionmaker()(),))
    turn.start()
    key = (person, Source.CIVIL_REGISTRY.value, "record")
    while db.scalar(select(PersonVerification.lease_until).filter_by(person_id=key[0],
                    source=key[1], subject=key[2])) is None:  # fmt: skip
        db.rollback()
        time.sleep(0.05)
    db.rollback()
    time.sleep(0.3)  # the worker is on the network now (the other sources answer at once)
    started = time.monotonic()
    with get_sessionmaker()() as other, other.begin():
        service.submit_self_report(
            other, report=report(nik=nik(born=BORN, sex="M", serial=9), full_name="Dewo",
                                 passport_number="C9999999", email="dewi@example.org",
                                 phone="+821099990000"),
            actor=staff(),
        )  # fmt: skip
    waited = time.monotonic() - started
    assert turn.is_alive(), "the agency answered before the write: the test proves nothing"
    assert waited < 1.5
    turn.join(timeout=15)
    check = _state(db, person)
    assert (check.state, check.lease_until, check.due_at) == ("verified", None, None)


def test_an_answer_is_dropped_when_the_lease_was_taken_by_another_worker(
    db: Session, civil_registry: CivilRegistrySandbox
) -> None:
    civil_registry.add(_record())
    person = _reported(db)
    verification.queue_new_records(db, utcnow(), since=utcnow() - timedelta(days=1))
    keys, lease = verification.take_due(db, utcnow())
    db.commit()
    key = next(k for k in keys if k[0] == person and k[1] == Source.CIVIL_REGISTRY.value)
    db.execute(  # the lease ran out and another worker took the check
        update(PersonVerification)
        .where(PersonVerification.person_id == person)
        .values(lease_until=lease + timedelta(seconds=5))
    )
    db.commit()
    with get_sessionmaker()() as session:
        assert verification.run_one(session, key, utcnow(), lease) is None
        session.commit()
    check = _state(db, person)
    assert (check.state, check.attempts) == (CheckState.QUEUED, 0)
    db.rollback()  # the test's session holds no transaction (SQLite: one writer)
    with get_sessionmaker()() as session:
        check = session.get_one(PersonVerification, key)
        assert check.lease_until is not None
        assert verification.run_one(session, key, utcnow(), check.lease_until) is not None
        session.commit()
    assert _state(db, person).state == CheckState.VERIFIED
    asked = db.scalar(
        select(func.count())
        .select_from(AgencyMessage)
        .where(AgencyMessage.direction == "request", AgencyMessage.agency == "civil_registry")
    )
    assert asked == 1  # the dropped worker never called: the lease was gone before the call


def test_two_workers_queueing_the_same_new_person_at_once_both_succeed(db: Session) -> None:
    if db.get_bind().dialect.name != "postgresql":
        pytest.skip("concurrent workers need PostgreSQL; SQLite runs one worker")
    person = _reported(db)
    since = utcnow() - timedelta(days=1)
    first = get_sessionmaker()()  # one worker's turn, not committed yet
    failed: list[BaseException] = []

    def second_turn() -> None:  # the other worker's, which saw no check either
        try:
            with get_sessionmaker()() as session, session.begin():
                verification.queue_new_records(session, utcnow(), since=since)
        except BaseException as error:
            failed.append(error)

    try:
        assert verification.queue_new_records(first, utcnow(), since=since) >= 1
        turn = threading.Thread(target=second_turn)
        turn.start()
        time.sleep(0.5)  # the second waits on the first's row of the same key
        first.commit()
        turn.join(timeout=15)
    finally:
        first.close()

    assert failed == []
    assert _state(db, person).state == CheckState.QUEUED.value
