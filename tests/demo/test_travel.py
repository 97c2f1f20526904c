"""The demo shows, in its officers' posts, a passport reported lost and a worker placed by an
unlicensed agency: people of the demo's own generator, known as such to the sandboxes."""

from __future__ import annotations

from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.agencies.sandbox import travel_population as population
from peduli.agencies.sandbox.population import demo_residents
from peduli.agencies.sandbox.travel_population import LicenceStatus, PassportStatus
from peduli.core.crypto import get_cipher
from peduli.demo import seed as seeding
from peduli.demo.cases import DEMO_POSTS
from peduli.demo.travel import find_demo_travellers
from peduli.registry.models import PASSPORT_PURPOSE, Passport, Stay

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
    for traveller in (lost, worker):
        assert traveller.representation_code in DEMO_POSTS
        stay_agency = db.scalar(
            select(Stay.placement_agency).where(Stay.person_id == worker.person_id)
        )
        assert stay_agency == placement.agency_name
