"""The ``immigration`` and ``placements`` sources of the worker's verification: queued for new
records, run against the real sandboxes, an outage or a malformed answer deferred (never an
error), the states stored per person and source."""

from __future__ import annotations

import json
import uuid
from datetime import timedelta

from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.agencies import verification
from peduli.agencies.models import CheckState, PersonVerification, Source
from peduli.agencies.sandbox import AgencySandboxes
from peduli.agencies.sandbox.travel_population import PassportStatus
from peduli.agencies.travel_models import PassportCheck
from peduli.core.db import get_sessionmaker, utcnow
from tests.agencies.travel_helpers import (
    bp2mi_of,
    immigration_of,
    passport,
    placement,
    worker_in_kuala_lumpur,
)


def _turn(db: Session) -> None:
    db.rollback()
    now = utcnow()
    verification.run_due(get_sessionmaker(), now, since=now - timedelta(days=1))
    db.expire_all()


def _check(db: Session, person_id: uuid.UUID, source: Source) -> PersonVerification:
    db.expire_all()
    return db.get_one(PersonVerification, (person_id, source.value, "record"))


def test_a_new_worker_is_checked_at_both_sources_by_the_next_turn(
    db: Session, agencies: AgencySandboxes
) -> None:
    immigration_of(agencies).add(passport("Y4000001", PassportStatus.LOST))
    bp2mi_of(agencies).add_placement(placement("Y4000001"))
    person_id = worker_in_kuala_lumpur(db, passport="Y4000001")
    _turn(db)
    lost = _check(db, person_id, Source.IMMIGRATION)
    assert (lost.state, json.loads(lost.fields)) == ("mismatch", ["passport_status"])
    assert lost.detail == "reported_lost" and lost.checked_at is not None
    placed = _check(db, person_id, Source.PLACEMENTS)
    assert (placed.state, placed.due_at) == ("verified", None)


def test_a_student_gets_no_placements_check(db: Session, agencies: AgencySandboxes) -> None:
    immigration_of(agencies).add(passport("Y4000002"))
    student = worker_in_kuala_lumpur(db, passport="Y4000002", purpose="study", sector=None,
                                     employer=None, placement_agency=None)  # fmt: skip
    _turn(db)
    assert _check(db, student, Source.IMMIGRATION).state == CheckState.VERIFIED
    db.expire_all()
    sources = db.scalars(
        select(PersonVerification.source).where(PersonVerification.person_id == student)
    ).all()
    assert Source.PLACEMENTS.value not in sources


def test_an_immigration_outage_defers_the_check_and_blocks_nothing(
    db: Session, agencies: AgencySandboxes
) -> None:
    immigration = immigration_of(agencies)
    immigration.add(passport("Y4000003"))
    bp2mi_of(agencies).add_placement(placement("Y4000003"))
    person_id = worker_in_kuala_lumpur(db, passport="Y4000003")
    immigration.faults.switch_on("maintenance", seconds=600)
    before = utcnow()
    _turn(db)
    waiting = _check(db, person_id, Source.IMMIGRATION)
    assert waiting.state == CheckState.UNAVAILABLE
    assert waiting.retry_at is not None and waiting.retry_at >= before + timedelta(seconds=590)
    assert waiting.due_at == waiting.retry_at
    assert _check(db, person_id, Source.PLACEMENTS).state == CheckState.VERIFIED
    assert db.scalar(select(PassportCheck.id)) is None


def test_a_malformed_answer_is_retried_later_and_bp2mi_errors_too(
    db: Session, agencies: AgencySandboxes
) -> None:
    immigration_of(agencies).add(passport("Y4000004"))
    immigration_of(agencies).faults.switch_on("malformed")
    bp2mi = bp2mi_of(agencies)
    bp2mi.add_placement(placement("Y4000004"))
    bp2mi.faults.switch_on("error", status=502)
    person_id = worker_in_kuala_lumpur(db, passport="Y4000004")
    _turn(db)
    for source in (Source.IMMIGRATION, Source.PLACEMENTS):
        check = _check(db, person_id, source)
        assert check.state == CheckState.UNAVAILABLE
        assert check.retry_at is not None
