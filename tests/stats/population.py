"""People abroad for the open-data tests, written in bulk (one INSERT per table)."""

from __future__ import annotations

import uuid
from dataclasses import dataclass
from datetime import date

from sqlalchemy import insert
from sqlalchemy.orm import Session

from peduli.registry.models import Person, Stay


@dataclass(frozen=True)
class Group:
    """``people`` alike: where, why, who, since when (and until when)."""

    people: int
    country: str = "MY"
    post: str | None = "kbri-kuala-lumpur"
    purpose: str = "work"
    sector: str | None = "plantation"
    sex: str = "F"
    born: date = date(1995, 6, 1)
    arrived: date = date(2026, 1, 10)
    departed: date | None = None
    status: str = "active"


def add_people(db: Session, groups: list[Group]) -> list[uuid.UUID]:
    """Write the groups' people and stays; returns the people's ids."""
    people, stays = [], []
    for group in groups:
        for _ in range(group.people):
            person_id = uuid.uuid4()
            people.append({
                "id": person_id, "full_name": "Siti Test", "name_key": "siti test",
                "sex": group.sex, "date_of_birth": group.born, "status": group.status,
            })  # fmt: skip
            stays.append({
                "id": uuid.uuid4(), "person_id": person_id, "country": group.country,
                "city": "Kota", "purpose": group.purpose, "sector": group.sector,
                "arrival_date": group.arrived, "departed_on": group.departed,
                "status": "departed" if group.departed else "active",
                "representation_code": group.post, "language": "id",
            })  # fmt: skip
    if people:
        db.execute(insert(Person), people)
        db.execute(insert(Stay), stays)
    db.flush()
    return [row["id"] for row in people]


# A population with small groups on purpose: a post of 7 in Malaysia, Brunei with 4, two
# students, one caregiver, a man of 70. Counted at the end of November 2026.
SMALL_GROUPS = [
    Group(140),
    Group(60, post="kjri-penang", sector="manufacturing"),
    Group(7, post="kjri-kuching"),
    Group(33, post="kjri-johor-bahru", sector="domestic_work", born=date(1988, 3, 3)),
    Group(4, country="BN", post="kbri-bandar-seri-begawan", sector="domestic_work"),
    Group(45, country="SG", post="kbri-singapore", sector="domestic_work"),
    Group(2, country="SG", post="kbri-singapore", purpose="study", sector=None, sex="M"),
    Group(38, country="KR", post="kbri-seoul", sector="manufacturing", sex="M"),
    Group(1, country="KR", post="kbri-seoul", sector="caregiving"),
    Group(
        1, country="KR", post="kbri-seoul", sector="fishing_crew", sex="M", born=date(1956, 1, 2)
    ),
]
