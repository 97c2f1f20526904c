"""The demo shows, in its officers' posts, a passport reported lost and a worker placed by an
unlicensed agency: people of the demo's own generator, known as such to the sandboxes."""

from __future__ import annotations

from datetime import UTC, datetime

import pytest
from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.agencies import licences, travel_records
from peduli.agencies.models import RECORD, PersonVerification
from peduli.agencies.sandbox import start_agency_sandboxes
from peduli.agencies.sandbox import travel_population as population
from peduli.agencies.sandbox.population import demo_residents
from peduli.agencies.sandbox.travel_population import LicenceStatus, PassportStatus
from peduli.auth.actor import Role
from peduli.core.config import get_settings
from peduli.core.crypto import get_cipher
from peduli.core.db import utcnow
from peduli.demo import seed as seeding
from peduli.demo.cases import DEMO_POSTS
from peduli.demo.travel import check_demo_travellers, ensure_demo_travel, find_demo_travellers
from peduli.registry.models import PASSPORT_PURPOSE, Passport, Stay
from tests.factories import staff

CITIZENS = 2000


def test_the_demo_has_a_lost_passport_and_an_unlicensed_agency_in_its_posts(db: Session) -> None:
    seeding.seed_citizens(db, citizens=CITIZENS, seed=2026, batch_size=CITIZENS)
    found = find_demo_travellers(db, size=CITIZENS)
    assert found.lost_passport is not None
    assert found.unlicensed_agency is not None
    people = demo_residents(seed=2026, seeded=CITIZENS)
    records = population.of_citizens((r.citizen for r in people), today=datetime.now(UTC).date())
    cipher = get_cipher()

    def number_of(person_id: object) -> str:
        sealed = db.scalar(
            select(Passport.number_encrypted).where(
                Passport.person_id == person_id, Passport.is_current.is_(True)
            )
        )
        return cipher.decrypt(str(sealed), purpose=PASSPORT_PURPOSE)

    lost = found.lost_passport
    assert records.passports[number_of(lost.person_id)].status == PassportStatus.LOST
    worker = found.unlicensed_agency
    (placement,) = records.placements_of(nik=None, passport=number_of(worker.person_id))
    assert population.agency_status(str(placement.agency_name)) != LicenceStatus.ACTIVE
    assert {lost.representation_code, worker.representation_code} <= set(DEMO_POSTS)
    stay_agency = db.scalar(select(Stay.placement_agency).where(Stay.person_id == worker.person_id))
    assert stay_agency == placement.agency_name


def test_the_demo_travellers_are_checked_against_the_sandboxes_at_start(
    db: Session, monkeypatch: pytest.MonkeyPatch
) -> None:
    seeding.seed_citizens(db, citizens=CITIZENS, seed=2026, batch_size=CITIZENS)
    found = ensure_demo_travel(db)
    db.commit()
    handles = start_agency_sandboxes(ports={"immigration": 0, "bp2mi": 0},
                                     agencies=["immigration", "bp2mi"])  # fmt: skip
    try:
        for name, url in handles.urls().items():
            monkeypatch.setenv(f"PEDULI_AGENCY_{name.upper()}_URL", url)
        get_settings.cache_clear()
        check_demo_travellers(db)
        licences.refresh(db, utcnow())
        db.commit()
    finally:
        handles.stop()
        monkeypatch.undo()
        get_settings.cache_clear()
    assert found.lost_passport is not None and found.unlicensed_agency is not None
    lost = db.get_one(PersonVerification, (found.lost_passport.person_id, "immigration", RECORD))
    assert (lost.state, lost.detail) == ("mismatch", "reported_lost")
    worker = found.unlicensed_agency
    placed = db.get_one(PersonVerification, (worker.person_id, "placements", RECORD))
    assert placed.state in {"verified", "mismatch"}
    officer = staff(Role.OFFICER, worker.representation_code)
    view = travel_records.travel_of(db, actor=officer, person_id=worker.person_id)
    assert view.placements and view.unlicensed
