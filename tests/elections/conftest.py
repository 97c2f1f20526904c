"""Fixtures of the elections' tests: people abroad reported at Seoul and Kuala Lumpur, an
election day, and the staff who keep the lists."""

from __future__ import annotations

import uuid
from datetime import date
from typing import Any

from sqlalchemy.orm import Session

from peduli.auth.actor import Actor, Role
from peduli.elections import generation, service
from peduli.elections.models import Election, PlaceKind
from peduli.elections.schemas import ElectionCreate, ElectorFactsUpdate, PlaceCreate
from peduli.registry import service as registry_service
from tests.factories import KUALA_LUMPUR, nik, report, staff

SEOUL, KL = "kbri-seoul", "kbri-kuala-lumpur"
ELECTION_DAY = date(2029, 2, 14)
HQ = staff(Role.HQ_ADMIN, None)
BUSAN = {"country": "KR", "city": "Busan", "latitude": 35.1796, "longitude": 129.0756}


def person(
    db: Session,
    serial: int,
    *,
    name: str = "Siti Aminah",
    born: date = date(1990, 5, 17),
    sex: str = "F",
    post: str = SEOUL,
    **fields: Any,
) -> uuid.UUID:
    """A person reported by HQ with an active stay (Seoul unless ``post`` is KL); their id."""
    values: dict[str, Any] = {
        "nik": nik(born=born, sex=sex, serial=serial), "passport_number": f"C{serial:07d}",
        "full_name": name, "date_of_birth": born, "sex": sex,
        "phone": f"+8210{serial:08d}", "email": f"voter{serial}@example.org",
    }  # fmt: skip
    if post == KL:
        values.update(KUALA_LUMPUR, phone=f"+60123{serial:06d}", sector="plantation",
                      address="Ladang Sawit 3, Sepang")  # fmt: skip
    values.update(fields)
    outcome = registry_service.submit_self_report(db, report=report(**values), actor=HQ)
    return outcome.person.id


def facts(db: Session, person_id: uuid.UUID, **values: Any) -> None:
    service.record_facts(db, person_id=person_id, data=ElectorFactsUpdate(**values), actor=HQ)


def election(db: Session, day: date = ELECTION_DAY) -> Election:
    made = service.create_election(
        db, data=ElectionCreate(name="Pemilu 2029", election_day=day), actor=HQ
    )
    places = (
        (SEOUL, PlaceKind.TPSLN, "TPSLN 01"),
        (SEOUL, PlaceKind.TPSLN, "TPSLN 02"),
        (KL, PlaceKind.KSK, "KSK 01"),
    )
    for post, kind, code in places:
        service.add_place(
            db, election_id=made.id, actor=HQ,
            data=PlaceCreate(representation_code=post, kind=kind, code=code, location="Aula KBRI"),
        )  # fmt: skip
    return made


def generated(db: Session, election_id: uuid.UUID) -> generation.Generated:
    return generation.generate(db, election_id=election_id, actor=HQ)


def officer(post: str = SEOUL, role: Role = Role.OFFICER) -> Actor:
    return staff(role, post)
