"""The worker's checks at immigration and BP2MI, against the real sandboxes through the
gateway: each passport status kind, crossings, placements, and faults turned into outcomes."""

from __future__ import annotations

from datetime import UTC, datetime, timedelta

import pytest
from sqlalchemy import select, update
from sqlalchemy.orm import Session

from peduli.agencies import travel
from peduli.agencies.models import AgencyAnswer, CheckState
from peduli.agencies.sandbox import AgencySandboxes
from peduli.agencies.sandbox.travel_population import Crossing, PassportStatus
from peduli.agencies.travel_models import BorderCrossing, PassportCheck, PlacementRecord
from peduli.erasure import STEPS
from tests.agencies.travel_helpers import (
    QUESTION,
    bp2mi_of,
    immigration_of,
    passport,
    placement,
    worker_in_kuala_lumpur,
)


@pytest.mark.parametrize(
    ("status", "state", "fields"),
    [
        (PassportStatus.VALID, CheckState.VERIFIED, ()),
        (PassportStatus.EXPIRED, CheckState.MISMATCH, ("passport_status",)),
        (PassportStatus.LOST, CheckState.MISMATCH, ("passport_status",)),
        (PassportStatus.REVOKED, CheckState.MISMATCH, ("passport_status",)),
        (PassportStatus.REPLACED, CheckState.MISMATCH, ("passport_status",)),
    ],
)
def test_each_passport_status_is_stored_and_judged(
    db: Session, agencies: AgencySandboxes, status: PassportStatus, state: CheckState,
    fields: tuple[str, ...],
) -> None:  # fmt: skip
    newer = "Y9999999" if status == PassportStatus.REPLACED else None
    immigration_of(agencies).add(passport("Y1000001", status, replaced_by=newer))
    person_id = worker_in_kuala_lumpur(db, passport="Y1000001")
    outcome = travel.check_passport(db, person_id=person_id, question=QUESTION)
    db.commit()
    assert (outcome.state, outcome.fields) == (state, fields)
    stored = db.scalars(select(PassportCheck).where(PassportCheck.person_id == person_id)).one()
    assert stored.status == status.value
    assert stored.replaced_by == newer
    assert stored.date_of_birth_match is True


def test_a_birth_date_immigration_does_not_have_is_a_mismatch(
    db: Session, agencies: AgencySandboxes
) -> None:
    immigration_of(agencies).add(passport("Y1000002", born=datetime(1991, 1, 1).date()))
    person_id = worker_in_kuala_lumpur(db, passport="Y1000002")
    outcome = travel.check_passport(db, person_id=person_id, question=QUESTION)
    assert (outcome.state, outcome.fields) == (CheckState.MISMATCH, ("date_of_birth",))


def test_an_unknown_passport_is_not_found(db: Session, agencies: AgencySandboxes) -> None:
    person_id = worker_in_kuala_lumpur(db, passport="Y1000003")
    outcome = travel.check_passport(db, person_id=person_id, question=QUESTION)
    assert outcome.state == CheckState.NOT_FOUND
    assert db.scalar(select(PassportCheck.status)) == "not_found"


def test_crossings_are_cached_a_while_then_replaced(db: Session, agencies: AgencySandboxes) -> None:
    now = datetime.now(UTC)
    crossings = [Crossing("Y1000004", now - timedelta(days=d), "exit", "CGK", "MY")
                 for d in (400, 20)]  # fmt: skip
    immigration = immigration_of(agencies)
    immigration.add(passport("Y1000004"), crossings)
    person_id = worker_in_kuala_lumpur(db, passport="Y1000004")
    travel.check_passport(db, person_id=person_id, question=QUESTION)
    db.commit()
    assert len(db.scalars(select(BorderCrossing)).all()) == 2
    asked = len(immigration.received)
    immigration.add(passport("Y1000004"), crossings[:1])
    travel.check_passport(db, person_id=person_id, question=QUESTION)
    db.commit()
    assert len(immigration.received) == asked  # answered from the cache
    db.execute(update(AgencyAnswer).values(expires_at=now))
    travel.check_passport(db, person_id=person_id, question=QUESTION)
    db.commit()
    assert len(immigration.received) == asked + 2
    (left,) = db.scalars(select(BorderCrossing)).all()
    assert (left.port, left.direction, left.country) == ("CGK", "exit", "MY")


def test_a_worker_placed_in_the_country_of_the_stay_is_verified(
    db: Session, agencies: AgencySandboxes
) -> None:
    bp2mi_of(agencies).add_placement(placement("Y2000001", agency="PT Sinar Jaya Abadi",
                                               licence="SIP3MI-00001"))  # fmt: skip
    person_id = worker_in_kuala_lumpur(db, passport="Y2000001", serial=2)
    outcome = travel.check_placements(db, person_id=person_id, question=QUESTION)
    db.commit()
    assert outcome.state == CheckState.VERIFIED
    stored = db.scalars(select(PlacementRecord)).one()
    assert (stored.employer, stored.agency_name, stored.agency_licence, stored.country) == (
        "Tan family (household)", "PT Sinar Jaya Abadi", "SIP3MI-00001", "MY"
    )  # fmt: skip


def test_a_placement_elsewhere_is_a_country_mismatch(
    db: Session, agencies: AgencySandboxes
) -> None:
    bp2mi_of(agencies).add_placement(placement("Y2000002", country="SA"))
    person_id = worker_in_kuala_lumpur(db, passport="Y2000002", serial=3)
    outcome = travel.check_placements(db, person_id=person_id, question=QUESTION)
    assert (outcome.state, outcome.fields) == (CheckState.MISMATCH, ("country",))


def test_a_worker_unknown_to_bp2mi_is_not_found_and_a_student_not_checkable(
    db: Session, agencies: AgencySandboxes
) -> None:
    worker = worker_in_kuala_lumpur(db, passport="Y2000003", serial=4)
    assert travel.check_placements(db, person_id=worker, question=QUESTION).state == (
        CheckState.NOT_FOUND
    )
    student = worker_in_kuala_lumpur(db, passport="Y2000004", serial=5, purpose="study",
                                     sector=None, employer=None, placement_agency=None)  # fmt: skip
    assert travel.check_placements(db, person_id=student, question=QUESTION).state == (
        CheckState.NOT_CHECKABLE
    )


def test_a_citizens_erasure_deletes_what_the_agencies_said(
    db: Session, agencies: AgencySandboxes
) -> None:
    immigration_of(agencies).add(
        passport("Y5000001"),
        [Crossing("Y5000001", datetime.now(UTC) - timedelta(days=5), "exit", "CGK", "MY")],
    )
    bp2mi_of(agencies).add_placement(placement("Y5000001"))
    person_id = worker_in_kuala_lumpur(db, passport="Y5000001")
    travel.check_passport(db, person_id=person_id, question=QUESTION)
    travel.check_placements(db, person_id=person_id, question=QUESTION)
    db.commit()
    assert travel.ERASURE_STEP in STEPS
    assert travel.ERASURE_STEP.run(db, [person_id], None) == 3
    db.commit()
    for model in (PassportCheck, BorderCrossing, PlacementRecord):
        assert db.scalar(select(model.id)) is None
