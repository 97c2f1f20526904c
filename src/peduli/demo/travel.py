"""The demo's travel records: in the demo officers' posts, one person whose passport the
sandbox immigration service has as reported lost, and one migrant worker placed by an agency
without a licence (revoked or never granted). Both come from the same generator as the demo's
people (``agencies.sandbox.travel_population``), so they are found, not made up; their
checks are then queued for the demo's worker, which asks the sandboxes."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import UTC, datetime

from sqlalchemy import select
from sqlalchemy.orm import Session

from peduli.agencies import travel, verification
from peduli.agencies.envelope import Purpose
from peduli.agencies.models import RECORD, Source
from peduli.agencies.sandbox import travel_population as population
from peduli.agencies.sandbox.population import DEMO_CITIZENS, DEMO_SEED, demo_residents
from peduli.agencies.sandbox.travel_population import LicenceStatus, PassportStatus
from peduli.core.crypto import get_cipher
from peduli.core.db import utcnow
from peduli.demo.cases import DEMO_POSTS
from peduli.registry.models import PASSPORT_PURPOSE, Passport, Person, Stay, StayStatus


@dataclass(frozen=True)
class DemoTraveller:
    """A demo person worth showing, and the post that serves them."""

    person_id: uuid.UUID
    full_name: str
    representation_code: str


@dataclass(frozen=True)
class DemoTravellers:
    """The person with a passport reported lost, the worker of an unlicensed agency."""

    lost_passport: DemoTraveller | None
    unlicensed_agency: DemoTraveller | None


def find_demo_travellers(
    session: Session, *, seed: int = DEMO_SEED, size: int = DEMO_CITIZENS
) -> DemoTravellers:
    """The first such people of the demo posts (in the posts' order), by one query each,
    among the people the sandboxes know (``demo_residents``)."""
    people = demo_residents(seed=seed, seeded=size)
    records = population.of_citizens((r.citizen for r in people), today=datetime.now(UTC).date())
    lost = [n for n, p in records.passports.items() if p.status == PassportStatus.LOST]
    unlicensed = [
        str(p.passport_number)
        for p in records.placements
        if p.passport_number
        and p.agency_name
        and population.agency_status(p.agency_name) != LicenceStatus.ACTIVE
    ]
    return DemoTravellers(
        lost_passport=_first_in_demo_posts(session, lost),
        unlicensed_agency=_first_in_demo_posts(session, unlicensed),
    )


def _first_in_demo_posts(session: Session, numbers: list[str]) -> DemoTraveller | None:
    cipher = get_cipher()
    indexes = [cipher.blind_index(n, purpose=PASSPORT_PURPOSE) for n in numbers]
    rows = session.execute(
        select(Person.id, Person.full_name, Stay.representation_code)
        .join(Passport, Passport.person_id == Person.id)
        .join(Stay, Stay.person_id == Person.id)
        .where(
            Passport.number_index.in_(indexes),
            Passport.is_current.is_(True),
            Stay.status == StayStatus.ACTIVE,
            Stay.representation_code.in_(DEMO_POSTS),
        )
        .order_by(Person.full_name, Person.id)
    ).all()
    for post in DEMO_POSTS:
        for person_id, name, code in rows:
            if code == post:
                return DemoTraveller(person_id, name, code)
    return None


def _wanted(found: DemoTravellers) -> list[tuple[uuid.UUID, Source]]:
    wanted = []
    if found.lost_passport is not None:
        wanted.append((found.lost_passport.person_id, Source.IMMIGRATION))
    if found.unlicensed_agency is not None:
        person_id = found.unlicensed_agency.person_id
        wanted += [(person_id, Source.IMMIGRATION), (person_id, Source.PLACEMENTS)]
    return wanted


def ensure_demo_travel(session: Session) -> DemoTravellers:
    """Find the demo's two travellers and queue their checks (``check_demo_travellers`` runs
    them as soon as the sandboxes listen, ahead of the worker's queue of every record)."""
    found = find_demo_travellers(session)
    now = utcnow()
    for person_id, source in _wanted(found):
        travel.queue_check(session, person_id=person_id, source=source,
                           purpose=Purpose.CONSULAR_SERVICE, cause="demo",
                           requested_by="peduli demo", now=now)  # fmt: skip
    return found


def check_demo_travellers(session: Session) -> DemoTravellers:
    """Run the demo travellers' queued checks now, as the worker would (the sandboxes must
    listen): their person screens show immigration's and BP2MI's answers from the start."""
    found = find_demo_travellers(session)
    for person_id, source in _wanted(found):
        verification.run_one(session, (person_id, source.value, RECORD), utcnow())
    return found
